"""Two-factor log-in with an authenticator app (TOTP) and recovery codes, through the password
form. The codes are computed here from the secret the activation page shows, as an app would."""

import datetime

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.urls import reverse

from participation import permissions
from tests import factories
from tests.sso.providers import totp_code

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _log_in(client, person, password=factories.PASSWORD):
    return client.post(
        reverse("login"), {"username": person.username, "password": password, "next": "/search/"}
    )


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _activate(client, person, clock) -> tuple[str, list[str]]:
    _log_in(client, person)
    asked = client.get(reverse("mfa_activate_totp"))
    assert asked.url.startswith(reverse("account_reauthenticate")), "the password is asked again"
    client.post(asked.url, {"password": factories.PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret in page.text, "the secret is shown for apps that cannot scan the QR code"
    done = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert done.status_code == 302
    codes = Authenticator.objects.get(user=person, type="recovery_codes").wrap()
    client.post(reverse("logout"))
    clock.shift(60)
    return secret, codes.get_unused_codes()


def test_person_with_an_authenticator_app_needs_its_code_after_the_password(client, clock):
    person = factories.UserFactory()
    secret, _codes = _activate(client, person, clock)

    step = _log_in(client, person)
    assert step.status_code == 302 and step.url == reverse("mfa_authenticate")
    assert not _logged_in(client), "the password alone does not log in"

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200 and not _logged_in(client)
    assert "Incorrect code" in wrong.text

    right = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert right.status_code == 302 and right.url == "/search/"
    assert _logged_in(client)


def test_recovery_code_logs_in_once(client, clock):
    person = factories.UserFactory()
    _secret, codes = _activate(client, person, clock)
    assert len(codes) == 10

    _log_in(client, person)
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert _logged_in(client)
    client.post(reverse("logout"))

    _log_in(client, person)
    again = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert again.status_code == 200 and not _logged_in(client)


def test_wrong_password_never_reaches_the_code(client, clock):
    person = factories.UserFactory()
    _activate(client, person, clock)

    response = _log_in(client, person, password="wrong")
    assert response.status_code == 200
    assert 'class="form-errors" role="alert"' in response.text
    assert client.get(reverse("mfa_authenticate")).status_code == 302


def test_log_in_with_a_code_counts_as_two_factor_for_the_permission_module(rf, client, clock):
    person = factories.UserFactory()
    secret, _codes = _activate(client, person, clock)
    _log_in(client, person)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    page = client.get("/")
    user = page.wsgi_request.user
    assert permissions.login_strength(user) == permissions.LoginStrength.TWO_FACTOR
