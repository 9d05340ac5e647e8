"""A baseline's name becomes its timebox's name at the close, in no one's language: the title
("Baseline “Visiefase” (2 december 2026 14:00)") is made when read, in the reader's language.
The name stored before is in the closing lead's language; the timebox's name is taken from
between its quotes (or, failing that, the timebox's name now), and the history marker's comment
(the baseline's revision's) follows."""

import re

from django.db import migrations, models

QUOTED = re.compile(r"“(.*)”")


def forwards(apps, schema_editor):
    Baseline = apps.get_model("timeboxes", "Baseline")
    for baseline in Baseline.objects.select_related("timebox", "revision"):
        found = QUOTED.search(baseline.name)
        name = found.group(1) if found else baseline.timebox.name
        if name != baseline.name:
            baseline.name = name
            baseline.save(update_fields=["name"])
        if baseline.revision.comment != name:
            baseline.revision.comment = name
            baseline.revision.save(update_fields=["comment"])


class Migration(migrations.Migration):
    dependencies = [
        ("timeboxes", "0002_baseline_exports"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [
        migrations.AlterField(
            model_name="baseline",
            name="name",
            field=models.CharField(
                help_text="The timebox's name at the close, in no one's language: `title` is "
                "what readers see, in theirs.",
                max_length=250,
                verbose_name="name",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
