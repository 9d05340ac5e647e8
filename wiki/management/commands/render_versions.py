"""Store the rendering of every document version that has none, or one of an older renderer:
after raising `wiki.rendering.RENDERER_VERSION`, so no reader waits for it."""

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from reversion.models import Version

from wiki.models import Document, Rendering
from wiki.rendering import RENDERER_VERSION, rendering_store


class Command(BaseCommand):
    help = "Render and store the versions of documents without a current stored rendering."

    def handle(self, *args, **options) -> None:
        current = Rendering.objects.filter(renderer_version=RENDERER_VERSION).values("version_id")
        versions = (
            Version.objects.filter(content_type=ContentType.objects.get_for_model(Document))
            .exclude(pk__in=current)
            .order_by("pk")
        )
        done = 0
        for version in versions.iterator(chunk_size=200):
            rendering_store(version, version.field_dict.get("body", ""))
            done += 1
        self.stdout.write(f"{done} versions rendered (renderer {RENDERER_VERSION}).")
