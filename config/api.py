"""Stip's JSON API, mounted at /api/v1/ (OpenAPI 3 schema at /api/v1/schema/, interactive docs
at /api/v1/docs/, served from django-ninja's own static files).

Each app keeps its endpoints in `<app>/api.py` as a ninja `Router`; this module only composes
them and decides, once for all of them, how requests authenticate and how refusals look.
To add an app's endpoints, add one line at the bottom: `api.add_router("/", <app>_router)`.

Authentication: a Wagtail API token (`Authorization: Bearer <token>`), or none at all for
public reads. The session cookie is deliberately ignored, so no request can ride on a browser's
log-in (no CSRF exposure): a browser without a token is anonymous here.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from wagtail.api.v3.auth import AllowAnonymous, BearerTokenAuth

from participation.api import router as participation_router
from participation.http import InvalidInput
from stakes.services import StakesError
from wiki.api import DocumentMoved
from wiki.api import router as wiki_router
from wiki.services import WikiError

from .limits import too_large_message

DESCRIPTION = """
The programmes, organisations, memberships and wiki documents of Stip.

**Authentication.** Send `Authorization: Bearer <token>` with a personal API token. Without a
token you are anonymous: you can read open programmes and nothing else. A token acts as its
person, with exactly their rights in each programme (`your_level` and `your_actions` on a
programme tell you what they are).

**Getting a token.** An administrator creates one for you in the Stip admin (`/admin/`),
under *Settings → API tokens → Add API token*; people who may use the admin can create their own
there. The token is shown once: keep it like a password. Revoke it there when it is no longer
needed; a revoked or unknown token is answered with 401.

**Answers.** Refused: 403 (`detail` says why). A members-only programme you may not read, or a
document, version or membership that is not in the programme of the address: 404, never data.
Invalid input: 400 with `errors`, the messages per field; nothing is changed. A change the
wiki refuses (a frozen document, a deleted one): 409 with `detail`. A request body larger than
Stip reads (far more than the longest text, 500,000 characters by default): 413.

**One-line fields.** Titles, names and edit summaries are stored on one line: line breaks, tabs
and other control characters in them become a space (the answer shows what was stored).

**Editing without losing work.** Read a document, keep its `head_version_id`, and send it as
`base_version_id` with your update. If others saved in between and the changes do not overlap,
they are merged (`merged: true`). If they overlap you get 409 with the `current` version and your
`submitted` text: nothing is saved and nothing you sent is lost.

A renamed document answers its old address with 308 and its new address in `Location`.
Messages come in the language of `Accept-Language` (Dutch or English).
"""

# Pydantic's error types, in words the reader's language has.
FIELD_MESSAGES = {
    "missing": lambda ctx: _("This field is required."),
    "string_too_short": lambda ctx: (
        _("Ensure this value has at least %(min)d characters.") % {"min": ctx.get("min_length", 1)}
    ),
    "string_too_long": lambda ctx: (
        _("Ensure this value has at most %(max)d characters.") % {"max": ctx.get("max_length", 0)}
    ),
    # A length check that runs after a normaliser (an optional one-line field) or on a list.
    "too_short": lambda ctx: (
        (
            _("Send at least %(min)d items.")
            if ctx.get("field_type") == "List"
            else _("Ensure this value has at least %(min)d characters.")
        )
        % {"min": ctx.get("min_length", 1)}
    ),
    "too_long": lambda ctx: (
        (
            _("Send at most %(max)d items.")
            if ctx.get("field_type") == "List"
            else _("Ensure this value has at most %(max)d characters.")
        )
        % {"max": ctx.get("max_length", 0)}
    ),
    "literal_error": lambda ctx: (
        _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    ),
    "enum": lambda ctx: _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")},
    "int_parsing": lambda ctx: _("Enter a whole number."),
    "int_type": lambda ctx: _("Enter a whole number."),
    "string_type": lambda ctx: _("Enter text."),
    "greater_than_equal": lambda ctx: (
        _("Ensure this value is at least %(min)s.") % {"min": ctx.get("ge")}
    ),
    "less_than_equal": lambda ctx: (
        _("Ensure this value is at most %(max)s.") % {"max": ctx.get("le")}
    ),
    "json_invalid": lambda ctx: _("The request body is not valid JSON."),
    "model_attributes_type": lambda ctx: _("Send a JSON object."),
    "dict_type": lambda ctx: _("Send a JSON object."),
}


class TokenAuth(BearerTokenAuth):
    """A Wagtail API token. A request that sends a token which is unknown, revoked or of an
    inactive person is refused (401) instead of silently treated as anonymous."""

    def __call__(self, request: HttpRequest):
        if not request.headers.get(self.header):
            return None
        result = super().__call__(request)
        if result is None:
            raise AuthenticationError(message=_("This API token is unknown or revoked."))
        return result


class Anonymous(AllowAnonymous):
    """Wagtail's fallback to an anonymous request, kept out of the OpenAPI security schemes
    (it is no scheme: `StipAPI` marks every operation's security as optional instead)."""

    def __init__(self) -> None:
        super().__init__()
        del self.openapi_security_schema


class StipAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and operation.get("security"):
                    operation["security"].append({})  # a token is optional
        return schema


api = StipAPI(
    title="Stip API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api_v1",
    openapi_url="/schema/",
    docs_url="/docs/",
    auth=[TokenAuth(), Anonymous()],
)


def _error(request: HttpRequest, status: int, detail: str, errors=None) -> HttpResponse:
    body: dict = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def _field_of(loc: list | tuple) -> str:
    """("body", "payload", "title") → "title"; ("query", "limit") → "limit"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        source, parts = parts[0], parts[1:]
        if source == "body" and len(parts) > 1:
            parts = parts[1:]  # the name of the view's payload argument
    return ".".join(parts) or NON_FIELD_ERRORS


@api.exception_handler(NinjaValidationError)
def invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        message = FIELD_MESSAGES.get(error.get("type", ""))
        text = message(error.get("ctx") or {}) if message else error.get("msg", "")
        errors.setdefault(_field_of(error.get("loc", ())), []).append(str(text))
    return _error(request, 400, _("Please correct the errors below."), errors)


@api.exception_handler(DjangoValidationError)
def invalid_input(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    else:
        errors = {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}
    return _error(request, 400, _("Please correct the errors below."), errors)


@api.exception_handler(PermissionDenied)
def refused(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or _("You may not do this."))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, str(exc) or _("Not found."))


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, str(exc))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        message = _("The request body is not valid JSON.")
        return _error(request, 400, message, {NON_FIELD_ERRORS: [message]})
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(WikiError)
def wiki_refused(request: HttpRequest, exc: WikiError) -> HttpResponse:
    """A change the wiki's rules refuse now (frozen, deleted, …): 409, nothing changed."""
    return _error(request, 409, exc.message)


@api.exception_handler(StakesError)
def stakes_refused(request: HttpRequest, exc: StakesError) -> HttpResponse:
    """A change the rules of proposals refuse now (answering a decided one): 409."""
    return _error(request, 409, exc.message)


@api.exception_handler(RequestDataTooBig)
def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over the size Stip reads: 413, in the API's shape (not Django's HTML page)."""
    message = too_large_message()
    return _error(request, 413, message, {NON_FIELD_ERRORS: [message]})


@api.exception_handler(InvalidInput)
def invalid_id(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return _error(request, 400, exc.message, {NON_FIELD_ERRORS: [exc.message]})


@api.exception_handler(DocumentMoved)
def document_moved(request: HttpRequest, exc: DocumentMoved) -> HttpResponse:
    response = _error(request, 308, _("This document has a new address."))
    response["Location"] = exc.location
    return response


# One line per app; later apps add theirs below (e.g. `api.add_router("/", usecases_router)`).
api.add_router("/", participation_router)
api.add_router("/", wiki_router)
api.add_router("/", "usecases.api.router")
api.add_router("/", "timeboxes.api.router")
api.add_router("/", "stakes.api.router")
api.add_router("/", "participation.api_joins.router")
