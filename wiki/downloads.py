"""Handing out an attachment's file, for the site's download view and the API alike. The
caller has checked that the person may read the document's programme."""

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from .models import Attachment


def attachment_response(attachment: Attachment, *, thumbnail: bool = False) -> HttpResponse:
    """The file (or its thumbnail). Only pictures Stip re-encoded are shown inline; every other
    type (SVG, HTML, …) is a download, and nothing is sniffed into another type. Behind nginx
    (`STIP_ATTACHMENTS_ACCEL_PREFIX`) nginx sends the file after this answer's permission check."""
    stored = attachment.thumbnail if thumbnail and attachment.thumbnail else attachment.file
    prefix = settings.STIP_ATTACHMENTS_ACCEL_PREFIX
    if prefix:
        response = HttpResponse(content_type=attachment.content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + stored.name
    else:
        response = FileResponse(stored.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        not attachment.is_image, attachment.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=86400"  # an attachment never changes
    return response
