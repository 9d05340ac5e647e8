# Step 2 of 3: the document an event or notification was about becomes its target. A migration
# of its own, so PostgreSQL commits the rows before the next one drops the old columns.

from django.db import migrations
from django.db.models import F


def documents_to_targets(apps, schema_editor):
    models = [apps.get_model("participation", name) for name in ("Event", "Notification")]
    if not any(model.objects.filter(document__isnull=False).exists() for model in models):
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    document_type, _created = ContentType.objects.get_or_create(app_label="wiki", model="document")
    for model in models:
        model.objects.filter(document__isnull=False).update(
            target_type=document_type, target_id=F("document_id")
        )


def targets_to_documents(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    document_type = ContentType.objects.filter(app_label="wiki", model="document").first()
    if document_type is None:
        return
    for name in ("Event", "Notification"):
        apps.get_model("participation", name).objects.filter(target_type=document_type).update(
            document_id=F("target_id")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0006_event_notification_target"),
        ("wiki", "0003_newspage_programmeportalpage"),
    ]

    operations = [migrations.RunPython(documents_to_targets, targets_to_documents)]
