"""Sign-up, affiliation, join requests, decisions, invitations and the membership record."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from participation import permissions, selectors, services
from participation.emails import signup_token
from participation.models import (
    Affiliation,
    AffiliationRequest,
    Event,
    Invitation,
    JoinRequest,
    Level,
    Membership,
    MembershipChange,
    Notification,
    Organisation,
    ProgrammeSettings,
)
from tests import factories

pytestmark = pytest.mark.django_db


def fresh(user):
    """The person as a new request sees them (levels are memoised per user object)."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def newcomer(world):
    """A confirmed person from an organisation that is not yet in the programme."""
    organisation = factories.OrganisationFactory(name="Nieuwe School")
    person = factories.UserFactory(username="newcomer")
    factories.AffiliationFactory(user=person, organisation=organisation)
    return person, organisation


def _confirmation_link(message) -> str:
    line = next(line for line in message.body.splitlines() if "/accounts/confirm/" in line)
    return line.strip().replace("http://testserver", "")


def test_signup_sends_a_confirmation_link_that_activates_the_account(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("participation:signup"),
            {
                "name": "Fatima de Vries",
                "email": "Fatima@Example.org",
                "password": "a-long-and-unusual-passphrase",
                "organisation": world.observing_org.pk,
                "language": "nl",
            },
        )
    assert response.status_code == 200
    user = get_user_model().objects.get(email="fatima@example.org")
    assert not user.is_active
    (message,) = mail.outbox
    assert message.alternatives[0][1] == "text/html"
    assert user.stip_profile.language == "nl"  # her e-mail is rendered in Dutch

    response = client.get(_confirmation_link(message))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active
    assert client.get(reverse("participation:notifications")).status_code == 200
    assert AffiliationRequest.objects.get(user=user).status == "pending"


def test_signup_with_a_taken_address_keeps_what_was_typed(client, world):
    response = client.post(
        reverse("participation:signup"),
        {
            "name": "Iemand",
            "email": world.observer.email,
            "password": "a-long-and-unusual-passphrase",
            "new_organisation": "Eigen School",
        },
    )
    assert response.status_code == 200
    assert "already an account" in response.content.decode()
    assert 'value="Eigen School"' in response.content.decode()
    assert not Organisation.objects.filter(name="Eigen School").exists()


def test_a_tampered_confirmation_link_activates_nothing(client, world):
    user = services.signup(
        name="Jan Jansen",
        email="jan@example.org",
        password="a-long-and-unusual-passphrase",
        new_organisation_name="Gemeente Ergens",
    )
    response = client.get(reverse("participation:confirm", args=["nonsense"]))
    assert "not valid" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active


def test_new_organisation_waits_for_the_leads_of_the_programme_it_asks_to_join(world):
    user = services.signup(
        name="Jan Jansen",
        email="jan@example.org",
        password="a-long-and-unusual-passphrase",
        new_organisation_name="Gemeente Ergens",
    )
    services.signup_confirm(token=signup_token(user))
    request = AffiliationRequest.objects.get(user=user)
    assert request.new_organisation and not request.organisation.is_confirmed
    with pytest.raises(PermissionDenied):  # it has asked nobody yet
        services.affiliation_decide(request=request, by=world.lead, confirm=True)
    join_request = services.join_request_create(
        programme=world.programme,
        organisation=request.organisation,
        by=fresh(user),
        motivation="Wij willen meekijken.",
    )
    assert join_request.status == JoinRequest.Status.PENDING
    with pytest.raises(PermissionDenied):
        services.affiliation_decide(request=request, by=world.observer, confirm=True)
    assert list(selectors.affiliation_requests_for(world.lead)) == [request]

    services.join_request_decide(join_request=join_request, by=world.lead, approve=True)

    request.organisation.refresh_from_db()
    assert request.organisation.is_confirmed
    assert Affiliation.objects.get(user=user, organisation=request.organisation).is_contact
    assert permissions.level_of(fresh(user), world.programme) == Level.OBSERVER


def test_contact_confirms_a_colleague_of_an_existing_organisation(world):
    Affiliation.objects.filter(user=world.observer).update(is_contact=True)
    user = services.signup(
        name="Piet Pieters",
        email="piet@example.org",
        password="a-long-and-unusual-passphrase",
        organisation=world.observing_org,
    )
    services.signup_confirm(token=signup_token(user))
    request = AffiliationRequest.objects.get(user=user)
    assert list(selectors.affiliation_requests_for(world.observer)) == [request]
    assert list(selectors.affiliation_requests_for(world.contributor)) == []
    services.affiliation_decide(request=request, by=world.observer, confirm=True)
    assert permissions.level_of(fresh(user), world.programme) == Level.OBSERVER


def test_whoever_may_confirm_a_colleague_is_emailed_once_after_they_confirm_their_address(
    client, world, django_capture_on_commit_callbacks
):
    Affiliation.objects.filter(user=world.observer).update(is_contact=True)
    with django_capture_on_commit_callbacks(execute=True):
        user = services.signup(
            name="Piet Pieters",
            email="piet@example.org",
            password="a-long-and-unusual-passphrase",
            organisation=world.observing_org,
        )
    assert [m.to for m in mail.outbox] == [["piet@example.org"]]  # not yet: unconfirmed
    mail.outbox.clear()
    for _twice in range(2):  # the confirmation link used twice announces once
        with django_capture_on_commit_callbacks(execute=True):
            services.signup_confirm(token=signup_token(user))
    assert [m.to for m in mail.outbox] == [[world.observer.email]]  # the contact, not a lead
    message = mail.outbox[0]
    assert "Piet Pieters" in message.subject and world.observing_org.name in message.subject
    link = next(line for line in message.body.splitlines() if "/accounts/affiliations/" in line)
    client.force_login(world.observer)
    assert (
        "piet@example.org"
        in client.get(link.strip().replace("http://testserver", "")).content.decode()
    )


def test_an_announcement_lost_between_commit_and_enqueue_goes_out_with_the_sweep(world):
    import time_machine

    from participation.tasks import outbox_sweep_task

    user = services.signup(
        name="Piet Pieters",
        email="piet@example.org",
        password="a-long-and-unusual-passphrase",
        organisation=world.observing_org,
    )
    services.signup_confirm(token=signup_token(user))  # its after-commit work never ran
    mail.outbox.clear()
    outbox_sweep_task()
    assert mail.outbox == []  # the request's own enqueue gets a minute first
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        outbox_sweep_task()
        outbox_sweep_task()
    assert len(mail.outbox) == 1 and "Piet Pieters" in mail.outbox[0].subject


def test_a_new_organisation_that_asked_nobody_is_announced_to_superusers_only(
    world, django_capture_on_commit_callbacks
):
    admin = factories.UserFactory(username="admin", is_superuser=True, is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        user = services.signup(
            name="Jan Jansen",
            email="jan@example.org",
            password="a-long-and-unusual-passphrase",
            new_organisation_name="Gemeente Ergens",
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.signup_confirm(token=signup_token(user))
    assert [m.to for m in mail.outbox] == [[admin.email]]  # not the leads of any programme
    assert "added this organisation themselves" in mail.outbox[0].body


def test_outsider_asks_to_join_and_lead_approves_with_history_and_notification(
    world, newcomer, django_capture_on_commit_callbacks
):
    person, organisation = newcomer
    with django_capture_on_commit_callbacks(execute=True):
        join_request = services.join_request_create(
            programme=world.programme,
            organisation=organisation,
            by=person,
            motivation="We willen meekijken met de leerlingadministratie.",
        )
    assert join_request.status == JoinRequest.Status.PENDING
    assert Notification.objects.filter(
        recipient=world.lead, kind=Event.Kind.JOIN_REQUESTED
    ).exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_decide(
            join_request=join_request, by=world.lead, approve=True, reason="Welkom!"
        )
    membership = Membership.objects.get(programme=world.programme, organisation=organisation)
    assert membership.level == Membership.MemberLevel.OBSERVER
    change = MembershipChange.objects.get(organisation=organisation)
    assert (change.from_level, change.to_level, change.changed_by) == ("", "observer", world.lead)
    assert change.reason == "Welkom!"
    note = Notification.objects.get(recipient=person, kind=Event.Kind.JOIN_APPROVED)
    assert "Welkom!" in note.event.summary
    assert permissions.level_of(fresh(person), world.programme) == Level.OBSERVER


def test_declining_needs_a_reason_and_tells_the_requester(
    world, newcomer, django_capture_on_commit_callbacks
):
    person, organisation = newcomer
    join_request = services.join_request_create(
        programme=world.programme, organisation=organisation, by=person, motivation="Graag."
    )
    with pytest.raises(ValidationError):
        services.join_request_decide(join_request=join_request, by=world.lead, approve=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_decide(
            join_request=join_request, by=world.lead, approve=False, reason="Alleen scholen."
        )
    assert not Membership.objects.filter(organisation=organisation).exists()
    assert Notification.objects.get(recipient=person).kind == Event.Kind.JOIN_DECLINED
    assert any("Alleen scholen." in m.body for m in mail.outbox if person.email in m.to)


def test_observer_cannot_decide_a_request(world, newcomer):
    person, organisation = newcomer
    join_request = services.join_request_create(
        programme=world.programme, organisation=organisation, by=person, motivation="Graag."
    )
    with pytest.raises(PermissionDenied):
        services.join_request_decide(join_request=join_request, by=world.observer, approve=True)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.PENDING


def test_a_second_request_while_one_waits_is_refused(world, newcomer):
    person, organisation = newcomer
    services.join_request_create(
        programme=world.programme, organisation=organisation, by=person, motivation="Graag."
    )
    with pytest.raises(services.JoiningError):
        services.join_request_create(
            programme=world.programme, organisation=organisation, by=person, motivation="Nog eens."
        )


def test_nobody_may_ask_for_an_organisation_they_do_not_work_for(world, newcomer):
    _person, organisation = newcomer
    with pytest.raises(PermissionDenied):
        services.join_request_create(
            programme=world.programme, organisation=organisation, by=world.outsider, motivation="x"
        )


def test_programme_that_admits_observers_at_once_needs_no_decision(world, newcomer):
    person, organisation = newcomer
    ProgrammeSettings.objects.create(programme=world.programme, admit_observers=True)
    join_request = services.join_request_create(
        programme=world.programme, organisation=organisation, by=person, motivation="Graag."
    )
    assert join_request.status == JoinRequest.Status.APPROVED
    assert permissions.level_of(fresh(person), world.programme) == Level.OBSERVER


def test_observer_asks_for_contributor_and_can_edit_after_approval(world):
    join_request = services.join_request_create(
        programme=world.programme,
        organisation=world.observing_org,
        by=world.observer,
        motivation="We willen meeschrijven.",
    )
    assert join_request.level == Membership.MemberLevel.CONTRIBUTOR
    assert not permissions.can(world.observer, permissions.Action.EDIT, world.programme)
    services.join_request_decide(join_request=join_request, by=world.lead, approve=True)
    permissions.forget(world.observer)
    assert permissions.can(world.observer, permissions.Action.EDIT, world.programme)
    change = MembershipChange.objects.get(organisation=world.observing_org)
    assert (change.from_level, change.to_level) == ("observer", "contributor")


def test_lead_demotes_and_removes_directly_and_every_change_is_recorded(world):
    membership = Membership.objects.get(organisation=world.contributing_org)
    services.membership_set_level(
        membership=membership, level="observer", by=world.lead, reason="Tijdelijk"
    )
    services.membership_remove(membership=membership, by=world.lead, reason="Gestopt")
    changes = list(
        MembershipChange.objects.filter(organisation=world.contributing_org).order_by("pk")
    )
    assert [(c.from_level, c.to_level, c.reason) for c in changes] == [
        ("contributor", "observer", "Tijdelijk"),
        ("observer", "", "Gestopt"),
    ]


def test_invitation_works_once_and_admits_the_invited_organisation(
    world, django_capture_on_commit_callbacks
):
    organisation = factories.OrganisationFactory(name="Uitgenodigde School")
    person = factories.UserFactory(username="invitee")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            programme=world.programme,
            email=person.email,
            organisation=organisation,
            level="contributor",
            by=world.lead,
        )
    (message,) = [m for m in mail.outbox if person.email in m.to and "invitation" in m.subject]
    assert invitation.token in message.body
    services.invitation_accept(token=invitation.token, user=person)
    assert permissions.level_of(fresh(person), world.programme) == Level.CONTRIBUTOR
    with pytest.raises(services.JoiningError):
        services.invitation_accept(token=invitation.token, user=person)


def test_an_expired_invitation_admits_nobody(client, world):
    person = factories.UserFactory(username="late")
    invitation = services.invitation_create(
        programme=world.programme,
        email=person.email,
        organisation=world.observing_org,
        by=world.lead,
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(person)
    response = client.post(reverse("participation:invitation", args=[invitation.token]))
    assert "expired" in response.content.decode()
    assert not Affiliation.objects.filter(user=person).exists()


def test_members_page_shows_organisations_levels_and_growth_chart(client, world, newcomer):
    person, organisation = newcomer
    join_request = services.join_request_create(
        programme=world.programme, organisation=organisation, by=person, motivation="Graag."
    )
    services.join_request_decide(join_request=join_request, by=world.lead, approve=True)
    response = client.get(reverse("participation:members", args=[world.programme.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nieuwe School" in html and "open Contributing College" in html
    assert "<svg" in html and "<polyline" in html
    assert "Members after each change" in html


def test_members_page_has_the_programme_tabs_a_full_breadcrumb_and_folded_row_forms(client, world):
    client.force_login(world.lead)
    members_url = reverse("participation:members", args=[world.programme.slug])
    html = client.get(members_url).content.decode()
    crumbs = html[html.index('class="breadcrumbs"') :].split("</nav>")[0]
    assert f'href="{reverse("home")}">Programmes</a>' in crumbs and world.programme.name in crumbs
    tabs = html[html.index('class="programme-nav"') :].split("</nav>")[0]
    assert f'href="{members_url}" aria-current="page">Members</a>' in tabs
    assert "Documents" in tabs and "Timeboxes" in tabs
    folded = re.findall(r'<details class="row-action">(.*?)</details>', html, re.DOTALL)
    assert len(folded) == world.programme.memberships.count() > 0
    assert all("<select" in form and 'name="reason"' in form for form in folded)
    table = html[html.index('aria-labelledby="organisations"') :].split("</section>")[0]
    assert table.count("<select") == len(folded)  # no level select outside the folded forms


def test_leads_find_the_invitation_links_from_the_members_page(client, world):
    members_url = reverse("participation:members", args=[world.programme.slug])
    links_url = reverse("participation:invitation_links", args=[world.programme.slug])
    client.force_login(world.lead)
    html = client.get(members_url).content.decode()
    assert f'href="{links_url}">Invitation links</a>' in html
    assert client.get(links_url).status_code == 200
    client.force_login(world.contributor)
    assert links_url not in client.get(members_url).content.decode()


def test_members_page_of_a_members_only_programme_is_hidden_from_outsiders(client, closed_world):
    client.force_login(closed_world.outsider)
    response = client.get(reverse("participation:members", args=[closed_world.programme.slug]))
    assert response.status_code == 404


def test_observer_cannot_open_the_requests_page(client, world):
    client.force_login(world.observer)
    response = client.get(reverse("participation:requests", args=[world.programme.slug]))
    assert response.status_code == 403


def test_lead_decides_in_the_site(client, world, newcomer):
    person, organisation = newcomer
    join_request = services.join_request_create(
        programme=world.programme, organisation=organisation, by=person, motivation="Graag."
    )
    client.force_login(world.lead)
    url = reverse("participation:requests", args=[world.programme.slug])
    assert "Graag." in client.get(url).content.decode()
    response = client.post(url, {"request": join_request.pk, "decision": "decline"})
    assert response.status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.PENDING, "a decline without reason is refused"
    client.post(url, {"request": join_request.pk, "decision": "approve", "reason": ""})
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED


def test_contact_is_pointed_to_colleagues_waiting_for_confirmation(client, world):
    Affiliation.objects.filter(user=world.observer).update(is_contact=True)
    user = services.signup(
        name="Kees Klaassen",
        email="kees@example.org",
        password="a-long-and-unusual-passphrase",
        organisation=world.observing_org,
    )
    services.signup_confirm(token=signup_token(user))
    client.force_login(world.observer)
    html = client.get(reverse("participation:notifications")).content.decode()
    assert "1 person waits for you to confirm" in html
    page = client.get(reverse("participation:affiliations")).content.decode()
    assert "kees@example.org" in page
    client.post(
        reverse("participation:affiliations"),
        {"request": AffiliationRequest.objects.get(user=user).pk, "decision": "confirm"},
    )
    assert Affiliation.objects.filter(user=user, organisation=world.observing_org).exists()


def test_lead_sets_the_programme_to_admit_observers_at_once_and_an_observer_cannot(client, world):
    url = reverse("participation:joining_settings", args=[world.programme.slug])
    client.force_login(world.observer)
    assert client.post(url, {"admit_observers": "on"}).status_code == 403
    assert not services.admits_observers(world.programme)
    client.force_login(world.lead)
    client.post(url, {"admit_observers": "on"})
    assert services.admits_observers(world.programme)
    members = client.get(reverse("participation:members", args=[world.programme.slug]))
    assert 'name="admit_observers" checked' in members.content.decode()
