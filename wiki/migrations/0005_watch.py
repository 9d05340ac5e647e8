# Watching documents, moved here from participation: the model takes over the table that
# participation/0008 renamed to wiki_watch, with its rows; only its index gets a name of its own.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0008_watch_to_wiki"),
        ("wiki", "0004_version_numbers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Watch",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "scope",
                            models.CharField(
                                choices=[
                                    ("document", "This document"),
                                    ("subtree", "This document and everything below it"),
                                    ("programme", "The whole programme"),
                                ],
                                default="document",
                                max_length=10,
                            ),
                        ),
                        (
                            "automatic",
                            models.BooleanField(
                                default=False,
                                help_text="Started by creating or editing the document.",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now),
                        ),
                        (
                            "document",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="watches",
                                to="wiki.document",
                            ),
                        ),
                        (
                            "programme",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="watches",
                                to="participation.programme",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="watches",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "watch",
                        "verbose_name_plural": "watches",
                        "indexes": [
                            models.Index(
                                fields=["document", "scope"],
                                name="participati_documen_59788c_idx",
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("document__isnull", False)),
                                fields=("user", "document"),
                                name="one_watch_per_document",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("document__isnull", True)),
                                fields=("user", "programme"),
                                name="one_watch_per_programme",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("document__isnull", True), ("scope", "programme")),
                                    models.Q(
                                        ("document__isnull", False),
                                        ("scope__in", ["document", "subtree"]),
                                    ),
                                    _connector="OR",
                                ),
                                name="watch_scope_matches_target",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RenameIndex(
            model_name="watch",
            new_name="watch_document_scope",
            old_name="participati_documen_59788c_idx",
        ),
    ]
