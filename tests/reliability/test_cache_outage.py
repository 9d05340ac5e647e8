"""Redis (the cache) unreachable: pages are computed instead of read from the cache, and every
save answers success.

The cache is the production backend (config.cache.ForgivingRedisCache) on a Redis server the test
started for itself; the test warms the cache, kills that server (SIGKILL) and then reads the
document page, the diff and the API's document, and edits through the API and the site.
"""

import logging
import time

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from config.cache import ForgivingRedisCacheClient
from tests.api.conftest import ApiClient, doc_path
from wiki.models import Document

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

PROMPT = 3.0  # seconds: a page may be slower without its cache, not much slower


@pytest.fixture
def redis_cache(own_redis):
    ForgivingRedisCacheClient.outage.forget()  # no outage left over from another test
    caches = {
        "default": {
            "BACKEND": "config.cache.ForgivingRedisCache",
            "LOCATION": own_redis.url,
            "KEY_PREFIX": "stip",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=caches):
        yield own_redis
    ForgivingRedisCacheClient.outage.forget()


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_with_redis_down_pages_diff_and_api_answer_and_edits_are_saved(
    client, world, make_document, redis_cache, caplog
):
    document = make_document(world, title="Rooster", body="Eerste versie van het rooster.\n")
    first = document.head_id
    api = ApiClient()
    page = document.get_absolute_url()
    p, d = world.programme.slug, document.slug
    diff = reverse("wiki:diff", args=[p, d]) + f"?from={first}"
    client.force_login(world.contributor)
    client.post(
        reverse("wiki:edit", args=[p, d]),
        {"title": "Rooster", "body": "Tweede versie van het rooster.\n", "base_version": first},
    )
    # The cache holds the page, the diff and the API's rendering, and answers.
    for url in (page, diff):
        assert client.get(url).status_code == 200
    assert api.get(doc_path(world, document), user=world.contributor).status_code == 200
    cache.set("probe", "here")
    assert cache.get("probe") == "here"

    redis_cache.kill()
    with caplog.at_level(logging.WARNING, logger="stip.cache"):
        shown, took_page = _timed(lambda: client.get(page))
        compared, took_diff = _timed(lambda: client.get(diff))
        read = api.get(doc_path(world, document), user=world.contributor)
        document.refresh_from_db()
        api_edit, took_api = _timed(
            lambda: api.put(
                doc_path(world, document),
                {"base_version_id": document.head_id, "body": "Derde versie, via de API.\n"},
                user=world.contributor,
            )
        )
        document.refresh_from_db()
        web_edit, took_web = _timed(
            lambda: client.post(
                reverse("wiki:edit", args=[p, d]),
                {
                    "title": "Rooster",
                    "body": "Vierde versie, via de site.\n",
                    "base_version": document.head_id,
                },
            )
        )
        after = client.get(page)

    assert shown.status_code == 200 and "Tweede versie van het rooster." in shown.text
    assert compared.status_code == 200
    assert "Eerste" in compared.text and "Tweede" in compared.text
    assert read.status_code == 200 and "Tweede versie" in read.json()["html"]
    assert api_edit.status_code == 200
    assert api_edit.json()["document"]["body"] == "Derde versie, via de API.\n"
    assert web_edit.status_code == 302
    assert after.status_code == 200 and "Vierde versie, via de site." in after.text
    assert Document.objects.get(pk=document.pk).body == "Vierde versie, via de site.\n"
    assert cache.get("probe", "missed") == "missed", "a cache that is down is a miss"
    assert max(took_page, took_diff, took_api, took_web) < PROMPT
    assert any("unreachable" in record.getMessage() for record in caplog.records)

    # Redis is back (empty): the cache is used again once the short pause has passed.
    redis_cache.start()
    ForgivingRedisCacheClient.outage.forget()
    cache.set("probe", "again")
    assert cache.get("probe") == "again"
    assert client.get(page).status_code == 200
