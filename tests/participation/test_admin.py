"""The Wagtail back office: a lead manages their own programme's memberships and leads there,
and nothing of another programme; observers do not get in; superusers manage everything."""

import pytest
from django.urls import reverse

from participation import services
from participation.models import Membership, ProgrammeRole
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(db):
    """A second programme with a membership of its own, led by someone else."""
    programme = factories.ProgrammeFactory(name="Other programme")
    membership = factories.MembershipFactory(
        programme=programme,
        organisation=factories.OrganisationFactory(name="Other College"),
        level=Membership.MemberLevel.OBSERVER,
    )
    lead = factories.UserFactory(username="other-lead")
    factories.LeadRoleFactory(programme=programme, user=lead)
    return membership


@pytest.fixture
def lead_client(client, world):
    services.leads_group().user_set.add(world.lead)
    client.force_login(world.lead)
    return client


def url(name: str, *args) -> str:
    return reverse(f"{name}", args=args)


def observing_membership(world) -> Membership:
    return Membership.objects.get(programme=world.programme, organisation=world.observing_org)


def test_lead_sees_only_own_programmes_memberships(lead_client, world, other):
    response = lead_client.get(url("memberships:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert world.observing_org.name in page
    assert world.contributing_org.name in page
    assert "Other College" not in page


def test_lead_promotes_an_observer_to_contributor(lead_client, world):
    membership = observing_membership(world)
    response = lead_client.post(
        url("memberships:edit", membership.pk), {"level": Membership.MemberLevel.CONTRIBUTOR}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.level == Membership.MemberLevel.CONTRIBUTOR


def test_lead_admits_an_organisation_to_own_programme(lead_client, world):
    newcomer = factories.OrganisationFactory(name="Newcomer College")
    response = lead_client.post(
        url("memberships:add"),
        {
            "programme": world.programme.pk,
            "organisation": newcomer.pk,
            "level": Membership.MemberLevel.OBSERVER,
        },
    )
    assert response.status_code == 302
    assert Membership.objects.filter(programme=world.programme, organisation=newcomer).exists()


def test_lead_removes_a_membership_of_own_programme(lead_client, world):
    membership = observing_membership(world)
    response = lead_client.post(url("memberships:delete", membership.pk))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_lead_is_refused_another_programmes_membership(lead_client, other):
    for view in ("edit", "delete", "history", "usage"):
        response = lead_client.get(url(f"memberships:{view}", other.pk))
        assert response.status_code in (302, 403), view
        assert "Other College" not in response.content.decode()
    lead_client.post(url("memberships:edit", other.pk), {"level": "contributor"})
    lead_client.post(url("memberships:delete", other.pk))
    other.refresh_from_db()
    assert other.level == Membership.MemberLevel.OBSERVER


def test_lead_cannot_admit_an_organisation_to_another_programme(lead_client, world, other):
    newcomer = factories.OrganisationFactory(name="Newcomer College")
    response = lead_client.post(
        url("memberships:add"),
        {"programme": other.programme.pk, "organisation": newcomer.pk, "level": "observer"},
    )
    assert response.status_code == 200  # the form again, with the programme refused
    assert not Membership.objects.filter(organisation=newcomer).exists()


def test_lead_appoints_a_colleague_as_lead(lead_client, world):
    response = lead_client.post(
        url("leads:add"), {"programme": world.programme.pk, "user": world.contributor.pk}
    )
    assert response.status_code == 302
    assert ProgrammeRole.objects.filter(programme=world.programme, user=world.contributor).exists()
    assert world.contributor.has_perm("wagtailadmin.access_admin")


def test_last_lead_of_a_programme_cannot_be_removed(lead_client, world):
    role = ProgrammeRole.objects.get(programme=world.programme, user=world.lead)
    response = lead_client.post(url("leads:delete", role.pk), follow=True)
    assert ProgrammeRole.objects.filter(pk=role.pk).exists()
    assert "needs a lead" in response.content.decode()


def test_lead_changes_own_programme_but_not_another(lead_client, world, other):
    response = lead_client.post(
        url("programmes:edit", world.programme.pk),
        {"name": "Renamed programme", "description": "", "visibility": "open", "timezone": "UTC"},
    )
    assert response.status_code == 302
    world.programme.refresh_from_db()
    assert world.programme.name == "Renamed programme"
    lead_client.post(
        url("programmes:edit", other.programme.pk),
        {"name": "Taken over", "description": "", "visibility": "open", "timezone": "UTC"},
    )
    other.programme.refresh_from_db()
    assert other.programme.name == "Other programme"


def test_lead_cannot_create_programmes(lead_client):
    response = lead_client.get(url("programmes:add"))
    assert response.status_code in (302, 403)


@pytest.mark.parametrize("role", ["observer", "contributor", "outsider"])
def test_non_leads_cannot_reach_the_membership_admin(client, world, role):
    client.force_login(world.person(role))
    membership = observing_membership(world)
    for address in (url("memberships:index"), url("memberships:edit", membership.pk)):
        response = client.get(address)
        assert response.status_code in (302, 403)
        assert world.observing_org.name not in response.content.decode()
    client.post(url("memberships:edit", membership.pk), {"level": "contributor"})
    membership.refresh_from_db()
    assert membership.level == Membership.MemberLevel.OBSERVER


def test_superuser_manages_every_programme(client, world, other):
    admin = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get(url("memberships:index")).content.decode()
    assert "Other College" in page
    assert world.observing_org.name in page
    response = client.post(url("memberships:edit", other.pk), {"level": "contributor"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.level == Membership.MemberLevel.CONTRIBUTOR


def test_a_refusal_by_the_service_is_shown_on_the_admin_form(lead_client, world, monkeypatch):
    """The services decide; when one refuses a valid form, the admin shows why, keeps the
    input and changes nothing."""
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"level": "Not now: the timebox is closing."})

    monkeypatch.setattr(services, "membership_set_level", refuse)
    membership = observing_membership(world)
    response = lead_client.post(
        url("memberships:edit", membership.pk), {"level": Membership.MemberLevel.CONTRIBUTOR}
    )
    assert response.status_code == 200
    assert "Not now: the timebox is closing." in response.content.decode()
    membership.refresh_from_db()
    assert membership.level == Membership.MemberLevel.OBSERVER


def test_lead_makes_own_api_token_in_the_admin(lead_client, world):
    from wagtail.models import APIToken

    response = lead_client.post(
        reverse("wagtailusers_api_tokens:add"), {"user": world.lead.pk, "name": "Scripts"}
    )
    assert response.status_code == 200
    assert APIToken.objects.filter(user=world.lead, name="Scripts").exists()
