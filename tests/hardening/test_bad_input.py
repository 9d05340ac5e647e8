"""Bad input gets a clear, translated answer and changes nothing; nothing typed is lost.

- An id sent in a form or the query string that is no number: 400 with a message, never 500.
- One limit for a document's text (`STIP_MAX_TEXT_LENGTH`) on the site and in the API: a text
  over it comes back with the message (the site keeps it in the form); a request too large to
  read at all is answered with 413, as JSON in the API and as a translated page on the site.
"""

import json

import pytest
from django.conf import settings
from django.urls import reverse

from participation.models import AffiliationRequest, JoinRequest, Notification
from tests import factories
from tests.api.conftest import ApiClient
from wiki.models import Document

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LIMIT = settings.STIP_MAX_TEXT_LENGTH
BAD_IDS = ["abc", "1; DROP TABLE x", "-1", "0", "1.5", "٣", "9" * 30, " "]


def _bad_request(response, *, message="id that is not valid") -> None:
    assert response.status_code == 400, response.status_code
    assert message in response.content.decode()


@pytest.fixture
def newcomer_request(world):
    return factories.asking_to_join(
        world.programme, organisation="Nieuwe School", username="newcomer"
    )


@pytest.mark.parametrize("bad", BAD_IDS)
def test_posted_ids_that_are_no_number_answer_400_and_change_nothing(
    client, world, newcomer_request, bad
):
    client.force_login(world.lead)
    affiliations = client.post(
        reverse("participation:affiliations"), {"request": bad, "decision": "confirm"}
    )
    requests = client.post(
        reverse("participation:requests", args=[world.programme.slug]),
        {"request": bad, "decision": "approve"},
    )
    read = client.post(reverse("participation:notifications_read"), {"id": [bad]})

    _bad_request(affiliations)
    _bad_request(requests)
    _bad_request(read)
    newcomer_request.refresh_from_db()
    assert newcomer_request.status == JoinRequest.Status.PENDING
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    assert not AffiliationRequest.objects.exclude(status="pending").exists()


def test_a_missing_id_is_a_bad_request_too(client, world):
    client.force_login(world.lead)
    _bad_request(client.post(reverse("participation:affiliations"), {"decision": "confirm"}))


def test_the_message_is_translated(client, world):
    client.force_login(world.lead)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"  # the reader chose Dutch
    response = client.post(
        reverse("participation:affiliations"), {"request": "abc", "decision": "confirm"}
    )
    _bad_request(response, message="ongeldig nummer")


def test_ids_in_addresses_that_are_no_number_answer_400(client, world, make_document):
    main = make_document(world, title="Onderwijs", kind=Document.Kind.MAIN_PROCESS)
    work = make_document(world, title="Plannen", kind=Document.Kind.WORK_PROCESS, parent=main)
    document = make_document(
        world, title="Roosteren", kind=Document.Kind.USE_CASE, parent=work, body="Tekst.\n"
    )
    baseline = factories.closed_timebox(world.programme, world.lead, [document])
    slug = world.programme.slug
    client.force_login(world.lead)
    pages = [
        reverse("wiki:history", args=[slug, document.slug]) + "?before=abc",
        reverse("wiki:diff", args=[slug, document.slug]) + "?from=abc",
        reverse("wiki:diff", args=[slug, document.slug]) + "?to=x1",
        reverse("usecases:diff", args=[slug, document.slug]) + "?from=abc",
        reverse("timeboxes:baseline_compare", args=[slug, baseline.pk]) + "?with=abc",
    ]
    for page in pages:
        _bad_request(client.get(page))
    # A number that names nothing is still "not found", also when it is far too large.
    huge = reverse("wiki:diff", args=[slug, document.slug]) + "?from=" + "9" * 18
    assert client.get(huge).status_code == 404


def test_the_api_and_the_editor_share_one_limit_for_a_text(client, world, make_document):
    document = make_document(world, title="Visie", body="Kort.\n")
    over = "x" * (LIMIT + 1)
    api = ApiClient()
    sent = api.put(
        f"programmes/{world.programme.slug}/documents/{document.slug}/",
        {"base_version_id": document.head_id, "body": over},
        user=world.contributor,
    )
    client.force_login(world.contributor)
    edited = client.post(
        reverse("wiki:edit", args=[world.programme.slug, document.slug]),
        {"title": "Visie", "body": over, "base_version": document.head_id},
    )

    schema = api.get("schema/").json()["components"]["schemas"]

    assert sent.status_code == 400
    assert "at most 500,000 fit" in sent.json()["errors"]["body"][0]
    for shape in ("DocumentCreateIn", "DocumentUpdateIn"):  # documented as the one limit
        assert schema[shape]["properties"]["body"]["maxLength"] == LIMIT
    assert edited.status_code == 400
    assert "at most 500,000 fit" in edited.content.decode()
    assert f'maxlength="{LIMIT}"' in edited.content.decode()
    document.refresh_from_db()
    assert document.body == "Kort.\n"


def test_a_web_edit_of_five_megabytes_comes_back_with_its_text(client, world, make_document):
    document = make_document(world, title="Visie", body="Kort.\n")
    typed = ("Een lange alinea over roosters. " * 160_000)[:5_000_000]
    client.force_login(world.contributor)

    response = client.post(
        reverse("wiki:edit", args=[world.programme.slug, document.slug]),
        {"title": "Visie", "body": typed, "base_version": document.head_id},
    )

    assert response.status_code == 400
    assert response.context["form"]["body"].value() == typed  # shown again, to shorten
    assert "5,000,000 characters" in response.content.decode()
    document.refresh_from_db()
    assert document.body == "Kort.\n"


def test_a_request_too_large_to_read_answers_413_in_words_and_json(client, world, make_document):
    document = make_document(world, title="Visie", body="Kort.\n")
    huge = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    client.force_login(world.contributor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"  # the reader chose Dutch

    page = client.post(
        reverse("wiki:edit", args=[world.programme.slug, document.slug]),
        {"title": "Visie", "body": huge, "base_version": document.head_id},
    )
    api = ApiClient().client.put(
        f"/api/v1/programmes/{world.programme.slug}/documents/{document.slug}/",
        json.dumps({"base_version_id": document.head_id, "body": huge}),
        content_type="application/json",
    )

    assert page.status_code == 413
    assert page["Content-Type"].startswith("text/html")
    assert "Er is niets opgeslagen" in page.content.decode()
    assert api.status_code == 413
    assert api["Content-Type"].startswith("application/json")
    assert "500,000" in api.json()["detail"]
    assert Document.objects.get(pk=document.pk).body == "Kort.\n"


def test_a_use_case_whose_fields_make_too_long_a_text_is_refused(world, make_document):
    main = make_document(world, title="Onderwijs", kind=Document.Kind.MAIN_PROCESS)
    work = make_document(world, title="Plannen", kind=Document.Kind.WORK_PROCESS, parent=main)

    response = ApiClient().post(
        f"programmes/{world.programme.slug}/usecases/",
        {"parent": work.slug, "title": "Rooster ruilen", "scope": "x " * (LIMIT // 2 + 10)},
        user=world.contributor,
    )

    assert response.status_code == 400
    assert "at most 500,000 fit" in response.json()["errors"]["body"][0]
    assert not Document.objects.filter(title="Rooster ruilen").exists()
