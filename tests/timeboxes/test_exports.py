"""Building a baseline's annex: on a real Celery worker on Redis, kept once built, progress on the
baseline page, the download only for who may read the programme, and a build whose worker died
completed by the sweeper."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from tests.worker import celery_redis, celery_worker_redis  # noqa: F401
from timeboxes import services
from timeboxes.models import BaselineExport
from timeboxes.tasks import baseline_exports_sweep_task


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def closed_baseline(world, make_document, programme=None):
    from wiki.models import Document

    programme = programme or world.programme
    vision = make_document(
        world, title="Visie", body="# Visie\n\nDe visie.\n", kind=Document.Kind.VISION
    )
    now = timezone.now()
    timebox = services.timebox_create(
        programme=programme,
        by=world.lead,
        name="Visiefase",
        starts_at=now - timedelta(hours=1),
        deadline=now + timedelta(days=1),
        documents=[vision],
    )
    return services.timebox_close(timebox=timebox, by=world.lead, outcome="Vastgesteld.")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_export_is_built_by_the_worker_and_then_kept(
    celery_worker_redis,  # noqa: F811
    world,
    make_document,
    client,
):
    baseline = closed_baseline(world, make_document)
    export = services.baseline_export_request(
        baseline=baseline, by=world.observer, format="pdf", language="nl"
    )
    celery_worker_redis.wait_for(
        lambda: BaselineExport.objects.get(pk=export.pk).status == BaselineExport.Status.READY,
        timeout=60,
    )
    export.refresh_from_db()
    assert export.attempt == 1 and export.pages >= 3 and export.size > 10_000
    assert default_storage.open(export.file.name).read(5) == b"%PDF-"
    again = services.baseline_export_request(
        baseline=baseline, by=world.contributor, format="pdf", language="nl"
    )
    celery_worker_redis.drain()
    again.refresh_from_db()
    assert (again.pk, again.attempt, again.file.name) == (export.pk, 1, export.file.name)
    client.force_login(world.observer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"  # the reader chose Dutch
    url = reverse(
        "timeboxes:baseline_export_download", args=[world.programme.slug, baseline.pk, "pdf"]
    )
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "visiefase" in response["Content-Disposition"]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_build_whose_worker_died_is_completed_by_the_sweeper(
    celery_redis,  # noqa: F811
    world,
    make_document,
):
    baseline = closed_baseline(world, make_document)
    long_ago = timezone.now() - timedelta(hours=1)
    # What a worker killed mid-build leaves: "building", progress half way, a heartbeat gone
    # stale, and the task's message gone with it.
    export = BaselineExport.objects.create(
        baseline=baseline,
        format="docx",
        language="en",
        status=BaselineExport.Status.BUILDING,
        attempt=1,
        done=1,
        total=2,
        requested_at=long_ago,
        started_at=long_ago,
        heartbeat_at=long_ago,
    )
    baseline_exports_sweep_task.delay()
    celery_redis.start_worker()
    celery_redis.wait_for(
        lambda: BaselineExport.objects.get(pk=export.pk).status == BaselineExport.Status.READY,
        timeout=60,
    )
    export.refresh_from_db()
    assert export.attempt == 2 and export.file.name.endswith("-en-2.docx")
    assert default_storage.open(export.file.name).read(2) == b"PK"
    baseline_exports_sweep_task.delay()  # a second beat finds nothing to do
    celery_redis.drain()
    export.refresh_from_db()
    assert export.attempt == 2


@pytest.mark.django_db
def test_build_is_idempotent_and_a_fresh_build_in_progress_is_left_alone(world, make_document):
    baseline = closed_baseline(world, make_document)
    export = BaselineExport.objects.create(baseline=baseline, format="pdf", language="en")
    built = services.baseline_export_build(export_id=export.pk)
    assert built.status == BaselineExport.Status.READY and built.attempt == 1
    assert services.baseline_export_build(export_id=export.pk).attempt == 1
    busy = BaselineExport.objects.create(
        baseline=baseline,
        format="docx",
        language="en",
        status=BaselineExport.Status.BUILDING,
        attempt=1,
        heartbeat_at=timezone.now(),
    )
    assert services.baseline_export_build(export_id=busy.pk).status == "building"
    assert services.baseline_exports_sweep() == 0


@pytest.mark.django_db
def test_baseline_page_shows_the_progress_of_a_build(world, make_document, client):
    baseline = closed_baseline(world, make_document)
    BaselineExport.objects.create(
        baseline=baseline,
        format="pdf",
        language="en",
        status=BaselineExport.Status.BUILDING,
        attempt=1,
        done=120,
        total=300,
        heartbeat_at=timezone.now(),
    )
    client.force_login(world.contributor)
    page = client.get(baseline.get_absolute_url(), headers={"accept-language": "en"})
    content = page.content.decode()
    assert '<progress max="100" value="40"' in content
    assert "Being made: 120 of 300 documents" in content
    status = client.get(
        reverse(
            "timeboxes:baseline_export_status", args=[world.programme.slug, baseline.pk, "pdf"]
        ),
        headers={"accept-language": "en"},
    ).json()
    assert status == {
        "status": "building",
        "percent": 40,
        "message": "Being made: 120 of 300 documents…",
        "download_url": None,
    }


@pytest.mark.django_db
def test_asking_for_an_export_on_the_page_builds_it(
    world, make_document, client, django_capture_on_commit_callbacks
):
    baseline = closed_baseline(world, make_document)
    client.force_login(world.observer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"  # the reader chose Dutch
    url = reverse(
        "timeboxes:baseline_export_request", args=[world.programme.slug, baseline.pk, "docx"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    export = BaselineExport.objects.get(baseline=baseline, format="docx")
    assert (export.language, export.status) == ("nl", BaselineExport.Status.READY)
    page = client.get(baseline.get_absolute_url())
    assert "Word (.docx) downloaden" in page.content.decode()


@pytest.mark.django_db
def test_only_who_may_read_the_programme_downloads_the_export(closed_world, make_document, client):
    baseline = closed_baseline(closed_world, make_document)
    export = BaselineExport.objects.create(baseline=baseline, format="pdf", language="en")
    services.baseline_export_build(export_id=export.pk)
    url = reverse(
        "timeboxes:baseline_export_download", args=[closed_world.programme.slug, baseline.pk, "pdf"]
    )
    headers = {"accept-language": "en"}
    assert client.get(url, headers=headers).status_code == 404  # anonymous: hidden
    client.force_login(closed_world.outsider)
    assert client.get(url, headers=headers).status_code == 404
    client.force_login(closed_world.observer)
    assert client.get(url, headers=headers).status_code == 200


@pytest.mark.django_db
def test_anonymous_reader_cannot_start_a_build(world, make_document, client):
    baseline = closed_baseline(world, make_document)
    url = reverse(
        "timeboxes:baseline_export_request", args=[world.programme.slug, baseline.pk, "pdf"]
    )
    response = client.post(url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert not BaselineExport.objects.exists()


@pytest.mark.django_db
def test_baseline_api_gives_each_documents_own_version_number(world, make_document, client):
    baseline = closed_baseline(world, make_document)
    api = f"/api/v1/programmes/{world.programme.slug}/baselines/{baseline.pk}/"
    (document,) = client.get(api).json()["documents"]
    assert document["version_number"] == 1
    assert document["version_id"] == baseline.heads[str(document["document_id"])]


@pytest.mark.django_db
def test_building_an_annex_fetches_nothing_from_elsewhere(world, make_document, monkeypatch):
    """A picture in a document that points elsewhere is left out of the PDF: the server that
    lays it out never connects anywhere on a writer's behalf."""
    import socket

    from timeboxes import exports
    from wiki.models import Document

    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))
    vision = make_document(
        world,
        title="Visie",
        body="![Plaatje](http://203.0.113.7/plaatje.png)\n\nTekst.\n",
        kind=Document.Kind.VISION,
    )
    now = timezone.now()
    timebox = services.timebox_create(
        programme=world.programme,
        by=world.lead,
        name="Fase",
        starts_at=now - timedelta(hours=1),
        deadline=now + timedelta(days=1),
        documents=[vision],
    )
    baseline = services.timebox_close(timebox=timebox, by=world.lead, outcome="Klaar.")
    built = exports.baseline_pdf(baseline)
    assert built.content.startswith(b"%PDF-") and attempts == []
    assert exports.local_resource("http://203.0.113.7/plaatje.png") is None
