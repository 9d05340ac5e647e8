"""Single sign-on in Chromium against the real identity providers on loopback: press the
button, log in at the provider's page, come back logged in and affiliated; the unknown school
(waiting), the tampered answer (refused, the password form still there) and log-out at both."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from participation.models import Affiliation, AffiliationRequest
from tests.sso.providers import PEOPLE

pytestmark = pytest.mark.django_db(transaction=True)


def _sso(page, button: str, person: str):
    page.goto("/accounts/login/")
    page.get_by_role("button", name=button).click()
    page.get_by_label("Provider user name").fill(person)
    page.get_by_label("Provider password").fill(PEOPLE[person]["password"])
    page.get_by_role("button", name="Sign in at the provider").click()
    page.wait_for_url(re.compile(r"^http://localhost:\d+/"))
    page.wait_for_load_state()


def test_oidc_log_in_comes_back_logged_in_and_affiliated(page, oidc_provider, albeda):
    _sso(page, "Log in with Test OIDC", "anna")

    expect(page.locator(".account-name")).to_have_text("Anna de Vries")
    person = get_user_model().objects.get(email="anna.devries@albeda.nl")
    assert Affiliation.objects.filter(user=person, organisation=albeda).exists()

    page.get_by_role("button", name="Log out").click()
    expect(
        page.get_by_role("heading", name="Log out of the test identity provider?")
    ).to_be_visible()
    page.get_by_role("button", name="Log out at the provider").click()
    page.wait_for_url(re.compile(r"^http://localhost:\d+/$"))
    expect(
        page.get_by_role("banner").get_by_role("link", name="Log in", exact=True)
    ).to_be_visible()


def test_saml_log_in_of_an_unknown_school_waits_for_confirmation(page, saml_provider):
    _sso(page, "Log in with Test SAML", "bram")

    expect(page.locator(".account-name")).to_have_text("Bram Jansen")
    expect(page.get_by_text("unknown-school.nl is new in Stip")).to_be_visible()
    request = AffiliationRequest.objects.get(user__email="bram@unknown-school.nl")
    assert request.status == AffiliationRequest.Status.PENDING


def test_tampered_saml_answer_is_refused_and_the_password_form_stays(page, saml_provider):
    saml_provider.misbehave("tamper")
    _sso(page, "Log in with Test SAML", "anna")

    expect(page.get_by_role("alert")).to_contain_text("could not be trusted")
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.locator(".account-name")).to_have_count(0)
    assert not get_user_model().objects.exists()


def test_saml_log_out_ends_the_session_at_the_identity_provider(page, saml_provider, albeda):
    _sso(page, "Log in with Test SAML", "anna")
    expect(page.locator(".account-name")).to_have_text("Anna de Vries")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"^http://localhost:\d+/$"))
    expect(
        page.get_by_role("banner").get_by_role("link", name="Log in", exact=True)
    ).to_be_visible()
    assert saml_provider.log("logouts.log") == ["pid-anna"]

    page.goto("/accounts/login/")
    page.get_by_role("button", name="Log in with Test SAML").click()
    expect(page.get_by_label("Provider password")).to_be_visible()
