from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from participation.models import Membership
from tests import factories
from timeboxes import services
from wiki.models import Document

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 3, 2, 9, 0, tzinfo=AMSTERDAM)


@pytest.fixture
def clock():
    """Time under the test's control: starts at START and moves only when told."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def second_org(world):
    """A second contributing organisation with one person, in the world's programme."""
    organisation = factories.OrganisationFactory(name="Second College")
    factories.MembershipFactory(
        programme=world.programme,
        organisation=organisation,
        level=Membership.MemberLevel.CONTRIBUTOR,
    )
    person = factories.UserFactory(username="second-contributor")
    factories.AffiliationFactory(user=person, organisation=organisation)
    return person


@pytest.fixture
def scope(clock, world, make_document):
    """A main process with a work process below it, and a free page outside the scope."""
    main = make_document(world, title="Onderwijs", kind=Document.Kind.MAIN_PROCESS)
    work = make_document(
        world, title="Roosteren", kind=Document.Kind.WORK_PROCESS, parent=main, body="Rooster.\n"
    )
    outside = make_document(world, title="Losse pagina", body="Buiten.\n")
    clock.shift(timedelta(minutes=1))  # the timeboxes start after the documents were written
    return {"main": main, "work": work, "outside": outside}


@pytest.fixture
def make_timebox(world, scope):
    def make(days: float = 10, **kwargs):
        from django.utils import timezone

        now = timezone.now()
        options = {
            "programme": world.programme,
            "by": world.lead,
            "name": "Specificatiefase",
            "goal": "Use cases agreed",
            "starts_at": now,
            "deadline": now + timedelta(days=days),
            "subtrees": [scope["main"]],
        }
        options.update(kwargs)
        return services.timebox_create(**options)

    return make
