"""Failed log-ins are throttled per account and per address (django-axes)."""

import importlib
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

LIMIT = 3
throttled = override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=LIMIT)


def _log_in(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@throttled
def test_account_is_locked_after_repeated_failures_even_with_the_right_password(client):
    person = factories.UserFactory(username="ana")
    for n in range(LIMIT):
        _log_in(client, person.username, f"wrong-{n}", address=f"10.0.0.{n + 1}")

    response = _log_in(client, person.username, factories.PASSWORD, address="10.0.9.9")

    assert response.status_code == 429
    assert not _logged_in(client)
    assert "Too many failed log-ins" in response.content.decode()


@throttled
def test_address_is_locked_after_failures_on_many_accounts(client):
    people = [factories.UserFactory(username=f"guess{n}") for n in range(LIMIT)]
    for person in people:
        _log_in(client, person.username, "wrong", address="10.0.0.66")
    bystander = factories.UserFactory(username="bystander")

    from_same_address = _log_in(client, bystander.username, factories.PASSWORD, "10.0.0.66")
    assert from_same_address.status_code == 429
    assert not _logged_in(client)

    from_elsewhere = _log_in(client, bystander.username, factories.PASSWORD, "10.0.0.7")
    assert from_elsewhere.status_code == 302
    assert _logged_in(client)


@throttled
def test_a_few_typos_do_not_lock_anyone_out(client):
    person = factories.UserFactory(username="typo")
    for _ in range(LIMIT - 1):
        _log_in(client, person.username, "wrong")

    response = _log_in(client, person.username, factories.PASSWORD)

    assert response.status_code == 302
    assert _logged_in(client)


@throttled
def test_admin_unlocks_a_locked_account(client):
    person = factories.UserFactory(username="locked")
    for _ in range(LIMIT):
        _log_in(client, person.username, "wrong")
    assert _log_in(client, person.username, factories.PASSWORD).status_code == 429

    admin = factories.UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    client.logout()

    assert _log_in(client, person.username, factories.PASSWORD).status_code == 302
    assert _logged_in(client)


def test_throttling_is_on_outside_the_test_settings():
    from config.settings import base

    assert base.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert base.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert not hasattr(base, "AXES_ENABLED") or base.AXES_ENABLED
    assert "axes" in settings.INSTALLED_APPS


PROXY = "172.18.0.5"  # the TLS proxy in front of the site (Caddy in docker-compose.yml)


@pytest.fixture
def behind_the_proxy(monkeypatch):
    """The client-address settings of config/settings/production.py (it needs a secret key and
    hosts to import): each log-in comes from the proxy, with the client in X-Forwarded-For."""
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "testserver")
    monkeypatch.delenv("DJANGO_PROXY_COUNT", raising=False)
    sys.modules.pop("config.settings.production", None)
    production = importlib.import_module("config.settings.production")
    sys.modules.pop("config.settings.production", None)
    names = [name for name in dir(production) if name.startswith("AXES_IPWARE_")]
    assert names, "production.py names no client-address settings"
    with override_settings(**{name: getattr(production, name) for name in names}):
        yield


def _log_in_via_proxy(client, username, password, client_address, forged=None):
    # The proxy appends the address it sees; a client can only put addresses before it.
    forwarded = f"{forged}, {client_address}" if forged else client_address
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@throttled
def test_behind_the_proxy_each_client_address_is_throttled_on_its_own(client, behind_the_proxy):
    people = [factories.UserFactory(username=f"guess{n}") for n in range(LIMIT)]
    for n, person in enumerate(people):
        # A new forged address for every guess does not help.
        _log_in_via_proxy(client, person.username, "wrong", "198.51.100.66", f"203.0.113.{n}")
    bystander = factories.UserFactory(username="bystander")

    guesser = _log_in_via_proxy(
        client, bystander.username, factories.PASSWORD, "198.51.100.66", "203.0.113.99"
    )
    assert guesser.status_code == 429, "a forged X-Forwarded-For escaped the address lock"

    # Everyone else comes through the same proxy and is not locked out with the guesser.
    elsewhere = _log_in_via_proxy(client, bystander.username, factories.PASSWORD, "198.51.100.7")
    assert elsewhere.status_code == 302, "all clients share the proxy's address"
    assert _logged_in(client)
