"""Single sign-on with SAML 2.0 against a real identity provider on loopback (pysaml2's IdP,
tests/sso/saml_idp.py), configured as a social application in the database."""

import json

import pytest
from django.contrib.auth import get_user_model

from participation.models import Affiliation, IdentityDomain
from tests import factories
from tests.sso.providers import PEOPLE, SAML_ID, Visitor

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = f"/accounts/saml/{SAML_ID}/login/"


@pytest.fixture
def albeda():
    organisation = factories.OrganisationFactory(name="Albeda", is_confirmed=True)
    IdentityDomain.objects.create(organisation=organisation, value="albeda.nl")
    return organisation


def test_person_of_a_known_school_logs_in_and_belongs_to_it_at_once(
    live_server, saml_provider, albeda
):
    visitor = Visitor(live_server)
    page = visitor.start_sso(LOGIN)
    assert "Test identity provider (SAML)" in page.text
    visitor.sign_in_at_provider(page, "anna", PEOPLE["anna"]["password"])

    assert visitor.logged_in_as() == "Anna de Vries"
    person = get_user_model().objects.get(email="anna.devries@albeda.nl")
    assert Affiliation.objects.filter(user=person, organisation=albeda).exists()


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("tamper", "Signature validation failed"),
        ("wrong_audience", "is not a valid audience"),
        ("expired", "expired"),
    ],
)
def test_tampered_misaddressed_or_expired_answer_is_refused_and_logged(
    live_server, saml_provider, albeda, sso_log, mode, reason
):
    saml_provider.misbehave(mode)
    visitor = Visitor(live_server)
    answer = visitor.sign_in_at_provider(
        visitor.start_sso(LOGIN), "anna", PEOPLE["anna"]["password"]
    )

    assert answer.url.endswith("/accounts/login/")
    assert "could not be trusted or has expired" in answer.text
    assert visitor.logged_in_as() == ""
    assert not get_user_model().objects.exists()
    refusals = [line for line in sso_log if "Single sign-on refused" in line]
    assert len(refusals) == 1 and reason in refusals[0], sso_log


def test_replayed_answer_is_refused(live_server, saml_provider, albeda, sso_log):
    visitor = Visitor(live_server)
    visitor.sign_in_at_provider(visitor.start_sso(LOGIN), "anna", PEOPLE["anna"]["password"])
    assert visitor.logged_in_as() == "Anna de Vries"
    sent = json.loads(saml_provider.log("responses.log")[-1])

    attacker = Visitor(live_server)
    replayed = attacker.post_saml_response(sent["action"], sent["response"])
    assert replayed.url.endswith("/accounts/login/")
    assert attacker.logged_in_as() == ""
    assert any("Single sign-on refused" in line for line in sso_log)


def test_log_out_ends_the_session_at_the_identity_provider_too(live_server, saml_provider, albeda):
    visitor = Visitor(live_server)
    visitor.sign_in_at_provider(visitor.start_sso(LOGIN), "anna", PEOPLE["anna"]["password"])
    # The provider remembers the person: a second log-in needs no password.
    visitor.http.post(
        f"{live_server.url}/accounts/logout/",
        data={"csrfmiddlewaretoken": visitor.http.cookies["csrftoken"]},
        timeout=20,
    )
    assert visitor.logged_in_as() == ""
    assert saml_provider.log("logouts.log") == ["pid-anna"]

    page = visitor.start_sso(LOGIN)
    assert "Provider password" in page.text, "the provider still had a session"


def test_provider_remembers_the_person_until_single_log_out(live_server, saml_provider, albeda):
    visitor = Visitor(live_server)
    visitor.sign_in_at_provider(visitor.start_sso(LOGIN), "anna", PEOPLE["anna"]["password"])
    visitor.http.cookies.set("sessionid", None, domain="localhost.local")
    for cookie in list(visitor.http.cookies):
        if cookie.name == "sessionid":
            visitor.http.cookies.clear(cookie.domain, cookie.path, cookie.name)
    assert visitor.logged_in_as() == ""

    answer = visitor.follow_saml_post(visitor.start_sso(LOGIN))
    assert visitor.logged_in_as() == "Anna de Vries", answer.url
