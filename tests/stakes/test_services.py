"""Costs and benefits and proposals through the services and the site, on the database."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from stakes import selectors, services
from stakes.models import Answer, Proposal, Stake
from timeboxes import annex
from timeboxes import services as timeboxes
from wiki import exports
from wiki import services as wiki
from wiki.models import Document

pytestmark = pytest.mark.django_db


# --- recording -----------------------------------------------------------------------------------


def test_contributor_records_for_their_organisation_with_history(world, main, record):
    stake = record(main, world.contributor, "effort", "cost", size=2, explanation="Twee FTE")
    assert stake.organisation == world.contributing_org
    record(main, world.contributor, "effort", "cost", size=3, explanation="Drie FTE")

    assert Stake.objects.count() == 1  # the same kind and direction: replaced
    stake.refresh_from_db()
    assert stake.size == 3
    versions = list(selectors.stake_history(stake))
    assert [v.field_dict["size"] for v in versions] == [3, 2]
    assert versions[0].revision.user == world.contributor


def test_entry_is_pinned_to_the_document_version_and_goes_stale(world, main, record):
    stake = record(main, world.contributor, "money", "benefit", amount="12.500,50")
    assert stake.amount == Decimal("12500.50")
    assert not stake.is_stale
    wiki.document_save(
        document=main, body="Nieuw.\n", base_version_id=main.head_id, author=world.lead, summary=""
    )
    stake.refresh_from_db()
    assert stake.is_stale


def test_observer_and_outsider_cannot_record(world, main, record):
    for person in (world.observer, world.outsider, world.anonymous):
        with pytest.raises(PermissionDenied):
            record(main, person, size=1)
    assert not Stake.objects.exists()


def test_entry_without_size_or_amount_is_refused_with_a_message(world, main, record):
    with pytest.raises(ValidationError) as refused:
        record(main, world.contributor)
    assert "size" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        record(main, world.contributor, amount="veel")
    assert "amount" in refused.value.message_dict
    assert not Stake.objects.exists()


def test_entries_only_on_processes_and_use_cases(world, make_document, record):
    page = make_document(world, title="Losse pagina")
    with pytest.raises(services.StakesError):
        record(page, world.contributor, size=1)


# --- the balance -------------------------------------------------------------------------------


def test_balance_flags_a_document_where_one_pays_and_another_gains(world, main, second, record):
    record(main, world.contributor, "money", "cost", amount=150_000)  # large: 3
    record(main, world.contributor, "effort", "cost", size=2)
    record(main, second, "time_saved", "benefit", size=3)
    record(main, second, "adoption", "cost", size=1)

    balance = selectors.balance(world.programme)

    totals = {o.name: t for o, t in balance.per_organisation}
    assert totals[world.contributing_org.name].net == -5
    assert totals["Second College"].net == 2
    assert totals[world.contributing_org.name].euros_cost == 150_000
    [row] = balance.flagged
    assert row.document == main
    assert row.payer == world.contributing_org
    assert [o.name for o in row.gainers] == ["Second College"]


def test_balanced_document_is_not_flagged(world, main, second, record):
    record(main, world.contributor, "effort", "cost", size=2)
    record(main, world.contributor, "quality", "benefit", size=2)
    record(main, second, "effort", "cost", size=2)
    record(main, second, "quality", "benefit", size=3)
    assert selectors.balance(world.programme).flagged == []


def test_balance_of_a_timebox_holds_its_scope_only(world, main, make_document, second, record):
    other = make_document(world, title="Ander proces", kind=Document.Kind.MAIN_PROCESS)
    record(other, world.contributor, "money", "cost", size=3)
    timebox = timeboxes.timebox_create(
        programme=world.programme,
        by=world.lead,
        name="Fase",
        starts_at=timezone.now(),
        deadline=timezone.now() + timedelta(days=3),
        documents=[main],
    )
    balance = selectors.balance(world.programme, timebox=timebox)
    assert [row.document for row in balance.rows] == [main]
    assert balance.is_empty


def test_closing_checklist_lists_organisations_that_entered_nothing(
    client, world, main, second, record
):
    record(main, world.contributor, "effort", "cost", size=1)
    timebox = timeboxes.timebox_create(
        programme=world.programme,
        by=world.lead,
        name="Fase",
        starts_at=timezone.now(),
        deadline=timezone.now() + timedelta(days=3),
        subtrees=[main],
    )
    client.force_login(world.lead)
    page = client.get(f"/p/{world.programme.slug}/timeboxes/{timebox.pk}/close/").content.decode()
    section = page.split("stakes-missing", 1)[1].split("</ul>", 1)[0]
    assert "Second College" in section and "entered nothing" in section
    assert world.contributing_org.name not in section


# --- proposals ---------------------------------------------------------------------------------


def test_one_answer_per_organisation_changeable_until_the_deadline(world, make_proposal):
    proposal = make_proposal()
    services.answer_give(proposal=proposal, by=world.contributor, choice="consent")
    services.answer_give(proposal=proposal, by=world.lead, choice="object", remarks="Te duur")

    [answer] = proposal.answers.all()  # the lead speaks for the same organisation
    assert (answer.choice, answer.answered_by) == ("object", world.lead)
    late = proposal.deadline + timedelta(seconds=1)
    with time_machine.travel(late), pytest.raises(services.StakesError):
        services.answer_give(proposal=proposal, by=world.contributor, choice="consent")
    assert proposal.answers.get().choice == "object"


def test_observer_reads_and_comments_but_does_not_answer(world, make_proposal):
    proposal = make_proposal()
    with pytest.raises(PermissionDenied):
        services.answer_give(proposal=proposal, by=world.observer, choice="consent")
    services.proposal_comment_add(proposal=proposal, author=world.observer, body="Goed plan")
    assert not proposal.answers.exists()
    assert proposal.comments.get().organisation == world.observing_org


def test_objection_needs_a_reason(world, make_proposal):
    proposal = make_proposal()
    with pytest.raises(ValidationError) as refused:
        services.answer_give(proposal=proposal, by=world.contributor, choice="object")
    assert "remarks" in refused.value.message_dict


def test_lead_decides_early_and_contributor_may_not(world, make_proposal):
    proposal = make_proposal()
    with pytest.raises(PermissionDenied):
        services.proposal_decide(proposal=proposal, by=world.contributor, outcome="Aangenomen")
    services.proposal_decide(proposal=proposal, by=world.lead, outcome="Aangenomen")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.outcome) == ("decided", "Aangenomen")
    with pytest.raises(services.StakesError):
        services.answer_give(proposal=proposal, by=world.contributor, choice="consent")


def test_escalated_objection_reaches_the_leads_page(client, world, second, make_proposal):
    proposal = make_proposal()
    answer = services.answer_give(
        proposal=proposal, by=second, choice="object", remarks="Wij betalen alles"
    )
    with pytest.raises(PermissionDenied):
        services.objection_escalate(answer=answer, by=world.contributor)  # not their objection
    services.objection_escalate(answer=answer, by=second)

    client.force_login(world.contributor)
    assert client.get(f"/p/{world.programme.slug}/decisions/escalated/").status_code == 403
    client.force_login(world.lead)
    page = client.get(f"/p/{world.programme.slug}/decisions/escalated/").content.decode()
    assert "Wij betalen alles" in page and "Second College" in page


def test_decision_log_is_searchable_and_exported(client, world, make_proposal):
    decided = make_proposal(title="Roosterpakket kiezen")
    services.proposal_decide(proposal=decided, by=world.lead, outcome="Pakket A gekozen")
    make_proposal(title="Iets anders")
    client.force_login(world.observer)
    base = f"/p/{world.programme.slug}/decisions/"
    page = client.get(base, {"q": "pakket a"}).content.decode()
    assert "Roosterpakket kiezen" in page and "Iets anders" not in page
    csv = client.get(base + "export.csv").content.decode()
    assert "B-1,Roosterpakket kiezen" in csv and "Pakket A gekozen" in csv


def test_annex_lists_the_decisions_behind_its_baseline(world, main, make_proposal):
    decided = make_proposal(title="Roosterpakket kiezen")
    services.proposal_decide(proposal=decided, by=world.lead, outcome="Pakket A gekozen")
    make_proposal(title="Nog open")
    timebox = timeboxes.timebox_create(
        programme=world.programme,
        by=world.lead,
        name="Fase",
        starts_at=timezone.now(),
        deadline=timezone.now() + timedelta(days=3),
        subtrees=[main],
    )
    baseline = timeboxes.timebox_close(timebox=timebox, by=world.lead, outcome="Klaar")
    assert [d["reference"] for d in baseline.records["decisions"]] == ["B-1"]
    built = annex.build(baseline)
    [appendix] = [a for a in built.appendices if a.anchor == "decisions"]
    assert "Roosterpakket kiezen" in appendix.html and "Pakket A gekozen" in appendix.html
    assert "Nog open" not in appendix.html
    assert exports.appendices  # the registry the annex asks


def test_deadline_decides_by_consent_unless_an_organisation_objects(world, second, make_proposal):
    adopted = make_proposal(days=1)
    rejected = make_proposal(days=1, title="Tweede")
    services.answer_give(proposal=adopted, by=world.contributor, choice="consent")
    services.answer_give(proposal=rejected, by=second, choice="object", remarks="Nee")
    services.answer_give(proposal=rejected, by=world.contributor, choice="consent")

    report = services.proposals_sweep(now=timezone.now() + timedelta(days=1, seconds=1))
    report_again = services.proposals_sweep(now=timezone.now() + timedelta(days=1, seconds=2))

    assert (report.decided, report_again.decided) == (2, 0)
    adopted.refresh_from_db()
    rejected.refresh_from_db()
    assert adopted.status == rejected.status == Proposal.Status.DECIDED
    assert adopted.outcome.startswith("Adopted by consent")
    assert rejected.outcome.startswith("Not adopted")
    assert Answer.objects.count() == 3
