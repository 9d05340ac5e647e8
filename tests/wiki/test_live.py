"""Who else is here, and word of a save while you edit (wiki.live), through the web as the
pages' script uses it: presence that expires by itself and reaches only people who may read the
programme, the save notice, the merge offer, and quiet when the live cache fails."""

import shutil
import socket
import subprocess
import time

import pytest
import time_machine
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from wiki import services
from wiki.models import Document

pytestmark = pytest.mark.django_db


def live_url(document, name="live_beat"):
    return reverse(f"wiki:{name}", args=[document.programme.slug, document.pk])


def beat(client, document, *, page="page1", editing=False, base=None):
    return client.post(
        live_url(document),
        {"page": page, "editing": "1" if editing else "0", "base": base or document.head_id},
    )


@pytest.fixture(autouse=True)
def _empty_live_cache():
    caches["live"].clear()
    yield
    caches["live"].clear()


@pytest.fixture
def document(world, make_document):
    return make_document(
        world, title="Roosteren", body="Eerste regel.\nTweede regel.\nDerde regel.\n"
    )


def named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save()
    return user


def test_two_people_see_each_other_and_who_is_editing(client, world, document):
    anouk = named(world.contributor, "Anouk", "Visser")
    client.force_login(anouk)
    assert beat(client, document, editing=True).json()["count"] == 0  # nobody else yet

    client.force_login(world.observer)
    answer = beat(client, document, page="page2").json()
    assert answer["count"] == 1
    assert (
        f"Anouk Visser ({world.contributing_org.name}) is editing this document too"
        in (answer["people"])
    )

    client.force_login(anouk)
    answer = beat(client, document, editing=True).json()
    assert "is reading this document too" in answer["people"]
    assert "Anouk" not in answer["people"]  # not oneself


def test_someone_who_may_not_edit_is_shown_reading_even_from_an_editor(client, world, document):
    client.force_login(world.observer)
    beat(client, document, editing=True)
    client.force_login(world.contributor)
    assert "is reading this document too" in beat(client, document).json()["people"]


def test_presence_expires_by_itself_and_leaving_ends_it_at_once(client, world, document, settings):
    client.force_login(world.contributor)
    with time_machine.travel(time.time(), tick=False) as clock:
        beat(client, document, editing=True)
        client.force_login(world.lead)
        assert beat(client, document, page="lead").json()["count"] == 1
        clock.shift(settings.STIP_LIVE_TTL_SECONDS + 1)
        assert beat(client, document, page="lead").json()["count"] == 0

    client.force_login(world.contributor)
    beat(client, document, page="tab")
    client.post(live_url(document, "live_leave"), {"page": "tab"})
    client.force_login(world.lead)
    assert beat(client, document, page="lead").json()["count"] == 0


def test_one_cannot_end_another_persons_presence(client, world, document):
    client.force_login(world.contributor)
    beat(client, document, page="theirs")
    client.force_login(world.observer)
    client.post(live_url(document, "live_leave"), {"page": "theirs"})
    assert beat(client, document, page="mine").json()["count"] == 1


def test_nobody_who_may_not_read_the_programme_sees_or_is_seen(client, closed_world, make_document):
    document = make_document(closed_world, title="Geheim")
    client.force_login(closed_world.contributor)
    beat(client, document, editing=True)

    client.force_login(closed_world.outsider)
    assert beat(client, document, page="outsider").status_code == 404
    response = client.get(reverse("wiki:live_programme", args=[document.programme.slug]))
    assert response.status_code == 404

    client.logout()
    assert beat(client, document, page="anonymous").status_code == 404

    client.force_login(closed_world.observer)
    assert beat(client, document, page="observer").json()["count"] == 1  # only the contributor


def test_anonymous_readers_of_an_open_programme_neither_see_nor_are_seen(client, world, document):
    client.force_login(world.contributor)
    beat(client, document, editing=True)
    client.logout()
    assert beat(client, document, page="anonymous").status_code == 403
    page = client.get(document.get_absolute_url())
    assert "data-live" not in page.text

    client.force_login(world.lead)
    assert beat(client, document, page="lead").json()["count"] == 1


def test_the_editor_is_told_who_saved_since_with_a_link_to_their_change(client, world, document):
    base = document.head_id
    bram = named(world.lead, "Bram", "de Vries")
    services.document_save(
        document=document,
        body="Eerste regel.\nTweede regel, aangevuld.\nDerde regel.\n",
        base_version_id=base,
        author=bram,
    )
    document.refresh_from_db()
    client.force_login(world.contributor)
    saved = beat(client, document, editing=True, base=base).json()["saved"]
    assert saved["version"] == document.head_id
    assert saved["text"].startswith(f"Bram de Vries ({world.contributing_org.name}) saved")
    diff = client.get(saved["diff_url"])
    assert diff.status_code == 200
    assert "aangevuld" in diff.text

    assert beat(client, document, editing=True, base=document.head_id).json()["saved"] is None


def test_merge_offer_merges_their_change_into_my_text_without_saving(client, world, document):
    base = document.head_id
    services.document_save(
        document=document,
        body="Eerste regel, van hen.\nTweede regel.\nDerde regel.\n",
        base_version_id=base,
        author=world.lead,
    )
    document.refresh_from_db()
    client.force_login(world.contributor)
    answer = client.post(
        live_url(document, "live_merge"),
        {
            "title": "Roosteren",
            "body": "Eerste regel.\nTweede regel.\nDerde regel, van mij.\n",
            "base_version": base,
        },
    ).json()
    assert answer["overlap"] is False
    assert answer["body"] == "Eerste regel, van hen.\nTweede regel.\nDerde regel, van mij.\n"
    assert answer["base_version"] == document.head_id
    assert (
        Document.objects.get(pk=document.pk).body
        == "Eerste regel, van hen.\nTweede regel.\nDerde regel.\n"
    )


def test_overlapping_merge_offer_keeps_my_text_and_shows_both(client, world, document):
    base = document.head_id
    services.document_save(
        document=document,
        body="Eerste regel, van hen.\nTweede regel.\nDerde regel.\n",
        base_version_id=base,
        author=world.lead,
    )
    client.force_login(world.contributor)
    mine = "Eerste regel, van mij.\nTweede regel.\nDerde regel.\n"
    answer = client.post(
        live_url(document, "live_merge"),
        {"title": "Roosteren", "body": mine, "base_version": base},
    ).json()
    assert answer["overlap"] is True
    assert answer["body"] == mine
    assert answer["base_version"] == base  # saving still meets the conflict page
    assert "hen" in answer["html"] and "mij" in answer["html"]


def test_observer_gets_no_merge_offer(client, world, document):
    client.force_login(world.observer)
    response = client.post(
        live_url(document, "live_merge"),
        {"title": "Roosteren", "body": "x", "base_version": document.head_id},
    )
    assert response.status_code == 403


def test_programme_page_lists_the_documents_being_edited_now(client, world, document):
    client.force_login(world.contributor)
    beat(client, document, editing=True)
    client.force_login(world.observer)
    answer = client.get(reverse("wiki:live_programme", args=[world.programme.slug])).json()
    assert answer["count"] == 1
    assert "Roosteren" in answer["html"] and "being edited by" in answer["html"]
    page = client.get(reverse("wiki:programme", args=[world.programme.slug]))
    assert "Being edited now" in page.text


def test_presence_works_on_the_database_of_the_embedded_default(client, world, document):
    table = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "stip_live_cache",
    }
    with override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "live": table,
        }
    ):
        client.force_login(world.contributor)
        beat(client, document, editing=True)
        client.force_login(world.observer)
        answer = beat(client, document, page="observer").json()
    assert answer["count"] == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_redis():
    """A redis-server of this test's own, to stop in the middle of it."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs redis-server")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own fixed arguments
        [binary, "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield process, f"redis://127.0.0.1:{port}/0"
    if process.poll() is None:
        process.kill()
    process.wait()


def test_with_redis_down_the_live_parts_go_quiet_and_saving_works(
    client, world, document, own_redis
):
    process, url = own_redis
    redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    with override_settings(CACHES={"default": local, "live": redis}):
        client.force_login(world.contributor)
        beat(client, document, page="contributor", editing=True)
        client.force_login(world.lead)
        assert beat(client, document, page="lead").json()["count"] == 1

        process.kill()
        process.wait()
        answer = beat(client, document, page="lead")
        assert answer.status_code == 200
        assert answer.json()["count"] == 0
        programme = client.get(reverse("wiki:live_programme", args=[world.programme.slug]))
        assert programme.status_code == 200

        edit = client.get(document.get_absolute_url() + "edit/")
        assert edit.status_code == 200
        saved = client.post(
            document.get_absolute_url() + "edit/",
            {
                "title": "Roosteren",
                "body": "Opgeslagen zonder Redis.\n",
                "summary": "",
                "base_version": document.head_id,
            },
        )
    assert saved.status_code == 302
    assert Document.objects.get(pk=document.pk).body == "Opgeslagen zonder Redis.\n"
