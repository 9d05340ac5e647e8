# Step 3 of 3: the old document columns go, kinds of event are no longer a fixed list (the apps
# register theirs), and watching documents moves to the wiki: the table is renamed, its rows
# stay (wiki/0005 takes the model over).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0007_event_notification_target_data"),
    ]

    operations = [
        migrations.RemoveField(model_name="event", name="document"),
        migrations.RemoveField(model_name="notification", name="document"),
        migrations.AlterField(
            model_name="event", name="kind", field=models.CharField(max_length=20)
        ),
        migrations.AlterField(
            model_name="notification", name="kind", field=models.CharField(max_length=20)
        ),
        migrations.AlterField(
            model_name="event",
            name="subject",
            field=models.CharField(
                blank=True,
                help_text="What the event is about when it has no target.",
                max_length=250,
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["target_type", "target_id"], name="event_target"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["target_type", "target_id"], name="notification_target"),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable(name="watch", table="wiki_watch")],
            state_operations=[migrations.DeleteModel(name="watch")],
        ),
    ]
