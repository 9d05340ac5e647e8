from django.db import migrations


class Migration(migrations.Migration):
    """History of one document newest first, without sorting all its versions: an index on
    reversion's versions by object, newest first (reversion has none that serves this)."""

    dependencies = [
        ("wiki", "0001_initial"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS stip_version_object_history "
            "ON reversion_version (content_type_id, object_id, id DESC)",
            "DROP INDEX IF EXISTS stip_version_object_history",
        )
    ]
