"""Timeboxes on the site and in the API: creating, the freeze as a person meets it (the text
they typed comes back), closing, and the baseline's pages and exports."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import ApiClient
from timeboxes import services
from timeboxes.models import Timebox

pytestmark = pytest.mark.django_db


def url(name, world, *args):
    return reverse(f"timeboxes:{name}", args=[world.programme.slug, *args])


def test_lead_creates_timebox_through_the_form_in_programme_time(clock, client, world, scope):
    client.force_login(world.lead)
    response = client.post(
        url("create", world),
        {
            "name": "Specificatiefase",
            "goal": "Use cases agreed",
            "starts_at": "2026-03-02T10:00",
            "deadline": "2026-03-20T17:00",
            "subtrees": [scope["main"].pk],
            "reminders": "7d, 2d, 1h",
        },
    )
    timebox = Timebox.objects.get()
    assert response.status_code == 302 and response["Location"] == timebox.get_absolute_url()
    assert timebox.deadline == timebox.local(timebox.deadline).replace(
        year=2026, month=3, day=20, hour=17, minute=0
    )
    assert timebox.deadline.utcoffset() is not None
    assert timebox.reminder_offsets == [7 * 86400, 2 * 86400, 3600]
    page = client.get(timebox.get_absolute_url())
    assert "20 March 2026 17:00" in page.content.decode()


def test_form_with_bad_reminders_keeps_what_was_typed(clock, client, world, scope):
    client.force_login(world.lead)
    response = client.post(
        url("create", world),
        {
            "name": "Fase twee",
            "starts_at": "2026-03-02T10:00",
            "deadline": "2026-03-20T17:00",
            "subtrees": [scope["main"].pk],
            "reminders": "7d, soon",
        },
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "“soon” is not a time before the deadline" in content
    assert 'value="Fase twee"' in content
    assert not Timebox.objects.exists()


@pytest.mark.parametrize("role", ["contributor", "observer", "outsider"])
def test_only_leads_see_the_new_timebox_form(clock, client, world, role):
    client.force_login(world.person(role))
    assert client.get(url("create", world)).status_code == 403


def test_members_only_programme_hides_its_timeboxes(clock, client, closed_world):
    client.force_login(closed_world.outsider)
    assert client.get(url("list", closed_world)).status_code == 404


def test_frozen_document_edit_page_refuses_and_keeps_the_text(
    clock, client, world, scope, make_timebox
):
    timebox = make_timebox(days=1)
    clock.move_to(timebox.deadline + timedelta(minutes=1))
    client.force_login(world.contributor)
    document = scope["work"]
    response = client.post(
        reverse("wiki:edit", args=[world.programme.slug, document.slug]),
        {
            "title": document.title,
            "body": "Mijn late aanvulling die niet verloren mag gaan.",
            "base_version": document.head_id,
            "summary": "",
        },
    )
    content = response.content.decode()
    assert response.status_code == 403
    assert "Frozen since" in content and "Specificatiefase" in content
    assert "Mijn late aanvulling die niet verloren mag gaan." in content
    document.refresh_from_db()
    assert document.body == "Rooster.\n"


def test_frozen_document_update_through_the_api_is_refused(clock, world, scope, make_timebox):
    timebox = make_timebox(days=1)
    clock.move_to(timebox.deadline + timedelta(minutes=1))
    document = scope["work"]
    response = ApiClient().put(
        f"programmes/{world.programme.slug}/documents/{document.slug}/",
        {"body": "Te laat via de API.", "base_version_id": document.head_id, "summary": ""},
        user=world.contributor,
    )
    assert response.status_code == 409
    assert "Frozen since" in response.json()["detail"]
    document.refresh_from_db()
    assert document.body == "Rooster.\n"


def test_programme_timeline_and_document_banner_show_time_left(
    clock, client, world, scope, make_timebox
):
    make_timebox(days=3)
    page = client.get(url("list", world)).content.decode()
    assert "<svg" in page and "Specificatiefase" in page and "3\xa0days left" in page
    from django.template import Context, Template

    banner = Template('{% include "timeboxes/includes/banner.html" %}').render(
        Context({"document": scope["work"], "programme": world.programme})
    )
    assert "Specificatiefase" in banner and "3\xa0days left" in banner
    outside = Template('{% include "timeboxes/includes/banner.html" %}').render(
        Context({"document": scope["outside"], "programme": world.programme})
    )
    assert "Specificatiefase" not in outside


def test_lead_closes_with_checklist_and_browses_compares_and_exports_the_baseline(
    clock, client, world, scope, make_timebox
):
    from wiki import services as wiki

    timebox = make_timebox(days=1)
    clock.shift(timedelta(hours=1))
    wiki.document_save(
        document=scope["work"],
        body="Rooster per week.\n",
        base_version_id=scope["work"].head_id,
        author=world.contributor,
    )
    clock.move_to(timebox.deadline + timedelta(minutes=1))
    client.force_login(world.lead)
    checklist = client.get(url("close", world, timebox.pk)).content.decode()
    assert "Closing checklist" in checklist and "Roosteren" in checklist
    assert "open Contributing College" in checklist
    refused = client.post(url("close", world, timebox.pk), {"outcome": ""})
    assert refused.status_code == 400
    response = client.post(url("close", world, timebox.pk), {"outcome": "Rooster afgesproken."})
    baseline = timebox.baselines.get()
    assert response["Location"] == baseline.get_absolute_url()
    page = client.get(baseline.get_absolute_url()).content.decode()
    assert "Roosteren" in page and "Onderwijs" in page
    document_page = client.get(url("baseline_document", world, baseline.pk, scope["work"].slug))
    assert "Rooster per week." in document_page.content.decode()

    scope["work"].refresh_from_db()
    wiki.document_save(
        document=scope["work"],
        body="Rooster per dag.\n",
        base_version_id=scope["work"].head_id,
        author=world.contributor,
    )
    compare = client.get(url("baseline_compare", world, baseline.pk), {"with": "now"})
    content = compare.content.decode()
    assert "1 document differs" in content
    assert "<del>week</del>" in content and "<ins>dag</ins>" in content

    exported = client.get(url("baseline_export_html", world, baseline.pk))
    assert exported["Content-Disposition"].startswith("attachment")
    assert "Rooster per week." in exported.content.decode()
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(url("baseline_export_zip", world, baseline.pk)).content)
    )
    manifest = json.loads(archive.read("manifest.json"))
    files = {entry["file"]: entry for entry in manifest["documents"]}
    assert archive.read("roosteren.md").decode().endswith("Rooster per week.\n")
    assert files["roosteren.md"]["version_id"] == baseline.heads[str(scope["work"].pk)]
    assert manifest["outcome"] == "Rooster afgesproken."


def test_compare_two_baselines(clock, client, world, scope, make_timebox):
    from wiki import services as wiki

    timebox = make_timebox(days=1)
    first = services.timebox_close(timebox=timebox, by=world.lead, outcome="Een")
    services.timebox_reopen(
        timebox=timebox, by=world.lead, deadline=timezone.now() + timedelta(days=1), reason="Meer"
    )
    wiki.document_save(
        document=scope["main"],
        body="Tweede ronde.\n",
        base_version_id=scope["main"].head_id,
        author=world.contributor,
    )
    second = services.timebox_close(timebox=timebox, by=world.lead, outcome="Twee")
    content = client.get(
        url("baseline_compare", world, first.pk), {"with": second.pk}
    ).content.decode()
    assert "1 document differs" in content and "<ins>Tweede</ins>" in content
    # From the newer baseline's page too, the older stands on the left: new text is added.
    reverse_content = client.get(
        url("baseline_compare", world, second.pk), {"with": first.pk}
    ).content.decode()
    assert "<ins>Tweede</ins>" in reverse_content and "<del>Tweede</del>" not in reverse_content


def test_api_lead_creates_and_closes_timebox_contributor_may_not(clock, world, scope, make_timebox):
    api = ApiClient()
    path = f"programmes/{world.programme.slug}/timeboxes/"
    payload = {
        "name": "API-fase",
        "starts_at": timezone.now().isoformat(),
        "deadline": (timezone.now() + timedelta(days=5)).isoformat(),
        "subtrees": [scope["main"].slug],
    }
    assert api.post(path, payload, user=world.contributor).status_code == 403
    created = api.post(path, payload, user=world.lead)
    assert created.status_code == 201, created.content
    body = created.json()
    assert sorted(body["documents"]) == ["onderwijs", "roosteren"]
    closed = api.post(f"{path}{body['id']}/close/", {"outcome": "Klaar"}, user=world.lead)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = api.post(f"{path}{body['id']}/close/", {"outcome": "Nogmaals"}, user=world.lead)
    assert again.status_code == 409
    baseline = api.get(
        f"programmes/{world.programme.slug}/baselines/{closed.json()['baselines'][0]}/"
    ).json()
    assert {d["slug"] for d in baseline["documents"]} == {"onderwijs", "roosteren"}


def test_lead_extends_through_the_form_and_everyone_is_told(
    clock, client, world, scope, make_timebox, django_capture_on_commit_callbacks
):
    from django.core import mail

    timebox = make_timebox(days=1)
    client.force_login(world.lead)
    refused = client.post(url("extend", world, timebox.pk), {"deadline": "2026-03-10T17:00"})
    assert refused.status_code == 400
    assert "This field is required" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("extend", world, timebox.pk),
            {"deadline": "2026-03-10T17:00", "reason": "Twee scholen vroegen uitstel"},
        )
    assert response.status_code == 302
    timebox.refresh_from_db()
    assert timebox.local(timebox.deadline).strftime("%d %H:%M") == "10 17:00"
    assert {m.to[0] for m in mail.outbox if "was extended" in m.subject} == {
        world.lead.email,
        world.contributor.email,
    }
    page = client.get(timebox.get_absolute_url()).content.decode()
    assert "Twee scholen vroegen uitstel" in page


def test_reopening_an_open_timebox_is_refused_with_a_message(
    clock, client, world, scope, make_timebox
):
    timebox = make_timebox(days=1)
    client.force_login(world.lead)
    response = client.post(
        url("reopen", world, timebox.pk), {"deadline": "2026-03-10T17:00", "reason": "Waarom"}
    )
    assert response.status_code == 409
    assert "Only a closed timebox can be reopened" in response.content.decode()


def test_contributor_cannot_extend(clock, client, world, scope, make_timebox):
    timebox = make_timebox(days=1)
    client.force_login(world.contributor)
    response = client.post(
        url("extend", world, timebox.pk), {"deadline": "2026-03-10T17:00", "reason": "Ik wil"}
    )
    assert response.status_code == 403
    timebox.refresh_from_db()
    assert timebox.cycle == 1


def test_reminders_show_on_the_notifications_page_and_no_email_is_respected(
    clock, world, scope, make_timebox, client, django_capture_on_commit_callbacks
):
    from participation.models import Profile

    Profile.objects.update_or_create(
        user=world.contributor, defaults={"email_frequency": Profile.EmailFrequency.NEVER}
    )
    timebox = make_timebox(days=10)
    clock.move_to(timebox.deadline - timedelta(days=7) + timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.timeboxes_sweep()
    assert world.contributor.email not in {m.to[0] for m in mail.outbox}
    assert world.lead.email in {m.to[0] for m in mail.outbox}
    client.force_login(world.contributor)
    page = client.get("/notifications/").content.decode()
    assert (
        f"Timebox reminder, your organisation has not taken part yet: <strong>{timebox.name}"
        in page
    )
    assert 'class="notification unread"' in page


def test_timebox_notices_are_notifications_like_the_others(
    clock, world, scope, make_timebox, client, django_capture_on_commit_callbacks
):
    """In the unread count, marked read when opened, leading to the timebox, and their e-mail
    follows the person's setting for this kind (with a link that turns it off)."""
    from participation.models import Profile

    Profile.objects.update_or_create(user=world.contributor, defaults={"email_timeboxes": False})
    timebox = make_timebox(days=10)
    clock.move_to(timebox.deadline - timedelta(days=1) + timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.timeboxes_sweep()
    assert [m.to[0] for m in mail.outbox] == [world.lead.email]
    client.force_login(world.contributor)
    assert 'aria-label="1 unread">1</span>' in client.get("/").content.decode()
    api = ApiClient()
    listed = api.call("GET", "notifications/", user=world.contributor).json()["items"]
    assert [(n["kind"], n["subject"], n["url"], n["read"]) for n in listed] == [
        ("tb_not_taken_part", timebox.name, timebox.get_absolute_url(), False)
    ]
    opened = client.get(f"/notifications/{listed[0]['id']}/")
    assert opened.status_code == 302 and opened["Location"] == timebox.get_absolute_url()
    assert (
        api.call("GET", "notifications/", {"unread": "true"}, user=world.contributor).json()[
            "items"
        ]
        == []
    )
    assert "unread</span>" not in client.get("/").content.decode()
    assert (
        'aria-label="' not in client.get("/").content.decode().split("notifications-link")[1][:80]
    )

    # The lead's e-mail carries a link that stops timebox e-mail, and only that.
    link = re.search(r"(/unsubscribe/[^\s<>\"]+)", mail.outbox[0].body).group(1)
    assert client.post(link).status_code in (200, 302)
    lead = Profile.objects.get(user=world.lead)
    assert not lead.email_timeboxes and lead.email_edits
    mail.outbox.clear()
    clock.move_to(timebox.deadline + timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.timeboxes_sweep()
    assert mail.outbox == []  # "deadline passed" is not e-mailed to the lead any more...
    client.force_login(world.lead)
    page = client.get("/notifications/").content.decode()
    assert timebox.name in page  # ...but shown in the site


def test_document_banner_shows_every_running_timebox_in_two_queries(
    clock, world, scope, make_timebox, django_assert_num_queries
):
    from timeboxes.selectors import running_timeboxes

    for n in range(3):
        make_timebox(days=3 + n, name=f"Fase {n}")
    make_timebox(days=2, name="Elders", subtrees=[scope["outside"]])
    document = scope["work"]
    document.ancestors()  # loaded with the document on its page
    with django_assert_num_queries(2):
        names = [timebox.name for timebox in running_timeboxes(document=document)]
    assert names == ["Fase 0", "Fase 1", "Fase 2"]


def test_closing_shows_the_baseline_as_a_marker_in_history_not_as_a_version(
    clock, client, world, scope, make_timebox
):
    from reversion.models import Version

    from wiki import services as wiki

    timebox = make_timebox(days=1)
    document = scope["work"]
    wiki.document_save(
        document=document, body="Voor.\n", base_version_id=document.head_id, author=world.lead
    )
    services.timebox_close(timebox=timebox, by=world.lead, outcome="Klaar")
    services.timebox_reopen(
        timebox=timebox, by=world.lead, deadline=timezone.now() + timedelta(days=1), reason="Meer"
    )
    document.refresh_from_db()
    wiki.document_save(
        document=document, body="Na.\n", base_version_id=document.head_id, author=world.lead
    )
    document.refresh_from_db()
    recorded = Version.objects.get_for_object(document).get(revision__edit_meta__action="baseline")
    client.force_login(world.observer)
    history = client.get(reverse("wiki:history", args=[world.programme.slug, document.slug]))
    html = history.content.decode()
    assert html.count('class="history-marker"') == 1 and timebox.name in html
    assert f'value="{recorded.pk}"' not in html  # not a version to compare from or to
    rows = re.findall(r'<input type="radio" name="to" value="(\d+)"[^>]*?( checked)?>', html)
    assert rows[0] == (str(document.head_id), " checked")
    # "changes" of the newest version compares with the version before it, not the baseline
    diff = client.get(
        reverse("wiki:diff", args=[world.programme.slug, document.slug]),
        {"to": document.head_id},
    )
    assert "<del>Voor.</del>" in diff.content.decode() or "<del>Voor</del>" in diff.content.decode()


def test_a_baseline_is_named_in_the_readers_language_not_the_closing_leads(
    clock, client, world, scope, make_timebox
):
    """A lead who reads English closes a Dutch programme's timebox: Dutch readers see the
    baseline's name in Dutch, on its page, in the history's marker, in the annex and the API."""
    from django.conf import settings
    from django.utils import translation

    from timeboxes import exports

    timebox = make_timebox(days=1)
    with translation.override("en"):
        baseline = services.timebox_close(timebox=timebox, by=world.lead, outcome="Done")
    baseline.refresh_from_db()
    assert baseline.name == "Specificatiefase"
    with translation.override("nl"):
        dutch = baseline.title
        annex = exports.baseline_html(baseline)
    with translation.override("en"):
        english = baseline.title
    assert dutch == "Baseline “Specificatiefase” (2 maart 2026 09:01)"
    assert english == "Baseline “Specificatiefase” (2 March 2026 09:01)"
    assert dutch in annex and "March" not in annex
    client.force_login(world.observer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    page = client.get(baseline.get_absolute_url()).content.decode()
    assert f"<h1>{dutch}</h1>" in page
    document = scope["work"]
    history = client.get(reverse("wiki:history", args=[world.programme.slug, document.slug]))
    marker = re.search(r'<tr class="history-marker">(.*?)</tr>', history.content.decode(), re.S)
    assert "Specificatiefase" in marker.group(1) and "March" not in marker.group(1)
    api = ApiClient().call(
        "GET",
        f"programmes/{world.programme.slug}/baselines/{baseline.pk}/",
        user=world.observer,
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert api.json()["name"] == dutch


def test_a_timeboxs_reminders_read_as_words_in_the_readers_language(
    clock, client, world, scope, make_timebox
):
    from django.conf import settings

    timebox = make_timebox(days=10, reminder_offsets=[7 * 86400, 86400, 3600])
    client.force_login(world.observer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    page = client.get(timebox.get_absolute_url()).content.decode()
    assert "1 week, 1 dag, 1 uur voor de deadline" in page
