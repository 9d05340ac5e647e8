"""A members-only programme stays members-only: nobody outside an organisation's programmes can
make a stranger one of its people, and outsiders do not even see the organisations that take
part only in others' members-only programmes.

`world` is an open programme, `closed_world` a members-only one with leads of their own; the
closed programme's contributing college stands for "Gemeente Rotterdam" in Wigo4it, whom a
lead of Triple A (the open programme) must not be able to vouch for."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from participation import permissions, selectors, services
from participation.emails import signup_token
from participation.models import (
    Affiliation,
    AffiliationRequest,
    JoinRequest,
    Membership,
    Organisation,
    ProgrammeSettings,
)
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PASSPHRASE = "a-long-and-unusual-passphrase"


def sign_up(client, organisation_name: str, email: str = "stranger@example.org"):
    """Sign up through the form, naming an organisation by typing it, and confirm the address."""
    response = client.post(
        reverse("participation:signup"),
        {
            "name": "Sam Stranger",
            "email": email,
            "password": PASSPHRASE,
            "new_organisation": organisation_name,
        },
    )
    assert response.status_code == 200, response.content.decode()[:500]
    user = get_user_model().objects.get(email=email)
    response = client.get(reverse("participation:confirm", args=[signup_token(user)]))
    assert response.status_code == 302
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def secret(closed_world, make_document):
    return make_document(closed_world, title="Fusieplan", body="Geheime tekst.\n")


@pytest.mark.parametrize("direction", ["open lead → closed organisation", "closed lead → open"])
def test_a_lead_of_another_programme_cannot_confirm_a_stranger_into_an_organisation(
    client, world, closed_world, make_document, direction
):
    if direction.startswith("open"):
        lead, organisation, target = world.lead, closed_world.contributing_org, closed_world
    else:
        lead, organisation, target = closed_world.lead, world.contributing_org, world
    document = make_document(target, title="Plan", body="Tekst.\n")
    stranger = sign_up(client, organisation.name.upper())  # typed, not chosen from a list
    request = AffiliationRequest.objects.get(user=stranger)
    assert request.organisation == organisation

    client.force_login(lead)
    listed = client.get(reverse("participation:affiliations")).content.decode()
    refused = client.post(
        reverse("participation:affiliations"), {"request": request.pk, "decision": "confirm"}
    )

    assert stranger.email not in listed
    assert refused.status_code == 403
    request.refresh_from_db()
    assert request.status == AffiliationRequest.Status.PENDING
    assert not Affiliation.objects.filter(user=stranger).exists()
    client.force_login(stranger)
    edit = client.get(reverse("wiki:edit", args=[target.programme.slug, document.slug]))
    assert edit.status_code in (403, 404)  # not the edit form
    # The organisation's own programme's lead may decide it.
    assert list(selectors.affiliation_requests_for(target.lead)) == [request]
    assert permissions.may_confirm_affiliation(target.lead, organisation)


def test_only_whoever_may_confirm_is_emailed_about_an_affiliation_request(
    client, world, closed_world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, closed_world.contributing_org.name)

    announced = [m.to for m in mail.outbox if "does Sam Stranger work for" in m.subject]
    assert announced == [[closed_world.lead.email]]  # not the open programme's lead


def test_a_new_organisation_is_confirmed_by_the_leads_of_the_programme_it_asks_to_join(
    client, world, closed_world
):
    admin = factories.UserFactory(username="admin", is_superuser=True, is_staff=True)
    ProgrammeSettings.objects.create(programme=world.programme, admit_observers=True)
    stranger = sign_up(client, "Gemeente Nergens")
    request = AffiliationRequest.objects.get(user=stranger)
    organisation = request.organisation
    assert not organisation.is_confirmed

    # Until it asks to join a programme, only superusers see it or may confirm it.
    for lead in (world.lead, closed_world.lead):
        assert list(selectors.affiliation_requests_for(lead)) == []
        assert organisation not in selectors.organisations_visible_to(lead)
    assert list(selectors.affiliation_requests_for(admin)) == [request]
    told = [str(m) for m in client.get(reverse("home"), follow=True).context["messages"]]
    assert any("ask to join it for Gemeente Nergens" in m for m in told)

    # The person asks to join the open programme for it; that waits for its leads, who now
    # may confirm it (the members-only programme's lead still may not).
    join = client.get(reverse("participation:join", args=[world.programme.slug]))
    assert "Gemeente Nergens" in join.content.decode()
    client.post(
        reverse("participation:join", args=[world.programme.slug]),
        {"organisation": organisation.pk, "motivation": "Wij willen meekijken."},
    )
    join_request = JoinRequest.objects.get(organisation=organisation)
    assert join_request.status == JoinRequest.Status.PENDING  # not admitted at once
    assert list(selectors.affiliation_requests_for(world.lead)) == [request]
    assert list(selectors.affiliation_requests_for(closed_world.lead)) == []

    client.force_login(world.lead)
    page = client.get(reverse("participation:requests", args=[world.programme.slug]))
    assert "Approving also confirms Gemeente Nergens" in page.content.decode()
    client.post(
        reverse("participation:requests", args=[world.programme.slug]),
        {"request": join_request.pk, "decision": "approve"},
    )

    organisation.refresh_from_db()
    assert organisation.is_confirmed
    assert Affiliation.objects.filter(user=stranger, organisation=organisation).exists()
    assert Membership.objects.filter(programme=world.programme, organisation=organisation).exists()


def test_sign_up_does_not_reveal_organisations_of_members_only_programmes(
    client, world, closed_world
):
    nowhere = factories.OrganisationFactory(name="Nergens College")
    unconfirmed = factories.OrganisationFactory(name="Onbevestigd College", is_confirmed=False)
    factories.MembershipFactory(programme=world.programme, organisation=unconfirmed)

    page = client.get(reverse("participation:signup")).content.decode()
    chosen = client.post(
        reverse("participation:signup"),
        {
            "name": "Sam Stranger",
            "email": "stranger@example.org",
            "password": PASSPHRASE,
            "organisation": closed_world.contributing_org.pk,
        },
    )

    assert world.contributing_org.name in page
    for hidden in (closed_world.contributing_org, nowhere, unconfirmed):
        assert hidden.name not in page
    assert chosen.status_code == 200
    assert "Select a valid choice" in chosen.content.decode()
    assert not get_user_model().objects.filter(email="stranger@example.org").exists()


def test_lists_of_organisations_show_a_lead_only_those_they_may_see(client, world, closed_world):
    hidden = closed_world.contributing_org
    api = ApiClient()
    services.leads_group().user_set.add(world.lead)
    client.force_login(world.lead)

    listed = api.get("organisations/", {"limit": 100}, user=world.lead).json()["items"]
    detail = api.get(f"organisations/{hidden.slug}/", user=world.lead)
    admin_index = client.get(reverse("organisations:index")).content.decode()
    admin_add = client.get(reverse("memberships:add")).content.decode()
    invite = client.get(reverse("participation:invite", args=[world.programme.slug]))

    assert hidden.slug not in {o["slug"] for o in listed}
    assert detail.status_code == 404
    assert world.observing_org.name in admin_index and hidden.name not in admin_index
    assert hidden.name not in admin_add
    assert hidden.name not in invite.content.decode()


def test_a_lead_cannot_admit_or_invite_for_an_organisation_to_vouch_for_its_people(
    client, world, closed_world
):
    # The closed programme's college also takes part in a third, open programme: the open
    # programme's lead can see it, but its people have nothing to do with their programme.
    shared = closed_world.contributing_org
    factories.MembershipFactory(
        programme=factories.ProgrammeFactory(name="Third"), organisation=shared
    )
    api = ApiClient()

    admitted = api.post(
        f"programmes/{world.programme.slug}/memberships/",
        {"organisation": shared.slug, "level": "observer"},
        user=world.lead,
    )
    client.force_login(world.lead)
    invited = client.post(
        reverse("participation:invite", args=[world.programme.slug]),
        {"email": "stranger@example.org", "organisation": shared.pk, "level": "observer"},
    )

    assert admitted.status_code == 400
    assert "People work for" in admitted.json()["errors"]["organisation"][0]
    assert invited.status_code == 200  # the form again, with the refusal
    assert not Membership.objects.filter(programme=world.programme, organisation=shared).exists()
    assert not shared.invitations.exists()
    assert not permissions.may_confirm_affiliation(world.lead, shared)
    assert Organisation.objects.filter(pk=shared.pk, is_confirmed=True).exists()
