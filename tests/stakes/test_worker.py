"""Reminders and the deadline of a proposal as they run in production: beat's sweeper task on a
real Celery worker on real Redis, PostgreSQL's row locks, the task delivered twice. Time is
moved, not waited for."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from participation.models import Notification
from participation.tasks import outbox_sweep_task
from stakes import services
from stakes.models import Proposal, ProposalMilestone
from stakes.tasks import proposals_sweep_task
from wiki import services as wiki
from wiki.models import Document

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture
def moving_clock():
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


@pytest.fixture
def proposal(moving_clock, world, second):
    main = wiki.document_create(
        programme=world.programme,
        kind=Document.Kind.MAIN_PROCESS,
        title="Onderwijs plannen",
        body="Eerste versie.\n",
        author=world.lead,
    )
    proposal = services.proposal_create(
        programme=world.programme,
        by=world.lead,
        title="Eén roosterpakket",
        text="We kiezen één roosterpakket.",
        documents=[main],
        deadline=timezone.now() + timedelta(days=10),
    )
    services.answer_give(proposal=proposal, by=second, choice="consent")
    mail.outbox.clear()
    return proposal


def reminded(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_reminders_reach_only_organisations_that_have_not_answered_sharper_near_the_deadline(
    celery_worker_redis,  # noqa: F811
    moving_clock,
    world,
    proposal,
):
    moving_clock.move_to(proposal.deadline - timedelta(days=7) + timedelta(seconds=10))
    proposals_sweep_task.delay()
    proposals_sweep_task.delay()  # a second beat, or the same task delivered twice
    celery_worker_redis.wait_for(lambda: reminded("st_reminder"))
    celery_worker_redis.drain()
    # The organisation of lead and contributor has not answered; the second one has, and the
    # observer does not answer at all.
    assert reminded("st_reminder") == {world.lead.username, world.contributor.username}
    assert Notification.objects.filter(kind="st_reminder").count() == 2

    outbox_sweep_task.delay()
    celery_worker_redis.wait_for(lambda: any("has not answered" in m.body for m in mail.outbox))
    celery_worker_redis.drain()
    reminders = [m for m in mail.outbox if "has not answered" in m.body]
    assert {m.to[0] for m in reminders} == {world.lead.email, world.contributor.email}
    assert all("Eén roosterpakket" in m.body for m in reminders)

    moving_clock.move_to(proposal.deadline - timedelta(hours=1) + timedelta(seconds=10))
    proposals_sweep_task.delay()
    celery_worker_redis.wait_for(lambda: reminded("st_reminder_due"))
    celery_worker_redis.drain()
    assert reminded("st_reminder_due") == {world.lead.username, world.contributor.username}
    outcomes = dict(ProposalMilestone.objects.values_list("occasion", "outcome"))
    assert outcomes == {
        "reminder:604800": "done",
        "reminder:86400": "skipped",  # superseded: only the latest round goes out
        "reminder:3600": "done",
    }


def test_deadline_decides_the_proposal_once_and_tells_the_members(
    celery_worker_redis,  # noqa: F811
    moving_clock,
    world,
    proposal,
):
    moving_clock.move_to(proposal.deadline + timedelta(minutes=1))
    proposals_sweep_task.delay()
    proposals_sweep_task.delay()
    celery_worker_redis.wait_for(lambda: reminded("st_decided"))
    celery_worker_redis.drain()

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DECIDED
    assert proposal.decided_by is None
    assert proposal.outcome.startswith("Adopted by consent")
    assert ProposalMilestone.objects.filter(occasion="deadline").count() == 1
    assert world.observer.username in reminded("st_decided")
    assert not Notification.objects.filter(kind="st_reminder").exists()  # too late for those
    with pytest.raises(services.StakesError):
        services.answer_give(proposal=proposal, by=world.contributor, choice="consent")
