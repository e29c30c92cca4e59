"""The grid's version: one counter that every write to what the grid shows moves, in the
same transaction (identities/selectors/grid_version.py says who reads it). A table the grid
comes to read joins TABLES in a new migration: tests/identities/selectors/test_grid_version.py
fails until it does.

PostgreSQL: a deferred constraint trigger per row of each table, so the counter row is locked
only from COMMIT to its end (a writer holding it from its first write would serialize every
sync's write transaction), and bumped once per transaction (a transaction-local mark; the
mark names the statement too, so under SET CONSTRAINTS ... IMMEDIATE each statement bumps).
An UPDATE that changes nothing, or only a region's lease, is not a change. TRUNCATE bumps at
once. The bump inserts the row when it is missing (`manage.py flush` empties the table).
SQLite: plain row triggers (it has one writer at a time anyway).
"""

from django.db import migrations, models

TABLES = [
    "identities_identity",
    "identities_regionalidentity",
    "identities_dnscheck",
    "regions_region",
    "regions_awsaccount",
    "regions_sesrecommendation",  # SES's advice, shown as warnings in the cells
]
# A sync's claim and the lease keeper write these only: nothing the grid shows.
LEASE_COLUMNS = "ARRAY['sync_lock_until', 'sync_lease', 'last_sync_started_at']"

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION identities_grid_bump() RETURNS trigger AS $$
DECLARE
    mark text := txid_current()::text || '@' || statement_timestamp()::text;
BEGIN
    IF current_setting('sesops.grid_bumped', true) IS DISTINCT FROM mark THEN
        PERFORM set_config('sesops.grid_bumped', mark, true);
        INSERT INTO identities_gridversion (id, n) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET n = identities_gridversion.n + 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def _pg_triggers(table: str) -> str:
    changed = "OLD.* IS DISTINCT FROM NEW.*"
    if table == "regions_region":
        changed = (
            f"(to_jsonb(OLD) - {LEASE_COLUMNS}) IS DISTINCT FROM (to_jsonb(NEW) - {LEASE_COLUMNS})"
        )
    return f"""
CREATE CONSTRAINT TRIGGER {table}_grid_ins AFTER INSERT OR DELETE ON {table}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION identities_grid_bump();
CREATE CONSTRAINT TRIGGER {table}_grid_upd AFTER UPDATE ON {table}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ({changed})
    EXECUTE FUNCTION identities_grid_bump();
CREATE TRIGGER {table}_grid_trunc AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION identities_grid_bump();
"""


def _pg_drop(table: str) -> str:
    return "".join(
        f"DROP TRIGGER IF EXISTS {table}_grid_{s} ON {table};\n" for s in ("ins", "upd", "trunc")
    )


def _sqlite_triggers(table: str) -> list[str]:
    bump = (
        "BEGIN INSERT INTO identities_gridversion (id, n) VALUES (1, 1)"
        " ON CONFLICT (id) DO UPDATE SET n = n + 1; END"
    )
    return [
        f"CREATE TRIGGER {table}_grid_{op.lower()} AFTER {op} ON {table} FOR EACH ROW {bump}"
        for op in ("INSERT", "UPDATE", "DELETE")
    ]


def install(apps, schema_editor):
    apps.get_model("identities", "GridVersion").objects.update_or_create(pk=1, defaults={"n": 1})
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(_pg_triggers(table), params=None)
    elif vendor == "sqlite":
        for table in TABLES:
            for sql in _sqlite_triggers(table):
                schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(_pg_drop(table), params=None)
        schema_editor.execute("DROP FUNCTION IF EXISTS identities_grid_bump();", params=None)
    elif vendor == "sqlite":
        for table in TABLES:
            for op in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_grid_{op}", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("identities", "0005_ses_look_soa"),
        ("regions", "0009_global_endpoints"),
    ]

    operations = [
        migrations.CreateModel(
            name="GridVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("n", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(install, uninstall),
    ]
