"""A password log-in takes the user name or the e-mail address, on every log-in form."""

import pytest
from django.test import override_settings
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def _log_in(client, url, username, password=factories.PASSWORD):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR="10.0.0.1")


def _logged_in_as(client):
    return client.session.get("_auth_user_id")


def test_a_person_who_signed_up_logs_in_with_their_address_in_any_case(client):
    person = factories.UserFactory(username="ana@school.example", email="ana@school.example")

    response = _log_in(client, reverse("login"), "Ana@School.example")

    assert response.status_code == 302
    assert _logged_in_as(client) == str(person.pk)


@pytest.mark.parametrize(
    "typed", ["lead", "Lead", "lead@triple-a.example", "LEAD@Triple-A.example"]
)
def test_an_account_with_a_short_name_logs_in_with_the_name_or_the_address(client, typed):
    person = factories.UserFactory(username="lead", email="lead@triple-a.example")

    response = _log_in(client, reverse("login"), typed)

    assert response.status_code == 302
    assert _logged_in_as(client) == str(person.pk)


def test_a_wrong_password_says_what_to_check_and_keeps_the_name(client):
    factories.UserFactory(username="ana", email="ana@school.example")

    response = _log_in(client, reverse("login"), "ana@school.example", "wrong")

    page = response.content.decode()
    assert response.status_code == 200
    assert not _logged_in_as(client)
    assert "username or e-mail address and this password do not belong together" in page
    assert 'value="ana@school.example"' in page


def test_an_address_two_accounts_share_logs_in_neither(client):
    factories.UserFactory(username="first", email="shared@example.org")
    factories.UserFactory(username="second", email="shared@example.org")

    response = _log_in(client, reverse("login"), "shared@example.org")

    assert response.status_code == 200
    assert not _logged_in_as(client)


def test_an_inactive_account_does_not_log_in_by_its_address(client):
    factories.UserFactory(username="new@example.org", email="new@example.org", is_active=False)

    _log_in(client, reverse("login"), "new@example.org")

    assert not _logged_in_as(client)


def test_the_log_in_form_says_a_username_or_an_address_in_dutch(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="nl")

    page = response.content.decode()
    assert "Gebruikersnaam of e-mailadres" in page
    assert 'maxlength="254"' in page


@pytest.mark.parametrize("url", ["/admin/login/", "/django-admin/login/"])
def test_the_admin_log_ins_take_the_address_too_and_say_so(client, url):
    admin = factories.UserFactory(
        username="admin", email="admin@stip.example", is_staff=True, is_superuser=True
    )
    form = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Username or e-mail address" in form

    response = _log_in(client, url, "Admin@Stip.example")

    assert response.status_code == 302
    assert _logged_in_as(client) == str(admin.pk)


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_failures_by_name_and_by_address_lock_the_same_account(client):
    person = factories.UserFactory(username="ana", email="ana@school.example")
    for n, typed in enumerate(["ana", "ana@school.example", "ANA@school.example"]):
        client.post(
            reverse("login"),
            {"username": typed, "password": "wrong"},
            REMOTE_ADDR=f"10.0.1.{n + 1}",
        )

    response = client.post(
        reverse("login"),
        {"username": person.username, "password": factories.PASSWORD},
        REMOTE_ADDR="10.0.9.9",
    )

    assert response.status_code == 429
    assert not _logged_in_as(client)
