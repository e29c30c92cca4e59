"""A region's sent count (SentLast24Hours) no longer moves the grid version: SES reports a new
figure on every sync of an account that sends mail, and the grid quotes it only in a used-up
quota's blocker, which the page cache's key and the live refresh compare by themselves
(identities.selectors.grid.stale_signature)."""

import importlib

from django.db import migrations

previous = importlib.import_module("identities.migrations.0007_grid_version_bookkeeping")
REGION_IGNORED = previous.IGNORED["regions_region"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        sql = previous._recreate("regions_region", [*REGION_IGNORED, "sent_last_24_hours"])
        schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(previous._recreate("regions_region", REGION_IGNORED), params=None)


class Migration(migrations.Migration):
    dependencies = [("identities", "0007_grid_version_bookkeeping")]
    operations = [migrations.RunPython(forward, backward)]
