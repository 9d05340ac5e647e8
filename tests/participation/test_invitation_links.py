"""Joining in one step: a lead's invitation link lets a person sign up (or log in) and take
part for the link's organisation at its level at once; links expire and can be withdrawn. And
a person sees at any time where they are on the way in and whom they wait for."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from participation import selectors, services
from participation.models import (
    Affiliation,
    AffiliationRequest,
    InvitationLink,
    Membership,
    Organisation,
)
from tests import factories

pytestmark = pytest.mark.django_db


def _link(world, **kwargs) -> InvitationLink:
    defaults = {"level": Membership.MemberLevel.CONTRIBUTOR, "new_organisation_name": "De Nieuwe"}
    return services.invitation_link_create(
        programme=world.programme, by=world.lead, **{**defaults, **kwargs}
    )


NEW_PASSWORD = "een lang wachtwoord 42"


def _sign_up(client, link, email="nina@nieuwe.example"):
    return client.post(
        link.get_absolute_url(),
        {"name": "Nina de Vries", "email": email, "password": NEW_PASSWORD, "language": "nl"},
    )


def test_a_lead_makes_a_link_on_the_site_for_a_new_organisation(client, world):
    client.force_login(world.lead)
    url = reverse("participation:invitation_links", args=[world.programme.slug])

    response = client.post(
        url,
        {
            "new_organisation": "Het Nieuwe Lyceum",
            "new_organisation_kind": "school",
            "level": "contributor",
            "days": "7",
        },
        follow=True,
    )

    link = InvitationLink.objects.get()
    assert link.organisation.name == "Het Nieuwe Lyceum" and link.organisation.is_confirmed
    assert link.expires_at.date() == (timezone.now() + timedelta(days=7)).date()
    assert f"http://testserver/join/{link.token}/" in response.content.decode()


def test_a_newcomer_signs_up_through_the_link_and_takes_part_at_once(
    client, world, django_capture_on_commit_callbacks
):
    link = _link(world)

    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_up(client, link)

    assert response.status_code == 302
    assert response["Location"] == world.programme.get_absolute_url()
    person = factories.get_user_model().objects.get(email="nina@nieuwe.example")
    assert person.is_active
    assert client.session["_auth_user_id"] == str(person.pk)
    assert Affiliation.objects.filter(user=person, organisation=link.organisation).exists()
    membership = Membership.objects.get(programme=world.programme, organisation=link.organisation)
    assert membership.level == Membership.MemberLevel.CONTRIBUTOR
    edit = client.get(reverse("wiki:create", args=[world.programme.slug]))
    assert edit.status_code == 200  # a contributor may write, straight away
    # The address's confirmation (besides the news of the organisation's membership).
    confirmations = [m for m in mail.outbox if "/accounts/confirm/" in m.body]
    assert [m.to for m in confirmations] == [["nina@nieuwe.example"]]
    path = {step.key: step for step in selectors.joining_path(person, world.programme)}
    assert not path["email"].done and "nina@nieuwe.example" in path["email"].waiting_for
    assert all(path[key].done for key in ("signed_up", "affiliation", "approved", "level"))
    confirm = re.search(r"https?://[^/\s]+(/accounts/confirm/\S+/)", confirmations[0].body)
    client.get(confirm.group(1), follow=True)
    path = {step.key: step for step in selectors.joining_path(person, world.programme)}
    assert path["email"].done


def test_someone_with_an_account_logs_in_and_accepts_and_their_wait_ends(client, world):
    link = _link(world, level=Membership.MemberLevel.OBSERVER)
    person = factories.UserFactory()
    waiting = AffiliationRequest.objects.create(user=person, organisation=link.organisation)
    client.force_login(person)

    page = client.get(link.get_absolute_url()).content.decode()
    assert "Accept the invitation" in page
    client.post(link.get_absolute_url())

    waiting.refresh_from_db()
    assert waiting.status == AffiliationRequest.Status.CONFIRMED
    assert Membership.objects.get(organisation=link.organisation).level == "observer"
    link.refresh_from_db()
    assert link.uses == 1


def test_an_observer_link_does_not_lower_a_contributor(client, world):
    link = services.invitation_link_create(
        programme=world.programme,
        by=world.lead,
        level="observer",
        organisation=world.contributing_org,
    )
    client.force_login(factories.UserFactory())

    client.post(link.get_absolute_url())

    assert Membership.objects.get(organisation=world.contributing_org).level == "contributor"


def test_a_withdrawn_link_lets_nobody_in_and_says_whom_to_ask(client, world):
    link = _link(world)
    client.force_login(world.lead)
    client.post(
        reverse("participation:invitation_link_revoke", args=[world.programme.slug, link.pk])
    )
    client.logout()

    response = _sign_up(client, link)

    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert world.lead.get_full_name() in response.content.decode()
    assert not factories.get_user_model().objects.filter(email="nina@nieuwe.example").exists()
    assert not Membership.objects.filter(organisation=link.organisation).exists()


def test_an_expired_link_lets_nobody_in(client, world):
    link = _link(world)
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = _sign_up(client, link)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Membership.objects.filter(organisation=link.organisation).exists()


def test_a_taken_address_is_refused_with_what_was_typed_kept(client, world):
    link = _link(world)
    factories.UserFactory(email="nina@nieuwe.example")

    response = _sign_up(client, link)

    page = response.content.decode()
    assert response.status_code == 400
    assert "already an account with this e-mail address" in page
    assert 'value="Nina de Vries"' in page
    assert not Membership.objects.filter(organisation=link.organisation).exists()


def test_only_a_lead_of_the_programme_makes_or_withdraws_links(client, world):
    for person in (world.contributor, world.outsider):
        client.force_login(person)
        url = reverse("participation:invitation_links", args=[world.programme.slug])
        assert client.get(url).status_code == 403
    link = _link(world)
    response = client.post(
        reverse("participation:invitation_link_revoke", args=[world.programme.slug, link.pk])
    )
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_lead_may_not_make_a_link_for_an_organisation_they_do_not_speak_for(world):
    other = factories.OrganisationFactory(name="Elders College")
    factories.AffiliationFactory(organisation=other)

    with pytest.raises(services.ValidationError):
        _link(world, organisation=other)
    with pytest.raises(services.ValidationError):
        _link(world, organisation=None, new_organisation_name="elders college")
    assert not InvitationLink.objects.exists()
    assert Organisation.objects.filter(name__iexact="elders college").count() == 1


def test_the_path_says_whom_a_person_who_signed_up_waits_for(client, world):
    person = services.signup(
        name="Sam Smit",
        email="sam@observing.example",
        password=NEW_PASSWORD,
        organisation=world.observing_org,
    )
    path = {step.key: step for step in selectors.joining_path(person, world.programme)}
    assert path["signed_up"].done
    assert "you: open the link" in path["email"].waiting_for
    assert not path["affiliation"].done
    assert world.lead.get_full_name() in path["affiliation"].waiting_for
    assert not path["approved"].done


def test_the_path_names_the_leads_while_a_request_waits(client, world):
    request = factories.asking_to_join(
        world.programme, organisation="Wachtend College", username="wacht"
    )
    client.force_login(request.requested_by)

    page = client.get(reverse("participation:path")).content.decode()

    assert world.programme.name in page
    assert "Asked to join" in page
    assert f"Waiting for {world.lead.get_full_name()}" in page


def test_an_invitation_by_e_mail_for_an_organisation_signs_up_and_takes_part_on_its_page(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            programme=world.programme,
            email="kees@observing.example",
            by=world.lead,
            organisation=world.observing_org,
            level=Membership.MemberLevel.OBSERVER,
        )
    url = reverse("participation:invitation", args=[invitation.token])
    assert "Sign up and take part" in client.get(url).content.decode()

    response = client.post(url, {"name": "Kees Kok", "password": NEW_PASSWORD, "language": "en"})

    assert response.status_code == 302
    person = factories.get_user_model().objects.get(email="kees@observing.example")
    assert client.session["_auth_user_id"] == str(person.pk)
    path = {step.key: step for step in selectors.joining_path(person, world.programme)}
    assert all(step.done for step in path.values()), path  # the mail proved the address
    invitation.refresh_from_db()
    assert invitation.accepted_by == person
