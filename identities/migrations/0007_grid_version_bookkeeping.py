"""The grid version no longer moves for bookkeeping columns that every sync or DNS probe
rewrites and the grid never shows: with an organisation's 100 account-regions syncing every
interval, the version moved every few seconds and every live refresh rebuilt the grid.

- regions_region: the lease, the sync's timestamps (last_success_at too: the grid shows it
  only in a stale region's blocker, and a success ends the staleness, which the page cache
  and the live refresh compare by themselves), changed_at.
- identities_regionalidentity: synced_at (every sync rewrites it on every listed row).
- identities_dnscheck: checked_at and the raw answers (the grid reads the verdicts).
A column not listed here still moves the version: a new column is safe by default.
"""

from django.db import migrations

IGNORED = {
    "regions_region": [
        "sync_lock_until",
        "sync_lease",
        "last_sync_started_at",
        "last_sync_finished_at",
        "last_success_at",
        "account_synced_at",
        "advice_synced_at",
        "endpoints_synced_at",
        "changed_at",
    ],
    "identities_regionalidentity": ["synced_at"],
    "identities_dnscheck": ["checked_at", "answers"],
}


def _recreate(table: str, ignored: list[str]) -> str:
    cols = "ARRAY[" + ", ".join(f"'{c}'" for c in ignored) + "]"
    changed = f"(to_jsonb(OLD) - {cols}) IS DISTINCT FROM (to_jsonb(NEW) - {cols})"
    return f"""
DROP TRIGGER IF EXISTS {table}_grid_upd ON {table};
CREATE CONSTRAINT TRIGGER {table}_grid_upd AFTER UPDATE ON {table}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ({changed})
    EXECUTE FUNCTION identities_grid_bump();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, ignored in IGNORED.items():
            schema_editor.execute(_recreate(table, ignored), params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        lease = ["sync_lock_until", "sync_lease", "last_sync_started_at"]
        schema_editor.execute(_recreate("regions_region", lease), params=None)
        for table in ("identities_regionalidentity", "identities_dnscheck"):
            schema_editor.execute(
                _recreate(table, []).replace(
                    "(to_jsonb(OLD) - ARRAY[]) IS DISTINCT FROM (to_jsonb(NEW) - ARRAY[])",
                    "OLD.* IS DISTINCT FROM NEW.*",
                ),
                params=None,
            )


class Migration(migrations.Migration):
    dependencies = [("identities", "0006_grid_version")]
    operations = [migrations.RunPython(forward, backward)]
