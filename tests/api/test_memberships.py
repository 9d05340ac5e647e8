"""Leads manage the memberships of their programme over the API; nobody else can."""

import pytest

from participation.models import Membership, MembershipChange
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _memberships(world) -> str:
    return f"programmes/{world.programme.slug}/memberships/"


def test_anyone_who_reads_the_programme_sees_its_members(api, world):
    response = api.get(_memberships(world))

    assert response.status_code == 200
    assert {(m["organisation"]["slug"], m["level"]) for m in response.json()} == {
        (world.contributing_org.slug, "contributor"),
        (world.observing_org.slug, "observer"),
    }


def test_lead_admits_an_organisation(api, world):
    newcomer = OrganisationFactory(name="Nieuw College")

    response = api.post(
        _memberships(world), {"organisation": newcomer.slug, "level": "observer"}, user=world.lead
    )

    assert response.status_code == 201
    assert response.json()["organisation"]["name"] == "Nieuw College"
    assert Membership.objects.get(programme=world.programme, organisation=newcomer).level == (
        "observer"
    )


def test_lead_promotes_an_observer_and_its_people_may_edit(api, world, make_document):
    document = make_document(world)
    url = _memberships(world) + f"{world.observing_org.slug}/"

    response = api.patch(url, {"level": "contributor"}, user=world.lead)
    edit = api.put(
        f"programmes/{world.programme.slug}/documents/{document.slug}/",
        {"base_version_id": document.head_id, "body": "Now I may.\n"},
        user=world.observer,
    )

    assert response.status_code == 200
    assert response.json()["level"] == "contributor"
    assert edit.status_code == 200


def test_lead_removes_a_membership(api, world):
    url = _memberships(world) + f"{world.observing_org.slug}/"

    response = api.delete(url, user=world.lead)

    assert response.status_code == 204
    assert not Membership.objects.filter(
        programme=world.programme, organisation=world.observing_org
    ).exists()


def test_contributor_cannot_remove_a_membership(api, world):
    url = _memberships(world) + f"{world.observing_org.slug}/"

    response = api.delete(url, user=world.contributor)

    assert response.status_code == 403
    assert "leads" in response.json()["detail"]
    assert world.programme.memberships.filter(organisation=world.observing_org).exists()


def test_admitting_a_member_twice_is_a_field_error(api, world):
    response = api.post(
        _memberships(world),
        {"organisation": world.observing_org.slug, "level": "contributor"},
        user=world.lead,
    )

    assert response.status_code == 400
    assert "already a member" in response.json()["errors"]["organisation"][0]
    assert world.programme.memberships.get(organisation=world.observing_org).level == "observer"


def test_unknown_organisation_and_level_are_field_errors(api, world):
    response = api.post(
        _memberships(world), {"organisation": "nobody", "level": "boss"}, user=world.lead
    )
    unknown = api.post(
        _memberships(world), {"organisation": "nobody", "level": "observer"}, user=world.lead
    )

    assert response.status_code == 400
    assert "observer" in response.json()["errors"]["level"][0]
    assert unknown.status_code == 400
    assert unknown.json()["errors"]["organisation"] == ["There is no organisation with this slug."]
    assert world.programme.memberships.count() == 2


def test_membership_of_an_organisation_outside_the_programme_is_404(api, world, closed_world):
    url = _memberships(world) + f"{closed_world.contributing_org.slug}/"

    response = api.patch(url, {"level": "observer"}, user=world.lead)

    assert response.status_code == 404
    assert closed_world.programme.memberships.get(
        organisation=closed_world.contributing_org
    ).level == ("contributor")


def test_lead_of_one_programme_cannot_manage_another(api, world, closed_world):
    url = f"programmes/{closed_world.programme.slug}/memberships/"

    response = api.post(
        url, {"organisation": world.observing_org.slug, "level": "contributor"}, user=world.lead
    )

    assert response.status_code == 404
    assert closed_world.programme.memberships.count() == 2


def test_organisations_of_members_only_programmes_stay_hidden(api, world, closed_world):
    anonymous = api.get("organisations/", {"limit": 100}).json()
    member = api.get("organisations/", {"limit": 100}, user=closed_world.observer).json()
    detail = api.get(f"organisations/{closed_world.contributing_org.slug}/")

    anonymous_slugs = {o["slug"] for o in anonymous["items"]}
    assert world.contributing_org.slug in anonymous_slugs
    assert closed_world.contributing_org.slug not in anonymous_slugs
    assert closed_world.contributing_org.slug in {o["slug"] for o in member["items"]}
    assert detail.status_code == 404


def test_organisation_detail_lists_only_readable_memberships(api, world, closed_world):
    shared = world.contributing_org
    Membership.objects.create(programme=closed_world.programme, organisation=shared)

    seen = api.get(f"organisations/{shared.slug}/").json()

    assert [m["programme"] for m in seen["memberships"]] == [world.programme.slug]


def test_level_change_keeps_the_leads_reason(api, world):
    url = _memberships(world) + f"{world.observing_org.slug}/"

    api.patch(
        url, {"level": "contributor", "reason": "Schrijft mee aan de visie."}, user=world.lead
    )
    api.delete(url + "?reason=Klaar", user=world.lead)

    changes = MembershipChange.objects.filter(organisation=world.observing_org).order_by("pk")
    assert [(c.from_level, c.to_level, c.reason) for c in changes] == [
        ("observer", "contributor", "Schrijft mee aan de visie."),
        ("contributor", "", "Klaar"),
    ]
