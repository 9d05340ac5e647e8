"""Single sign-on with SAML 2.0 against a real identity provider on loopback (pysaml2's IdP,
tests/sso/saml_idp.py), configured as a social application in the database."""

import json

import pytest

from tests.sso.providers import SAML_ID, Visitor, assert_refused

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = f"/accounts/saml/{SAML_ID}/login/"


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
    answer = visitor.sso(LOGIN, "anna")

    assert_refused(visitor, answer)
    refusals = [line for line in sso_log if "Single sign-on refused" in line]
    assert len(refusals) == 1 and reason in refusals[0], sso_log


def test_replayed_answer_is_refused(live_server, saml_provider, albeda, sso_log):
    visitor = Visitor(live_server)
    visitor.sso(LOGIN, "anna")
    assert visitor.logged_in_as() == "Anna de Vries"
    sent = json.loads(saml_provider.log("responses.log")[-1])

    attacker = Visitor(live_server)
    replayed = attacker.post_saml_response(sent["action"], sent["response"])
    assert replayed.url.endswith("/accounts/login/")
    assert attacker.logged_in_as() == ""
    assert any("Single sign-on refused" in line for line in sso_log)


def test_log_out_ends_the_session_at_the_identity_provider_too(live_server, saml_provider, albeda):
    visitor = Visitor(live_server)
    visitor.sso(LOGIN, "anna")
    # The provider remembers the person: a second log-in needs no password.
    visitor.log_out()
    assert visitor.logged_in_as() == ""
    assert saml_provider.log("logouts.log") == ["pid-anna"]

    page = visitor.start_sso(LOGIN)
    assert "Provider password" in page.text, "the provider still had a session"


def test_provider_remembers_the_person_until_single_log_out(live_server, saml_provider, albeda):
    visitor = Visitor(live_server)
    visitor.sso(LOGIN, "anna")
    visitor.forget_stip_session()
    assert visitor.logged_in_as() == ""

    visitor.follow_saml_post(visitor.start_sso(LOGIN))
    assert visitor.logged_in_as() == "Anna de Vries"
