"""The person's level comes with the programme in one query, and is the level level_of gives."""

import pytest
from django.contrib.auth.models import AnonymousUser

from participation import permissions
from participation.models import Level
from tests import factories

ROLES = ["lead", "contributor", "observer", "outsider", "anonymous"]


def _fresh_level(user, programme) -> Level:
    permissions.forget(user)
    return permissions.level_of(user, programme)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["world", "closed_world"])
def test_level_loaded_with_the_programme_is_the_level_of_the_person(request, which, role):
    world = request.getfixturevalue(which)
    user = world.person(role)
    expected = _fresh_level(user, world.programme)
    permissions.forget(user)
    programme = permissions.programme_with_level(user, world.programme.slug)
    assert programme == world.programme
    assert permissions.level_of(user, programme) == expected


def test_level_and_programme_take_one_query(world, django_assert_num_queries):
    permissions.forget(world.observer)
    with django_assert_num_queries(1):
        programme = permissions.programme_with_level(world.observer, world.programme.slug)
        assert permissions.level_of(world.observer, programme) == Level.OBSERVER
        assert permissions.can(world.observer, permissions.Action.DISCUSS, programme)


def test_highest_membership_counts_and_inactive_people_only_read(world):
    both = factories.UserFactory()
    factories.AffiliationFactory(user=both, organisation=world.observing_org)
    factories.AffiliationFactory(user=both, organisation=world.contributing_org)
    programme = permissions.programme_with_level(both, world.programme.slug)
    assert permissions.level_of(both, programme) == Level.CONTRIBUTOR

    world.contributor.is_active = False
    permissions.forget(world.contributor)
    programme = permissions.programme_with_level(world.contributor, world.programme.slug)
    assert permissions.level_of(world.contributor, programme) == Level.READER
    assert permissions.level_of(AnonymousUser(), programme) == Level.READER


def test_superuser_leads_every_programme(closed_world):
    admin = factories.UserFactory(is_superuser=True)
    programme = permissions.programme_with_level(admin, closed_world.programme.slug)
    assert permissions.level_of(admin, programme) == Level.LEAD
