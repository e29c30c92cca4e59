from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The database cache (resend cooldowns) when no Redis is configured; a no-op otherwise.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("regions", "0002_roles")]
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
