"""The stakes API as a client sees it: a token per person, the same rules as the site."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stakes.models import Stake
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> ApiClient:
    return ApiClient()


def test_contributor_records_and_reads_the_balance_with_the_flag(api, world, main, second):
    base = f"programmes/{world.programme.slug}/stakes/"
    for person, body in (
        (world.contributor, {"kind": "money", "direction": "cost", "amount": "250000"}),
        (second, {"kind": "time_saved", "direction": "benefit", "size": 3}),
    ):
        answer = api.post(base, {"document": main.slug, **body}, user=person)
        assert answer.status_code == 200, answer.json()
    assert answer.json()["organisation"] == "Second College"
    assert answer.json()["stale"] is False

    balance = api.get(base + "balance/").json()  # anonymous: an open programme
    [row] = balance["documents"]
    assert row["flagged"] is True
    assert row["payer"] == world.contributing_org.name
    assert row["gainers"] == ["Second College"]
    assert row["balance"] == {world.contributing_org.name: -3, "Second College": 3}
    listed = api.get(base, {"document": main.slug}).json()
    assert {s["organisation"] for s in listed} == {world.contributing_org.name, "Second College"}


def test_observer_may_not_record_and_bad_input_changes_nothing(api, world, main):
    base = f"programmes/{world.programme.slug}/stakes/"
    refused = api.post(
        base,
        {"document": main.slug, "kind": "risk", "direction": "cost", "size": 1},
        user=world.observer,
    )
    assert refused.status_code == 403
    invalid = api.post(
        base, {"document": main.slug, "kind": "risk", "direction": "cost"}, user=world.contributor
    )
    assert invalid.status_code == 400
    assert "size" in invalid.json()["errors"]
    assert not Stake.objects.exists()


def test_answer_per_organisation_observer_refused_and_decided_is_409(
    api, world, second, make_proposal
):
    proposal = make_proposal()
    path = f"programmes/{world.programme.slug}/proposals/{proposal.number}/"
    assert api.put(path + "answer/", {"choice": "consent"}, user=world.observer).status_code == 403
    assert (
        api.put(path + "answer/", {"choice": "consent"}, user=world.contributor).status_code == 200
    )
    changed = api.put(
        path + "answer/", {"choice": "remarks", "remarks": "Mits"}, user=world.lead
    ).json()  # the lead speaks for the same organisation: the answer is replaced
    assert [(a["organisation"], a["choice"]) for a in changed["answers"]] == [
        (world.contributing_org.name, "remarks")
    ]
    assert changed["not_answered"] == ["Second College"]
    no_reason = api.put(path + "answer/", {"choice": "object"}, user=second)
    assert no_reason.status_code == 400

    assert api.post(path + "decide/", {"outcome": "Ja"}, user=world.contributor).status_code == 403
    decided = api.post(path + "decide/", {"outcome": "Aangenomen"}, user=world.lead)
    assert decided.json()["status"] == "decided"
    late = api.put(path + "answer/", {"choice": "consent"}, user=second)
    assert late.status_code == 409


def test_propose_escalate_and_leads_list(api, world, main, second):
    deadline = (timezone.now() + timedelta(days=3)).isoformat()
    created = api.post(
        f"programmes/{world.programme.slug}/proposals/",
        {
            "title": "Compensatie",
            "text": "Betaal mee.",
            "documents": [main.slug],
            "deadline": deadline,
            "options": ["Half", "Alles"],
        },
        user=second,
    )
    assert created.status_code == 201, created.json()
    number = created.json()["number"]
    path = f"programmes/{world.programme.slug}/proposals/{number}/"
    objection = api.put(
        path + "answer/", {"choice": "object", "remarks": "Te duur"}, user=world.contributor
    ).json()
    answer_id = objection["answers"][0]["id"]
    assert api.post(path + f"answers/{answer_id}/escalate/", user=second).status_code == 403
    escalated = api.post(path + f"answers/{answer_id}/escalate/", user=world.contributor)
    assert escalated.json()["answers"][0]["escalated"] is True

    listing = f"programmes/{world.programme.slug}/escalated-objections/"
    assert api.get(listing, user=world.contributor).status_code == 403
    [item] = api.get(listing, user=world.lead).json()
    assert (item["reference"], item["reason"]) == (f"B-{number}", "Te duur")
    found = api.get(f"programmes/{world.programme.slug}/proposals/", {"q": "compensatie"}).json()
    assert [p["number"] for p in found] == [number]


def test_members_only_programme_is_hidden(api, closed_world, make_document):
    assert api.get(f"programmes/{closed_world.programme.slug}/proposals/").status_code == 404
    assert (
        api.get(
            f"programmes/{closed_world.programme.slug}/stakes/balance/", user=closed_world.observer
        ).status_code
        == 200
    )


def test_schema_lists_the_stakes_paths(api):
    paths = api.get("schema/").json()["paths"]
    for path in (
        "/api/v1/programmes/{programme}/stakes/",
        "/api/v1/programmes/{programme}/stakes/balance/",
        "/api/v1/programmes/{programme}/proposals/",
        "/api/v1/programmes/{programme}/proposals/{number}/answer/",
        "/api/v1/programmes/{programme}/proposals/{number}/decide/",
        "/api/v1/programmes/{programme}/escalated-objections/",
    ):
        assert path in paths, path
