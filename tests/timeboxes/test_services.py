"""Timeboxes through their services: reminders, the freeze, closing with a baseline, extending
and reopening. Time is moved with time-machine; the sweeper is called as beat would call it."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from timeboxes import selectors, services
from timeboxes.models import Baseline, Milestone, Notice, Timebox, TimeboxEvent
from wiki import services as wiki
from wiki.models import EditMeta

pytestmark = pytest.mark.django_db


def recipients(subject_part: str) -> set[str]:
    return {m.to[0] for m in mail.outbox if subject_part in m.subject}


def test_lead_creates_open_timebox_with_subtree_scope(clock, world, scope, make_timebox):
    timebox = make_timebox()
    assert timebox.status == Timebox.Status.OPEN
    assert selectors.scope_document_ids(timebox) == {scope["main"].pk, scope["work"].pk}
    assert [e.kind for e in timebox.events.all()] == ["created", "opened"]


@pytest.mark.parametrize("role", ["contributor", "observer", "outsider"])
def test_only_leads_create_timeboxes(clock, world, scope, make_timebox, role):
    with pytest.raises(PermissionDenied):
        make_timebox(by=world.person(role))
    assert not Timebox.objects.exists()


def test_deadline_before_start_is_refused_with_a_message(clock, world, scope, make_timebox):
    with pytest.raises(ValidationError) as refused:
        make_timebox(days=-1)
    assert "deadline" in refused.value.message_dict
    assert not Timebox.objects.exists()


def test_reminders_fire_at_their_offsets_once(clock, world, scope, make_timebox):
    timebox = make_timebox(days=10)
    services.timeboxes_sweep()
    assert mail.outbox == []
    clock.move_to(timebox.deadline - timedelta(days=7) + timedelta(minutes=1))
    services.timeboxes_sweep()
    services.timeboxes_sweep()
    first_round = list(mail.outbox)
    assert {m.to[0] for m in first_round} == {world.lead.email, world.contributor.email}
    assert all("ends in 6" in m.subject or "ends in 7" in m.subject for m in first_round)
    clock.move_to(timebox.deadline - timedelta(days=1) + timedelta(seconds=30))
    services.timeboxes_sweep()
    clock.move_to(timebox.deadline - timedelta(hours=1))
    services.timeboxes_sweep()
    services.timeboxes_sweep()
    assert len(mail.outbox) == 6
    assert Notice.objects.filter(status=Notice.Status.SENT).count() == 6
    assert world.observer.email not in {m.to[0] for m in mail.outbox}


def test_organisation_that_has_not_taken_part_gets_the_sharper_reminder(
    clock, world, scope, make_timebox, second_org
):
    timebox = make_timebox(days=10)
    clock.shift(timedelta(days=1))
    wiki.document_save(
        document=scope["work"],
        body="Rooster, bijgewerkt.\n",
        base_version_id=scope["work"].head_id,
        author=world.contributor,
    )
    clock.move_to(timebox.deadline - timedelta(days=7))
    services.timeboxes_sweep()
    sharp = recipients("has not taken part")
    assert sharp == {second_org.email}
    assert recipients("Reminder") == {world.lead.email, world.contributor.email}
    message = next(m for m in mail.outbox if m.to == [second_org.email])
    assert "Roosteren" in message.body  # what changed so far


def test_organisation_that_only_commented_has_taken_part(
    clock, world, scope, make_timebox, second_org
):
    timebox = make_timebox(days=10)
    clock.shift(timedelta(hours=2))
    wiki.comment_add(document=scope["work"], author=second_org, body="Graag ook de avondlessen.")
    clock.move_to(timebox.deadline - timedelta(days=1))
    services.timeboxes_sweep()
    assert second_org.email in recipients("Reminder")
    assert world.contributor.email in recipients("has not taken part")


def test_observer_is_not_reminded_unless_watching(clock, world, scope, make_timebox):
    timebox = make_timebox(days=2)
    clock.move_to(timebox.deadline - timedelta(days=1))
    services.timeboxes_sweep()
    assert world.observer.email not in {m.to[0] for m in mail.outbox}


def test_no_seven_day_reminder_for_a_timebox_created_two_days_ahead(
    clock, world, scope, make_timebox
):
    timebox = make_timebox(days=2)
    services.timeboxes_sweep()
    assert mail.outbox == []
    clock.move_to(timebox.deadline - timedelta(days=1))
    services.timeboxes_sweep()
    assert len(mail.outbox) == 2


def test_after_downtime_only_the_latest_due_reminder_is_sent_and_stale_ones_logged(
    clock, world, scope, make_timebox, caplog
):
    timebox = make_timebox(days=10)
    clock.move_to(timebox.deadline - timedelta(minutes=30))
    with caplog.at_level(logging.WARNING, logger="stip.timeboxes"):
        report = services.timeboxes_sweep()
    assert report.reminders == 2  # the 1-hour round, to two people
    assert len(report.skipped) == 2
    assert "Skipped the reminder" in caplog.text
    outcomes = dict(Milestone.objects.values_list("occasion", "outcome"))
    assert outcomes == {
        "reminder:1:604800": "skipped",
        "reminder:1:86400": "skipped",
        "reminder:1:3600": "done",
    }


def test_a_reminder_later_than_its_own_offset_is_skipped(clock, world, scope, make_timebox):
    timebox = make_timebox(days=10, reminder_offsets=[3 * 86400])
    clock.move_to(timebox.deadline + timedelta(minutes=5))  # the worker was down until now
    report = services.timeboxes_sweep()
    assert report.skipped == [f"{timebox.pk}:reminder:1:259200"]
    assert report.frozen == 1
    assert [m.to for m in mail.outbox] == [[world.lead.email]]  # only "please close it"


def test_a_late_reminder_within_its_offset_is_still_sent(clock, world, scope, make_timebox):
    timebox = make_timebox(days=10, reminder_offsets=[3 * 86400])
    clock.move_to(timebox.deadline - timedelta(days=1))  # two days late, within three
    services.timeboxes_sweep()
    assert len(mail.outbox) == 2


def test_frozen_document_refuses_edit_and_keeps_the_text(clock, world, scope, make_timebox):
    timebox = make_timebox(days=1)
    clock.move_to(timebox.deadline + timedelta(seconds=1))
    with pytest.raises(wiki.DocumentFrozen) as refused:
        wiki.document_save(
            document=scope["work"],
            body="Te laat.\n",
            base_version_id=scope["work"].head_id,
            author=world.contributor,
        )
    assert "Frozen since" in refused.value.message
    assert "Specificatiefase" in refused.value.message
    scope["work"].refresh_from_db()
    assert scope["work"].body == "Rooster.\n"


@pytest.mark.parametrize(
    "change",
    [
        lambda d, w: wiki.document_rename(document=d, title="Nieuw", slug=None, author=w.lead),
        lambda d, w: wiki.document_move(document=d, parent=None, author=w.lead),
        lambda d, w: wiki.document_delete(document=d, by=w.lead),
        lambda d, w: wiki.document_revert(document=d, version_id=d.head_id, author=w.contributor),
    ],
    ids=["rename", "move", "delete", "revert"],
)
def test_frozen_document_refuses_rename_move_delete_revert(
    clock, world, scope, make_timebox, change
):
    timebox = make_timebox(days=1)
    clock.move_to(timebox.deadline)
    with pytest.raises(wiki.DocumentFrozen):
        change(scope["work"], world)


def test_edit_before_deadline_is_saved_and_outside_scope_stays_editable(
    clock, world, scope, make_timebox
):
    timebox = make_timebox(days=1)
    clock.move_to(timebox.deadline - timedelta(seconds=1))
    wiki.document_save(
        document=scope["work"],
        body="Op tijd.\n",
        base_version_id=scope["work"].head_id,
        author=world.contributor,
    )
    clock.move_to(timebox.deadline + timedelta(hours=1))
    wiki.document_save(
        document=scope["outside"],
        body="Mag.\n",
        base_version_id=scope["outside"].head_id,
        author=world.contributor,
    )
    scope["work"].refresh_from_db()
    assert scope["work"].body == "Op tijd.\n"


def test_creating_below_a_frozen_subtree_is_refused(clock, world, scope, make_timebox):
    from wiki.models import Document

    timebox = make_timebox(days=1)
    clock.move_to(timebox.deadline)
    with pytest.raises(wiki.DocumentFrozen):
        wiki.document_create(
            programme=world.programme,
            kind=Document.Kind.USE_CASE,
            title="Nieuw",
            body="",
            author=world.contributor,
            parent=scope["work"],
        )


def test_comments_stay_possible_after_the_deadline_unless_frozen_too(
    clock, world, scope, make_timebox
):
    timebox = make_timebox(days=1)
    clock.move_to(timebox.deadline)
    assert services.frozen_timebox_for(scope["work"], action="comment") is None
    timebox.freeze_discussion = True
    timebox.save()
    assert services.frozen_timebox_for(scope["work"], action="comment") == timebox


def test_frozen_discussion_refuses_comments_and_sign_offs_through_the_services(
    clock, world, scope, make_timebox
):
    from usecases import services as usecase_services
    from usecases.models import SignOff
    from wiki import services as wiki_services
    from wiki.models import Comment

    timebox = make_timebox(days=1, freeze_discussion=True)
    clock.move_to(timebox.deadline)
    with pytest.raises(wiki_services.DocumentFrozen):
        wiki_services.comment_add(document=scope["work"], author=world.observer, body="Te laat")
    with pytest.raises(wiki_services.DocumentFrozen):
        usecase_services.signoff_give(
            document=scope["work"],
            verdict=SignOff.Verdict.AGREE,
            remarks="",
            author=world.contributor,
        )
    assert not Comment.objects.filter(document=scope["work"]).exists()
    assert not SignOff.objects.filter(document=scope["work"]).exists()
    wiki_services.comment_add(document=scope["outside"], author=world.observer, body="Mag nog")


def test_deadline_freezes_once_and_asks_the_lead_to_close(clock, world, scope, make_timebox):
    timebox = make_timebox(days=1, reminder_offsets=[])
    clock.move_to(timebox.deadline + timedelta(minutes=1))
    services.timeboxes_sweep()
    services.timeboxes_sweep()
    assert timebox.events.filter(kind=TimeboxEvent.Kind.FROZEN).count() == 1
    assert [m.to for m in mail.outbox] == [[world.lead.email]]
    assert "please close it" in mail.outbox[0].subject


def test_baseline_holds_the_versions_at_close(clock, world, scope, make_timebox):
    timebox = make_timebox(days=1)
    clock.shift(timedelta(hours=1))
    saved = wiki.document_save(
        document=scope["work"],
        body="Afgesproken.\n",
        base_version_id=scope["work"].head_id,
        author=world.contributor,
    )
    clock.move_to(timebox.deadline + timedelta(minutes=5))
    baseline = services.timebox_close(timebox=timebox, by=world.lead, outcome="Rooster staat.")
    contents = {d.document_id: d.body for d in selectors.baseline_documents(baseline)}
    assert contents == {scope["main"].pk: "Eerste versie.\n", scope["work"].pk: "Afgesproken.\n"}
    assert baseline.heads[str(scope["work"].pk)] == saved.version.pk
    assert baseline.revision.edit_meta.action == EditMeta.Action.BASELINE
    assert "Specificatiefase" in baseline.revision.comment
    timebox.refresh_from_db()
    assert timebox.status == Timebox.Status.CLOSED and timebox.outcome == "Rooster staat."
    # After the close the documents are editable again, and the baseline does not change.
    wiki.document_save(
        document=scope["work"],
        body="Later.\n",
        base_version_id=saved.version.pk,
        author=world.contributor,
    )
    contents = {d.document_id: d.body for d in selectors.baseline_documents(baseline)}
    assert contents[scope["work"].pk] == "Afgesproken.\n"
    services.notices_deliver()
    closed = recipients("was closed")
    assert closed == {world.lead.email, world.contributor.email}


def test_closing_needs_an_outcome(clock, world, scope, make_timebox):
    timebox = make_timebox(days=1)
    with pytest.raises(ValidationError):
        services.timebox_close(timebox=timebox, by=world.lead, outcome="  ")
    assert not Baseline.objects.exists()


def test_contributor_cannot_close(clock, world, scope, make_timebox):
    timebox = make_timebox(days=1)
    with pytest.raises(PermissionDenied):
        services.timebox_close(timebox=timebox, by=world.contributor, outcome="Klaar")


def test_auto_close_at_the_deadline_records_a_baseline(clock, world, scope, make_timebox):
    timebox = make_timebox(days=1, auto_close=True, reminder_offsets=[])
    clock.move_to(timebox.deadline + timedelta(minutes=1))
    report = services.timeboxes_sweep()
    services.timeboxes_sweep()
    assert report.closed == 1
    timebox.refresh_from_db()
    assert timebox.status == Timebox.Status.CLOSED
    assert timebox.baselines.count() == 1


def test_extend_is_recorded_announced_and_unfreezes(clock, world, scope, make_timebox):
    timebox = make_timebox(days=1, reminder_offsets=[3600])
    clock.move_to(timebox.deadline + timedelta(minutes=1))
    services.timeboxes_sweep()
    mail.outbox.clear()
    new_deadline = timezone.now() + timedelta(days=3)
    services.timebox_extend(
        timebox=timebox, by=world.lead, deadline=new_deadline, reason="Twee scholen vroegen uitstel"
    )
    services.notices_deliver()
    event = timebox.events.get(kind=TimeboxEvent.Kind.EXTENDED)
    assert event.reason == "Twee scholen vroegen uitstel" and event.deadline_after == new_deadline
    assert recipients("was extended") == {world.lead.email, world.contributor.email}
    assert "Twee scholen vroegen uitstel" in mail.outbox[0].body
    wiki.document_save(
        document=scope["work"],
        body="Na uitstel.\n",
        base_version_id=scope["work"].head_id,
        author=world.contributor,
    )
    # The new deadline gets its own reminder round.
    mail.outbox.clear()
    clock.move_to(new_deadline - timedelta(minutes=59))
    services.timeboxes_sweep()
    assert len(recipients("Reminder") | recipients("has not taken part")) == 2


def test_extend_needs_a_reason_and_a_future_deadline(clock, world, scope, make_timebox):
    timebox = make_timebox(days=1)
    with pytest.raises(ValidationError) as refused:
        services.timebox_extend(
            timebox=timebox, by=world.lead, deadline=timezone.now() - timedelta(hours=1), reason=""
        )
    assert set(refused.value.message_dict) == {"reason", "deadline"}
    timebox.refresh_from_db()
    assert timebox.cycle == 1


def test_reopen_is_recorded_announced_and_closing_again_adds_a_baseline(
    clock, world, scope, make_timebox
):
    timebox = make_timebox(days=1)
    clock.move_to(timebox.deadline)
    services.timebox_close(timebox=timebox, by=world.lead, outcome="Eerste ronde")
    mail.outbox.clear()
    services.timebox_reopen(
        timebox=timebox,
        by=world.lead,
        deadline=timezone.now() + timedelta(days=2),
        reason="Nieuwe school erbij",
    )
    services.notices_deliver()
    assert recipients("was reopened") == {world.lead.email, world.contributor.email}
    assert timebox.events.filter(kind=TimeboxEvent.Kind.REOPENED, reason="Nieuwe school erbij")
    timebox.refresh_from_db()
    services.timebox_close(timebox=timebox, by=world.lead, outcome="Tweede ronde")
    assert timebox.baselines.count() == 2


def test_planned_timebox_opens_when_its_start_comes(clock, world, scope, make_timebox):
    timebox = make_timebox(starts_at=timezone.now() + timedelta(days=1), days=5)
    assert timebox.status == Timebox.Status.PLANNED
    clock.shift(timedelta(days=1, minutes=1))
    services.timeboxes_sweep()
    timebox.refresh_from_db()
    assert timebox.status == Timebox.Status.OPEN


def test_reminder_is_in_the_recipients_language(clock, world, scope, make_timebox):
    from participation.models import Profile

    Profile.objects.update_or_create(user=world.contributor, defaults={"language": "nl"})
    Profile.objects.update_or_create(user=world.lead, defaults={"language": "en"})
    timebox = make_timebox(days=2)
    clock.move_to(timebox.deadline - timedelta(days=1))
    services.timeboxes_sweep()
    by_person = {m.to[0]: m.body for m in mail.outbox}
    assert "maart" in by_person[world.contributor.email]  # the deadline, in Dutch
    assert "March" in by_person[world.lead.email]


def test_observer_watching_something_in_scope_is_reminded(clock, world, scope, make_timebox):
    from wiki.models import Watch

    Watch.objects.create(
        user=world.observer, programme=world.programme, document=scope["work"], scope="document"
    )
    timebox = make_timebox(days=2)
    clock.move_to(timebox.deadline - timedelta(days=1))
    services.timeboxes_sweep()
    assert world.observer.email in recipients("Reminder")
    assert world.observer.email not in recipients("has not taken part")


def test_observer_watching_only_outside_the_scope_is_not_reminded(
    clock, world, scope, make_timebox
):
    from wiki.models import Watch

    Watch.objects.create(user=world.observer, programme=world.programme, document=scope["outside"])
    timebox = make_timebox(days=2)
    clock.move_to(timebox.deadline - timedelta(days=1))
    services.timeboxes_sweep()
    assert world.observer.email not in {m.to[0] for m in mail.outbox}


def test_contributions_count_edits_comments_per_organisation(
    clock, world, scope, make_timebox, second_org
):
    timebox = make_timebox(days=3)
    clock.shift(timedelta(hours=1))
    wiki.document_save(
        document=scope["main"],
        body="Nieuw.\n",
        base_version_id=scope["main"].head_id,
        author=world.contributor,
    )
    wiki.comment_add(document=scope["work"], author=second_org, body="Vraag")
    result = selectors.checklist(timebox)
    per_org = {o.name: counts for o, counts in result.contributions}
    assert per_org[world.contributing_org.name]["edits"] == 1
    assert per_org["Second College"]["comments"] == 1
    assert [d.title for d in result.changed] == ["Onderwijs"]
    assert result.silent == []


def test_planned_timebox_the_sweeper_never_opened_still_freezes_at_its_deadline(
    clock, world, scope, make_timebox
):
    timebox = make_timebox(starts_at=timezone.now() + timedelta(hours=1), days=1)
    assert timebox.status == Timebox.Status.PLANNED
    clock.move_to(timebox.deadline + timedelta(seconds=1))
    with pytest.raises(wiki.DocumentFrozen):
        wiki.document_save(
            document=scope["work"],
            body="Te laat.\n",
            base_version_id=scope["work"].head_id,
            author=world.contributor,
        )
