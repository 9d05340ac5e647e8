import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from participation.models import Affiliation, Membership, Organisation, Programme, ProgrammeRole

PASSWORD = "stip-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Organisation.Kind.SCHOOL


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.LazyAttribute(lambda p: slugify(p.name))
    visibility = Programme.Visibility.OPEN


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    level = Membership.MemberLevel.CONTRIBUTOR


class LeadRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeRole

    programme = factory.SubFactory(ProgrammeFactory)
    user = factory.SubFactory(UserFactory)
    role = ProgrammeRole.Role.LEAD


def asking_to_join(programme, *, organisation: str, username: str):
    """A new organisation of one confirmed person, and its request to join the programme."""
    from participation import services

    person = UserFactory(username=username)
    found = OrganisationFactory(name=organisation)
    AffiliationFactory(user=person, organisation=found)
    return services.join_request_create(
        programme=programme, organisation=found, by=person, motivation="Graag."
    )


def closed_timebox(programme, lead, documents, *, name="Round one", outcome="Agreed."):
    """A timebox over `documents` that opened yesterday, closed now by the lead: its baseline."""
    from datetime import timedelta

    from django.utils import timezone

    from timeboxes import services

    now = timezone.now()
    timebox = services.timebox_create(
        programme=programme,
        by=lead,
        name=name,
        starts_at=now - timedelta(days=1),
        deadline=now + timedelta(days=1),
        documents=documents,
    )
    return services.timebox_close(timebox=timebox, by=lead, outcome=outcome)
