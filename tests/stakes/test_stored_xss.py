"""No hostile text typed into the new inputs (an entry's explanation, a proposal's title, text,
options and outcome, an answer's remarks, a comment) becomes script on any page that shows it,
nor in the annex that lists the decisions. Each page is parsed as a browser would
(tests/hardening/test_stored_xss.py's checker)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from participation.notifications import notifications_deliver_instant
from stakes import services
from tests.hardening.payloads import PAYLOADS
from tests.hardening.test_stored_xss import assert_safe
from timeboxes import annex
from timeboxes import services as timeboxes

pytestmark = pytest.mark.django_db

HOSTILE = "\n".join(PAYLOADS)


def test_hostile_text_in_entries_proposals_answers_and_comments_never_runs(
    client, world, main, second, django_capture_on_commit_callbacks
):
    services.stake_record(
        document=main,
        kind="risk",
        direction="cost",
        size=2,
        explanation=HOSTILE[: services.MAX_EXPLANATION],
        author=world.contributor,
    )
    mail.outbox.clear()
    proposals = []
    with django_capture_on_commit_callbacks(execute=True):  # notifications, fanned out
        _propose_hostile(world, main, second, proposals)
    client.force_login(world.observer)
    notifications = client.get("/notifications/").content.decode()
    assert "proposed a decision" in notifications
    assert_safe(notifications, "notifications")
    notifications_deliver_instant()
    assert any("proposed a decision" in m.body for m in mail.outbox)
    for message in mail.outbox:
        for html, _type in getattr(message, "alternatives", []):
            assert_safe(html, f"e-mail to {message.to}")

    client.force_login(world.lead)
    slug = world.programme.slug
    pages = [
        f"/p/{slug}/stakes/",
        f"/p/{slug}/stakes/d/{main.slug}/",
        f"/p/{slug}/stakes/{main.stakes.get().pk}/history/",
        f"/p/{slug}/decisions/",
        f"/p/{slug}/decisions/?q=script",
        f"/p/{slug}/decisions/escalated/",
        f"/p/{slug}/d/{main.slug}/",
        *[p.get_absolute_url() for p in proposals[:5]],
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_safe(response.content.decode(), url)

    timebox = timeboxes.timebox_create(
        programme=world.programme,
        by=world.lead,
        name="Fase",
        starts_at=timezone.now(),
        deadline=timezone.now() + timedelta(days=3),
        subtrees=[main],
    )
    baseline = timeboxes.timebox_close(timebox=timebox, by=world.lead, outcome="Klaar")
    for appendix in annex.build(baseline).appendices:
        assert_safe(appendix.html, appendix.title)


def test_hostile_text_typed_in_the_form_is_kept_when_refused(client, world, main):
    """Bad input: a clear message, nothing changed, nothing typed thrown away."""
    client.force_login(world.contributor)
    response = client.post(
        f"/p/{world.programme.slug}/stakes/d/{main.slug}/",
        {"direction": "cost", "kind": "risk", "explanation": "<script>alert(1)</script> uitleg"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give a rough size or an amount in euros." in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; uitleg" in page
    assert_safe(page, "refused form")
    assert not main.stakes.exists()


def _propose_hostile(world, main, second, proposals: list) -> None:
    for n, payload in enumerate(PAYLOADS[:40]):
        proposals.append(
            services.proposal_create(
                programme=world.programme,
                by=world.lead,
                title=payload[:200],
                text=HOSTILE,
                options=PAYLOADS[n : n + 5],
                documents=[main],
                deadline=timezone.now() + timedelta(days=2),
            )
        )
    first = proposals[0]
    services.answer_give(proposal=first, by=second, choice="object", remarks=HOSTILE[:2000])
    services.objection_escalate(answer=first.answers.get(), by=second)
    services.proposal_comment_add(proposal=first, author=world.observer, body=HOSTILE[:2000])
    services.proposal_decide(proposal=proposals[1], by=world.lead, outcome=HOSTILE)
