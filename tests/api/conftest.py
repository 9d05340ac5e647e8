"""An API client that speaks as one person of the `world` fixtures, through a Wagtail API token."""

import json

import pytest
from django.test import Client
from wagtail.models import APIToken


class ApiClient:
    """Calls /api/v1/ as a person (with their own token) or anonymously (no token).

    CSRF checks are enforced, as for a real client: token requests must not need them."""

    def __init__(self) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.tokens: dict[int, str] = {}

    def token_for(self, user) -> str | None:
        if user is None or not user.is_authenticated:
            return None
        if user.pk not in self.tokens:
            _, self.tokens[user.pk] = APIToken.create_token(user=user, name="tests")
        return self.tokens[user.pk]

    def call(self, method: str, path: str, data=None, *, user=None, token=None, **extra):
        token = token or self.token_for(user)
        if token:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        url = f"/api/v1/{path.lstrip('/')}"
        send = getattr(self.client, method.lower())
        if method.upper() == "GET":
            return send(url, data or {}, **extra)
        body = data if isinstance(data, str) else json.dumps(data if data is not None else {})
        return send(url, body, content_type="application/json", **extra)

    def get(self, path, data=None, **kw):
        return self.call("GET", path, data, **kw)

    def post(self, path, data=None, **kw):
        return self.call("POST", path, data, **kw)

    def put(self, path, data=None, **kw):
        return self.call("PUT", path, data, **kw)

    def patch(self, path, data=None, **kw):
        return self.call("PATCH", path, data, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, None, **kw)


@pytest.fixture
def api(db) -> ApiClient:
    return ApiClient()


def doc_path(world, document, rest: str = "") -> str:
    return f"programmes/{world.programme.slug}/documents/{document.slug}/{rest}"
