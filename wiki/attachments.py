"""Attachments of documents: what a file is (judged from its content), whether Stip takes it,
how a picture is made safe, and how the markdown refers to a file.

A document's text refers to its files by name: `![Plattegrond](attachment:plattegrond.png)`
shows a picture, `[Het contract](attachment:contract.pdf)` links a download. Which file a name
means is the version's (`Document.files`): an old version shows the files it had.

Only what the allow list (`STIP_ATTACHMENT_TYPES`) names is taken, judged from the first bytes
and, for pictures, by Pillow opening them; the file name's extension decides nothing. Pictures
are re-encoded by Pillow (which drops EXIF, so no location leaks, and any payload hidden after
the image data) and get a thumbnail; they alone are shown in the page. Every other type,
SVG and HTML among them, is only offered as a download (`wiki.views.attachment`).
"""

import base64
import hashlib
import html as html_lib
import io
import re
import xml.etree.ElementTree as etree
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from PIL import Image, ImageOps, UnidentifiedImageError

from .models import INLINE_IMAGE_TYPES, Attachment, Document

SCHEME = "attachment:"
THUMBNAIL_SIZE = (320, 320)
MAX_IMAGE_SIDE = 4000
MAX_PIXELS = 40_000_000
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/zip": "zip",
    "text/plain": "txt",
    "text/csv": "csv",
    "image/svg+xml": "svg",
    "text/html": "html",
}
OFFICE_PARTS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<script|<iframe)", re.I)


class AttachmentRefused(Exception):
    """A file Stip does not take; `message` says why, for the person who sent it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Checked:
    """A file as Stip will store it: its (re-encoded) content, type and name."""

    name: str
    content: bytes
    content_type: str
    thumbnail: bytes | None = None
    width: int | None = None
    height: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def megabytes(size: int) -> str:
    return f"{size / 2**20:.1f}".rstrip("0").rstrip(".")


def content_type_of(head: bytes, data: bytes) -> str:
    """The type of a file judged from its content: the first bytes, and for a zip its parts."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
                if "mimetype" in names:
                    kind = archive.read("mimetype").decode("ascii", "replace").strip()
                    if kind.startswith("application/vnd.oasis.opendocument."):
                        return kind
                for prefix, kind in OFFICE_PARTS.items():
                    if "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names):
                        return kind
        except (zipfile.BadZipFile, KeyError, OSError):
            return "application/octet-stream"
        return "application/zip"
    if b"\x00" in head:
        return "application/octet-stream"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    start = text.lstrip("\ufeff \t\r\n")[:1000].lower()
    if HTML_START.match(start.encode()):
        return "text/html"
    if start.startswith("<svg") or (start.startswith("<?xml") and "<svg" in start):
        return "image/svg+xml"
    if "<html" in start or "<script" in start:
        return "text/html"
    return "text/plain"


def image_reencoded(data: bytes) -> Checked | None:
    """A picture decoded and written anew by Pillow, without its metadata; None when Pillow does
    not know the content as one of the pictures Stip shows."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    except Image.DecompressionBombError:
        raise AttachmentRefused(_("This picture has too many pixels to take.")) from None
    if kind not in IMAGE_FORMATS:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise AttachmentRefused(_("This picture has too many pixels to take."))
            image.seek(0)
            picture = ImageOps.exif_transpose(image)  # turned upright, before EXIF goes
            picture.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            content_type = IMAGE_FORMATS[kind]
            content = _encoded(picture, content_type)
            small = picture.copy()
            small.thumbnail(THUMBNAIL_SIZE)
            thumbnail = _encoded(small, content_type)
            return Checked(
                name="",
                content=content,
                content_type=content_type,
                thumbnail=thumbnail,
                width=picture.width,
                height=picture.height,
            )
    except (OSError, ValueError, Image.DecompressionBombError):
        raise AttachmentRefused(_("This picture could not be read; it may be damaged.")) from None


def _encoded(picture: Image.Image, content_type: str) -> bytes:
    out = io.BytesIO()
    if content_type == "image/jpeg":
        picture.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
    elif content_type == "image/webp":
        picture.save(out, format="WEBP", quality=88)
    else:
        if picture.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            picture = picture.convert("RGBA")
        picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def file_name(name: str, content_type: str) -> str:
    """A safe file name that ends as its content is (a PNG called photo.jpg becomes photo.png)."""
    base = get_valid_filename((name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]) or "file"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    extension = EXTENSIONS.get(content_type)
    if content_type == "text/plain" and base.lower().endswith(".csv"):
        extension = "csv"
    stem = stem[:150] or "file"
    return f"{stem}.{extension}" if extension else stem


def attachment_check(*, name: str, data: bytes, programme_used: int) -> Checked:
    """The file as Stip would store it, or AttachmentRefused with the reason: too large, the
    programme's space used up, or a type not on the allow list."""
    limit = settings.STIP_ATTACHMENT_MAX_BYTES
    if len(data) > limit:
        raise AttachmentRefused(
            _("This file is %(size)s MB; at most %(limit)s MB fit in one attachment.")
            % {"size": megabytes(len(data)), "limit": megabytes(limit)}
        )
    if not data:
        raise AttachmentRefused(_("This file is empty."))
    room = settings.STIP_PROGRAMME_ATTACHMENTS_MAX_BYTES - programme_used
    if len(data) > room:
        raise AttachmentRefused(
            _(
                "The programme's attachments would go over %(limit)s MB. Ask a lead to make room, "
                "or attach a smaller file."
            )
            % {"limit": megabytes(settings.STIP_PROGRAMME_ATTACHMENTS_MAX_BYTES)}
        )
    checked = image_reencoded(data)
    if checked is None:
        content_type = content_type_of(data[:512], data)
        if content_type.startswith("image/") and content_type != "image/svg+xml":
            content_type = "application/octet-stream"
        checked = Checked(name="", content=data, content_type=content_type)
    if checked.content_type not in settings.STIP_ATTACHMENT_TYPES:
        raise AttachmentRefused(
            _("Stip does not take this kind of file. It takes: %(types)s.")
            % {"types": allowed_types_label()}
        )
    checked.name = file_name(name, checked.content_type)
    return checked


def allowed_types_label() -> str:
    names = sorted({EXTENSIONS.get(t, t).upper() for t in settings.STIP_ATTACHMENT_TYPES})
    return ", ".join(names)


def is_inline(content_type: str) -> bool:
    return content_type in INLINE_IMAGE_TYPES


# --- referring to files from the markdown ------------------------------------------------------


Files = Callable[[str], tuple[str, bool] | None]


def download_url(document, attachment: Attachment, *, thumbnail: bool = False) -> str:
    url = reverse(
        "wiki:attachment",
        args=[document.programme.slug, document.slug, attachment.pk, attachment.name],
    )
    return f"{url}?thumbnail=1" if thumbnail else url


def files_of(document, files: dict | None) -> dict[str, Attachment]:
    """{name: Attachment} of a version's `files` (a document's own only), in one query."""
    files = files or {}
    ids = [pk for pk in files.values() if isinstance(pk, int)]
    if not ids:
        return {}
    found = {a.pk: a for a in Attachment.objects.filter(document_id=document.pk, pk__in=ids)}
    return {name: found[pk] for name, pk in files.items() if pk in found}


def reference_resolver(document, files: dict | None) -> Files:
    """What `attachment:NAME` means in this version of the document: the download address, and
    whether it is a picture to show."""
    attached: dict[str, Attachment] = {}
    loaded = False

    def resolve(name: str) -> tuple[str, bool] | None:
        nonlocal attached, loaded
        if not loaded:  # only when the text is rendered, not when it comes from the cache
            attached, loaded = files_of(document, files), True
        attachment = attached.get(name)
        if attachment is None:
            return None
        return download_url(document, attachment), attachment.is_image

    return resolve


class AttachmentReferences(Treeprocessor):
    """`attachment:NAME` in pictures and links, made placeholders (`data-attachment`) that
    `attachments_fill` resolves when the version is shown: the stored rendering holds no
    address, so it stays right when the document is renamed."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            attribute = {"img": "src", "a": "href"}.get(element.tag)
            target = element.get(attribute or "", "") if attribute else ""
            if not target.startswith(SCHEME):
                continue
            del element.attrib[attribute]
            element.set("data-attachment", target.removeprefix(SCHEME)[:200])


class AttachmentExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's API
        md.treeprocessors.register(AttachmentReferences(md), "attachments", 5)


# Placeholders as `wiki.rendering.sanitise` writes them (attribute values escaped, no `>`).
PICTURE = re.compile(r'<img\b[^>]*\bdata-attachment="([^"]*)"[^>]*>')
LINK = re.compile(r'<a\b[^>]*\bdata-attachment="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
ALT = re.compile(r'\balt="([^"]*)"')


def attachments_fill(html: str, resolve: Files | None) -> str:
    """The attachment placeholders of sanitised HTML as the version's files: a picture shown, a
    file of another type as a link to download it, a name the version has no file for (or no
    `resolve`) as its text, marked missing. Names and labels stay as the sanitiser escaped them."""
    if "data-attachment" not in html:
        return html

    def found(name: str):
        return resolve(html_lib.unescape(name)) if resolve is not None else None

    def picture(match: re.Match) -> str:
        alt_match = ALT.search(match.group(0))
        alt = alt_match.group(1) if alt_match else ""
        target = found(match.group(1))
        if target is None:
            return f'<span class="attachment-missing">{alt or match.group(1)}</span>'
        url, is_picture = target
        if not is_picture:
            return f'<a class="attachment-link" href="{escape(url)}">{alt or match.group(1)}</a>'
        return f'<img alt="{alt}" src="{escape(url)}">'

    def link(match: re.Match) -> str:
        target = found(match.group(1))
        label = match.group(2) or match.group(1)
        if target is None:
            return f'<span class="attachment-missing">{label}</span>'
        return f'<a class="attachment-link" href="{escape(target[0])}">{label}</a>'

    return LINK.sub(link, PICTURE.sub(picture, html))


def data_url(attachment: Attachment) -> str:
    """The picture as a `data:` URL, for an export that embeds it."""
    with attachment.file.open("rb") as handle:
        content = base64.b64encode(handle.read()).decode("ascii")
    return f"data:{attachment.content_type};base64,{content}"


def version_resolver(document_id: int, files: dict | None) -> Files:
    """`reference_resolver` where only the document's id is at hand (a baseline's copy)."""
    document = Document.objects.select_related("programme").get(pk=document_id)
    return reference_resolver(document, files)


def pictures_embedded(html: str, document_id: int, files: dict | None) -> str:
    """Sanitised HTML of a version with its own pictures as `data:` URLs, for an export that
    fetches nothing (the sanitiser allows no `data:` URL, so this comes after it). Only the
    addresses of this version's own files are replaced: a text that names another document's
    file gets no picture of it."""
    document = Document.objects.select_related("programme").get(pk=document_id)
    for attachment in files_of(document, files).values():
        if attachment.is_image:
            url = download_url(document, attachment)
            html = html.replace(f'src="{url}"', f'src="{data_url(attachment)}"')
    return html


def markdown_reference(attachment: Attachment) -> str:
    """How the text refers to the file: a picture shown, or a link to download it."""
    label = attachment.name.rsplit(".", 1)[0].replace("_", " ").replace("-", " ")
    if attachment.is_image:
        return f"![{label}]({SCHEME}{attachment.name})"
    return f"[{attachment.name}]({SCHEME}{attachment.name})"


def changes_between(old_files: dict | None, new_files: dict | None) -> dict[str, list[str]]:
    """The attachments added, removed and replaced from one version's files to another's."""
    old, new = old_files or {}, new_files or {}
    return {
        "added": sorted(set(new) - set(old)),
        "removed": sorted(set(old) - set(new)),
        "replaced": sorted(n for n in set(old) & set(new) if old[n] != new[n]),
    }
