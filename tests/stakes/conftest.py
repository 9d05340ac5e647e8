from datetime import timedelta

import pytest
from django.utils import timezone

from participation.models import Membership
from stakes import services
from tests import factories
from tests.worker import celery_redis, celery_worker_redis  # noqa: F401
from wiki.models import Document


@pytest.fixture
def second(world):
    """A person of a second contributing organisation in the world's programme."""
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
def main(world, make_document):
    return make_document(world, title="Onderwijs plannen", kind=Document.Kind.MAIN_PROCESS)


@pytest.fixture
def make_proposal(world, main):
    def make(days: float = 7, **kwargs):
        options = {
            "programme": world.programme,
            "by": world.lead,
            "title": "Eén roosterpakket",
            "text": "We kiezen één roosterpakket.",
            "documents": [main],
            "deadline": timezone.now() + timedelta(days=days),
        }
        options.update(kwargs)
        return services.proposal_create(**options)

    return make


@pytest.fixture
def record(db):
    """`record(document, author, kind, direction, size=…, amount=…)` through the service."""

    def make(document, author, kind="money", direction="cost", size=None, amount=None, **kw):
        return services.stake_record(
            document=document,
            kind=kind,
            direction=direction,
            size=size,
            amount=amount,
            explanation=kw.get("explanation", ""),
            author=author,
        )

    return make
