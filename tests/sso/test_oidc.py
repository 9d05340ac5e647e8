"""Single sign-on with OpenID Connect against a real provider on loopback (django-oauth-toolkit,
tests/sso/oidc_provider.py), configured through the environment."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from participation import permissions, selectors, services
from participation.models import Affiliation, AffiliationRequest, Profile
from tests import factories
from tests.sso.providers import OIDC_ID, PEOPLE, Visitor, assert_refused, callback_url

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = f"/accounts/oidc/{OIDC_ID}/login/"


def test_person_of_an_unknown_school_waits_for_confirmation_and_reads_open_programmes(
    live_server, oidc_provider, mailoutbox
):
    admin = factories.UserFactory(email="admin@example.org", is_superuser=True, is_staff=True)
    lead = factories.UserFactory(email="lead@example.org")
    programme = factories.ProgrammeFactory()
    factories.LeadRoleFactory(programme=programme, user=lead)
    other_lead = factories.UserFactory(email="other-lead@example.org")
    factories.LeadRoleFactory(programme=factories.ProgrammeFactory(), user=other_lead)
    visitor = Visitor(live_server)
    page = visitor.start_sso(LOGIN)
    landing = visitor.sign_in_at_provider(page, "bram", PEOPLE["bram"]["password"])

    assert "unknown-school.nl is new in Stip" in landing.text
    assert visitor.logged_in_as() == "Bram Jansen"
    person = get_user_model().objects.get(email="bram@unknown-school.nl")
    assert not Affiliation.objects.filter(user=person).exists()
    request = AffiliationRequest.objects.get(user=person)
    assert request.status == AffiliationRequest.Status.PENDING
    organisation = request.organisation
    assert organisation.name == "unknown-school.nl"
    assert not organisation.is_confirmed
    assert organisation.identity_domains.get().value == "unknown-school.nl"
    assert visitor.get(programme.get_absolute_url()).status_code == 200

    # The same rule as after a sign-up: until the new organisation asks to join a programme,
    # only superusers may confirm it, and only they are told; no lead of any programme is.
    assert [message.to for message in mailoutbox] == [[admin.email]]
    for someone in (lead, other_lead):
        assert not permissions.may_confirm_affiliation(someone, organisation)
        assert list(selectors.affiliation_requests_for(someone)) == []
    assert list(selectors.affiliation_requests_for(admin)) == [request]

    # Once the person asks to join a programme for it, that programme's leads may confirm it.
    services.join_request_create(
        programme=programme, organisation=organisation, by=person, motivation="Wij doen mee."
    )
    assert permissions.may_confirm_affiliation(lead, organisation)
    assert list(selectors.affiliation_requests_for(lead)) == [request]
    assert not permissions.may_confirm_affiliation(other_lead, organisation)


def test_name_and_address_follow_the_provider_at_each_log_in(live_server, oidc_provider, albeda):
    visitor = Visitor(live_server)
    visitor.sso(LOGIN, "anna")
    married = {**PEOPLE["anna"], "family_name": "Bakker", "email": "anna.bakker@albeda.nl"}
    oidc_provider.people({**PEOPLE, "anna": married})

    again = Visitor(live_server)
    again.sso(LOGIN, "anna")

    assert again.logged_in_as() == "Anna Bakker"
    person = get_user_model().objects.get()
    assert (person.last_name, person.email) == ("Bakker", "anna.bakker@albeda.nl")


def test_confirmed_password_account_is_joined_by_its_address(live_server, oidc_provider, albeda):
    existing = factories.UserFactory(
        username="anna.devries@albeda.nl", email="anna.devries@albeda.nl"
    )
    Profile.objects.update_or_create(user=existing, defaults={"email_confirmed_at": timezone.now()})
    visitor = Visitor(live_server)
    visitor.sso(LOGIN, "anna")

    assert get_user_model().objects.get() == existing
    assert SocialAccount.objects.get().user == existing
    existing.refresh_from_db()
    assert existing.check_password(factories.PASSWORD), "the password log-in stays"


def test_unconfirmed_account_with_the_same_address_is_not_taken_over(
    live_server, oidc_provider, albeda, sso_log
):
    squatter = factories.UserFactory(username="someone", email="anna.devries@albeda.nl")
    visitor = Visitor(live_server)
    answer = visitor.sso(LOGIN, "anna")

    assert answer.url.endswith("/accounts/login/")
    assert "has not been confirmed on both sides" in answer.text
    assert visitor.logged_in_as() == ""
    assert get_user_model().objects.get() == squatter
    assert not SocialAccount.objects.exists()
    assert any("address is not confirmed" in line for line in sso_log)


@pytest.mark.parametrize("mode", ["wrong_audience", "expired"])
def test_id_token_for_another_service_or_expired_is_refused_and_logged(
    live_server, oidc_provider, albeda, sso_log, mode
):
    oidc_provider.misbehave(mode)
    visitor = Visitor(live_server)
    answer = visitor.sso(LOGIN, "anna")

    assert_refused(visitor, answer)
    assert any("Single sign-on refused" in line and "id_token" in line for line in sso_log)


def test_replayed_answer_of_the_provider_is_refused(live_server, oidc_provider, albeda, sso_log):
    visitor = Visitor(live_server)
    url = callback_url(visitor, visitor.start_sso(LOGIN), "anna", PEOPLE["anna"]["password"])
    visitor.http.get(url, timeout=20)
    assert visitor.logged_in_as() == "Anna de Vries"

    attacker = Visitor(live_server)
    replayed = attacker.http.get(url, timeout=20)
    assert replayed.url.endswith("/accounts/login/")
    assert attacker.logged_in_as() == ""
    again = visitor.http.get(url, timeout=20)
    assert again.url.endswith("/accounts/login/")
    assert len([line for line in sso_log if "Single sign-on refused" in line]) == 2


def test_unreachable_provider_is_told_in_dutch_and_passwords_still_work(
    live_server, oidc_provider, settings
):
    from tests.sso.providers import free_port

    settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"][0]["settings"]["server_url"] = (
        f"http://127.0.0.1:{free_port()}/o"
    )
    person = factories.UserFactory(username="piet")
    visitor = Visitor(live_server)
    visitor.http.headers["Accept-Language"] = "nl"
    answer = visitor.start_sso(LOGIN)

    assert answer.status_code == 200 and answer.url.endswith("/accounts/login/")
    assert "Test OIDC is op dit moment niet bereikbaar" in answer.text
    logged_in = visitor.log_in_with_password(person.username, factories.PASSWORD)
    assert logged_in.status_code == 200
    assert visitor.logged_in_as() == person.get_full_name()


def test_failed_single_sign_ons_count_towards_the_address_lock(
    live_server, oidc_provider, albeda, settings
):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    oidc_provider.misbehave("expired")
    person = factories.UserFactory(username="piet")
    visitor = Visitor(live_server)
    answers = [visitor.sso(LOGIN, "anna")]
    # The provider remembers Anna: the next tries come straight back with a bad ID token.
    answers += [visitor.start_sso(LOGIN) for _ in range(2)]
    assert all("could not be trusted" in answer.text for answer in answers[:2])
    assert answers[2].status_code == 429, "the third failure locks the address"

    assert visitor.log_in_with_password(person.username, factories.PASSWORD).status_code == 429
    oidc_provider.misbehave("")
    refused = visitor.start_sso(LOGIN)
    assert refused.status_code == 429
    assert visitor.logged_in_as() == ""


def test_log_out_ends_the_session_at_the_provider_too(live_server, oidc_provider, albeda):
    visitor = Visitor(live_server)
    visitor.sso(LOGIN, "anna")
    again = visitor.start_sso(LOGIN)
    assert visitor.logged_in_as() == "Anna de Vries", "the provider remembered the person"
    assert again.url.startswith(live_server.url)

    question = visitor.log_out()
    assert visitor.logged_in_as() == ""
    assert "Log out of the test identity provider?" in question.text
    answer = visitor.confirm_at_provider(question)
    assert answer.url == f"{live_server.url}/"
    page = visitor.start_sso(LOGIN)
    assert "Provider password" in page.text, "the provider still had a session"


def test_programme_asking_for_single_sign_on_lets_in_the_sso_session_not_the_password_one(
    live_server, oidc_provider, albeda
):
    """The session's log-in decides (LoginMethodMiddleware): the same person contributes after
    single sign-on and reads along after a password log-in."""
    from participation.models import Membership, ProgrammeSettings
    from wiki import services as wiki_services
    from wiki.models import Document

    programme = factories.ProgrammeFactory(name="Triple A")
    factories.MembershipFactory(
        programme=programme, organisation=albeda, level=Membership.MemberLevel.CONTRIBUTOR
    )
    lead = factories.UserFactory()
    factories.LeadRoleFactory(programme=programme, user=lead)
    document = wiki_services.document_create(
        programme=programme, kind=Document.Kind.PAGE, title="Visie", body="Tekst.\n", author=lead
    )
    ProgrammeSettings.objects.create(programme=programme, login_requirement="sso")
    anna = factories.UserFactory(username="anna", email="anna.devries@albeda.nl")
    factories.AffiliationFactory(user=anna, organisation=albeda)
    Profile.objects.update_or_create(user=anna, defaults={"email_confirmed_at": timezone.now()})
    edit = reverse("wiki:edit", kwargs={"programme": programme.slug, "slug": document.slug})

    by_password = Visitor(live_server)
    by_password.log_in_with_password("anna", factories.PASSWORD)
    refused = by_password.get(edit)
    assert refused.status_code == 403
    assert "asks its contributors to log in with single sign-on" in refused.text

    by_sso = Visitor(live_server)
    by_sso.sso(LOGIN, "anna")
    assert by_sso.logged_in_as() == "Anna de Vries"
    assert by_sso.get(edit).status_code == 200
