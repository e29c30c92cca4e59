"""The audit log is append-only in the database as well (PostgreSQL): a trigger refuses
DELETE, and UPDATE except what deleting a user, account or region does to the events that
name them (Event's foreign keys are SET_NULL: the event itself stays, names and all)."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION regions_event_append_only() RETURNS trigger AS $$
DECLARE
    links CONSTANT text[] := ARRAY['actor_id', 'account_id', 'region_id'];
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'regions_event is append-only: DELETE of event % refused', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (to_jsonb(NEW) - links) IS DISTINCT FROM (to_jsonb(OLD) - links)
       OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id)
       OR (NEW.account_id IS NOT NULL AND NEW.account_id IS DISTINCT FROM OLD.account_id)
       OR (NEW.region_id IS NOT NULL AND NEW.region_id IS DISTINCT FROM OLD.region_id) THEN
        RAISE EXCEPTION 'regions_event is append-only: UPDATE of event % refused', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER regions_event_append_only BEFORE UPDATE OR DELETE ON regions_event
    FOR EACH ROW EXECUTE FUNCTION regions_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS regions_event_append_only ON regions_event;
DROP FUNCTION IF EXISTS regions_event_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no placeholders: RAISE uses %

    return run


class Migration(migrations.Migration):
    dependencies = [("regions", "0003_cache_table")]
    operations = [migrations.RunPython(_on_postgresql(FUNCTION), _on_postgresql(DROP))]
