"""Requests carrying a NUL character are refused with a clear message.

PostgreSQL cannot store or compare text with NUL (0x00) in it: an address, a search, or a
slug in an API body that holds one would end in a server error at the first query. Forms
already refuse it field by field (Django's `ProhibitNullCharactersValidator`, keeping what
was typed), so this looks where no form does: the path, the query string and JSON bodies.
"""

import json

from django.shortcuts import render
from django.utils.translation import gettext as _


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def request_holds_nul(request) -> bool:
    if "\x00" in request.path or any(
        "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
    ):
        return True
    if request.content_type == "application/json" and b"\\u0000" in request.body:
        try:
            return _holds_nul(json.loads(request.body))
        except ValueError:
            return False  # not JSON: the API says so itself
    return False


class RefuseNulMiddleware:
    """Answers 400 (the API's error shape under /api/, a page elsewhere); after the
    authentication and language middleware, so the page knows who reads it and in what."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request_holds_nul(request):
            return self.get_response(request)
        message = _("The request contains a NUL character (\\0), which text in Stip cannot hold.")
        if request.path_info.startswith("/api/"):
            from config.api import _error

            return _error(request, 400, message, {"__all__": [message]})
        return render(request, "400.html", {"message": message}, status=400)
