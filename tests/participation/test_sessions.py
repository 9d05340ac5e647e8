"""Sessions are read through the cache (participation.sessions): a page costs no session
query, and a cache that does not answer only sends every session to the database."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

# The sessions' cache is a Redis nobody listens on; the rest of the site keeps its cache.
SESSIONS_CACHE_DOWN = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "sessions": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
    },
}


def session_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum("django_session" in query["sql"] for query in queries.captured_queries)


def test_a_logged_in_page_asks_the_database_for_no_session(client, world):
    client.force_login(world.observer)
    path = world.programme.get_absolute_url()
    client.get(path)
    assert session_queries(client, path) == 0


@override_settings(CACHES=SESSIONS_CACHE_DOWN, SESSION_CACHE_ALIAS="sessions")
def test_log_in_read_and_log_out_while_the_sessions_cache_is_down(client, world):
    world.observer.set_password("a long enough password")
    world.observer.save()
    response = client.post(
        "/accounts/login/",
        {"username": world.observer.username, "password": "a long enough password"},
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(world.observer.pk)
    path = world.programme.get_absolute_url()
    assert session_queries(client, path) == 1  # from the database, as the `db` engine does
    logged_in = 'action="/accounts/logout/"'
    assert logged_in in client.get(path).text
    client.post("/accounts/logout/")
    assert logged_in not in client.get(path).text
