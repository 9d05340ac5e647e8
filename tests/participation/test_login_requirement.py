"""A lead may ask the programme's contributors to log in with two-factor log-in or single
sign-on. Whoever did not reads as an observer there, and is told why; decided in the permission
module for the site, the API and the admin alike."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from participation import permissions, services
from participation.models import Level, ProgrammeSettings
from participation.permissions import Action

pytestmark = pytest.mark.django_db

Requirement = ProgrammeSettings.LoginRequirement


def _require(world, requirement):
    ProgrammeSettings.objects.update_or_create(
        programme=world.programme, defaults={"login_requirement": requirement}
    )


def _logged_in(user, *methods):
    """The person as the middleware hands them over after a log-in with these steps."""
    permissions.forget(user)
    user.__dict__.pop("_stip_login_strength", None)
    user.stip_login_methods = frozenset(methods)
    return user


def test_contributor_with_a_password_only_reads_as_observer_where_two_factor_is_asked(world):
    _require(world, Requirement.TWO_FACTOR)
    person = _logged_in(world.contributor, "password")

    assert permissions.level_of(person, world.programme) == Level.OBSERVER
    assert permissions.can(person, Action.DISCUSS, world.programme)
    with pytest.raises(PermissionDenied) as refused:
        permissions.check(person, Action.EDIT, world.programme)
    assert "two-factor log-in" in str(refused.value)
    assert "observer" in permissions.login_requirement_unmet(person, world.programme)


@pytest.mark.parametrize(
    ("requirement", "methods", "level"),
    [
        (Requirement.TWO_FACTOR, ("password", "mfa"), Level.CONTRIBUTOR),
        (Requirement.TWO_FACTOR, ("socialaccount",), Level.CONTRIBUTOR),
        (Requirement.SSO, ("password", "mfa"), Level.OBSERVER),
        (Requirement.SSO, ("socialaccount",), Level.CONTRIBUTOR),
        (Requirement.NONE, ("password",), Level.CONTRIBUTOR),
    ],
)
def test_the_log_in_decides_whether_a_contributor_contributes(world, requirement, methods, level):
    _require(world, requirement)
    assert permissions.level_of(_logged_in(world.contributor, *methods), world.programme) == level


def test_leads_are_held_to_it_and_observers_keep_what_they_have(world):
    _require(world, Requirement.SSO)
    lead = _logged_in(world.lead, "password")
    observer = _logged_in(world.observer, "password")

    assert permissions.level_of(lead, world.programme) == Level.OBSERVER
    assert permissions.level_of(observer, world.programme) == Level.OBSERVER
    assert permissions.login_requirement_unmet(observer, world.programme) == ""


def test_superusers_are_not_held_to_it(world):
    from tests import factories

    _require(world, Requirement.SSO)
    admin = _logged_in(factories.UserFactory(is_superuser=True), "password")
    assert permissions.level_of(admin, world.programme) == Level.LEAD


def test_without_a_session_the_account_decides(world):
    """An API token: an authenticator app counts as two-factor; single sign-on cannot be
    proved without a log-in."""
    _require(world, Requirement.TWO_FACTOR)
    person = world.contributor
    assert permissions.level_of(person, world.programme) == Level.OBSERVER

    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={})
    permissions.forget(person)
    person.__dict__.pop("_stip_login_strength", None)
    assert permissions.level_of(person, world.programme) == Level.CONTRIBUTOR

    _require(world, Requirement.SSO)
    SocialAccount.objects.create(user=person, provider="surfconext", uid="x")
    permissions.forget(person)
    assert permissions.level_of(person, world.programme) == Level.OBSERVER


def test_lead_sets_only_a_requirement_their_own_log_in_meets(world):
    lead = _logged_in(world.lead, "password")
    with pytest.raises(ValidationError) as refused:
        services.programme_login_requirement_set(
            programme=world.programme, by=lead, requirement=Requirement.TWO_FACTOR
        )
    assert "Log in that way yourself first" in str(refused.value)

    lead = _logged_in(world.lead, "socialaccount")
    services.programme_login_requirement_set(
        programme=world.programme, by=lead, requirement=Requirement.SSO
    )
    assert world.programme.joining.login_requirement == Requirement.SSO
    contributor = _logged_in(world.contributor, "password")
    with pytest.raises(PermissionDenied):
        services.programme_login_requirement_set(
            programme=world.programme, by=contributor, requirement=Requirement.NONE
        )


def test_edit_page_tells_the_contributor_why(client, world, make_document):
    document = make_document(world)
    _require(world, Requirement.TWO_FACTOR)
    client.force_login(world.contributor)

    response = client.get(
        reverse("wiki:edit", kwargs={"programme": world.programme.slug, "slug": document.slug})
    )
    assert response.status_code == 403
    assert "asks its contributors to log in with two-factor log-in" in response.text
    page = client.get(document.get_absolute_url())
    assert "asks its contributors to log in with two-factor log-in" in page.text


def test_members_page_lets_the_lead_set_the_requirement(client, world):
    client.force_login(world.lead)
    page = client.get(reverse("participation:members", args=[world.programme.slug]))
    assert 'name="login_requirement"' in page.text

    refused = client.post(
        reverse("participation:login_requirement", args=[world.programme.slug]),
        {"login_requirement": Requirement.TWO_FACTOR},
        follow=True,
    )
    assert "Log in that way yourself first" in refused.text
    assert not ProgrammeSettings.objects.filter(login_requirement=Requirement.TWO_FACTOR).exists()
