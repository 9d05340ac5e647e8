"""What every app's views read from a request the same way: where to go next, and ids.

- `safe_url` / `redirect_next`: a `next` address (or any redirect target that came with the
  request) is followed only when it stays on this site; anything else (another host,
  `//host/…`, `javascript:…`) falls back to an address the view chose. Built on Django's
  `url_has_allowed_host_and_scheme`, as its own log-in view is.
- `id_from` / `ids_from`: an id sent in a form or the query string is a positive whole number
  the database can hold; anything else is `InvalidInput`, answered with 400 and a translated
  message (the site's 400 page, or the API's error body), never a server error.
"""

from collections.abc import Iterable

from django.core.exceptions import BadRequest
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

# The largest id PostgreSQL's bigint holds; a larger number names nothing.
MAX_ID = 2**63 - 1


class InvalidInput(BadRequest):
    """Input that a form cannot show an error beside (a hidden id, a query parameter): the
    request is answered with 400 and `message`, and nothing is changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def safe_url(request, target: str | None, fallback: str) -> str:
    """`target` when it is an address on this site, else `fallback`."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def redirect_next(request, fallback: str, *, field: str = "next") -> HttpResponseRedirect:
    """Go to the request's `next` (from the form, else the query string) when it is on this
    site, else to `fallback`. A plain redirect: the target is never taken for a view name."""
    target = request.POST.get(field) or request.GET.get(field)
    return HttpResponseRedirect(safe_url(request, target, fallback))


def id_from(value) -> int:
    """The id in a form field or query parameter; `InvalidInput` unless it is a positive whole
    number the database can hold."""
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and len(text) <= 19 and 0 < int(text) <= MAX_ID:
        return int(text)
    raise InvalidInput(
        _("This request names something by an id that is not valid. Go back and try again.")
    )


def ids_from(values: Iterable) -> list[int]:
    return [id_from(value) for value in values]
