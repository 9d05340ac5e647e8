"""What an export may embed: pictures from `data:` URLs and this site's own media and static
files, nothing fetched from elsewhere (shared by the PDF and the Word builds)."""

import base64
import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage


def site_url() -> str:
    return getattr(settings, "SITE_URL", "http://localhost").rstrip("/") + "/"


def local_resource(url: str) -> tuple[bytes, str] | None:
    """(content, content type) of a picture an annex may show: a `data:` URL, or a file of this
    site's media (default storage) or static files; None for anything else."""
    if url.startswith("data:"):
        header, _, data = url[5:].partition(",")
        kind = header.split(";")[0] or "text/plain"
        try:
            content = base64.b64decode(data) if ";base64" in header else unquote(data).encode()
        except ValueError:
            return None
        return content, kind
    parts = urlsplit(url)
    site = urlsplit(site_url())
    if parts.scheme and (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        return None
    path = unquote(parts.path)
    media, static = settings.MEDIA_URL, settings.STATIC_URL
    if media and path.startswith(media):
        name = path.removeprefix(media)
        if ".." in name.split("/") or not default_storage.exists(name):
            return None
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
    elif static and path.startswith(static):
        name = path.removeprefix(static)
        found = finders.find(name) if ".." not in name.split("/") else None
        if not found:
            return None
        with open(found, "rb") as handle:
            content = handle.read()
    else:
        return None
    return content, mimetypes.guess_type(path)[0] or "application/octet-stream"
