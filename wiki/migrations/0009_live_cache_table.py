# The table the `live` cache (wiki.live: who else is here) uses when there is no Redis: made
# here, so that every installation has it whichever cache it is configured with today.

from django.conf import settings
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, settings.STIP_LIVE_CACHE_TABLE, False)


def drop(apps, schema_editor):
    schema_editor.execute(
        f"DROP TABLE IF EXISTS {schema_editor.quote_name(settings.STIP_LIVE_CACHE_TABLE)}"
    )


class Migration(migrations.Migration):
    dependencies = [("wiki", "0008_document_templates")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
