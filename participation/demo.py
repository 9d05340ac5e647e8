"""The participation part of the demo: organisations, people, and the programmes Triple A (open
for reading) and Wigo4it (members only) with their members and leads.

Written through `participation.services` where a rule applies. Idempotent: whatever exists (by
its slug or user name) is left as it is. `workspace`'s `load_demo` assembles it with the other
apps' parts.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from . import services
from .models import Affiliation, Membership, Organisation, Programme, ProgrammeRole

DEMO_PASSWORD = "stip-demo"  # noqa: S105  printed for everyone to use; a demo, not a secret


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    organisation: str | None  # slug
    role: str  # what the log-in is for, as printed


ORGANISATIONS = (
    ("albeda-college", "Albeda College", Organisation.Kind.SCHOOL),
    ("roc-aventus", "ROC Aventus", Organisation.Kind.SCHOOL),
    ("amarantis-onderwijsgroep", "Amarantis Onderwijsgroep", Organisation.Kind.SCHOOL),
    ("gemeente-rotterdam", "Gemeente Rotterdam", Organisation.Kind.MUNICIPALITY),
    ("gemeente-den-haag", "Gemeente Den Haag", Organisation.Kind.MUNICIPALITY),
)

PEOPLE = (
    Person("admin", "Beheer", "Stip", None, "superuser: manages everything"),
    Person("lead", "Lotte", "de Leider", "albeda-college", "lead of Triple A"),
    Person("albeda", "Ahmed", "Bakker", "albeda-college", "contributor (Albeda College)"),
    Person("aventus", "Anouk", "Visser", "roc-aventus", "contributor (ROC Aventus)"),
    Person("amarantis", "Mark", "Jansen", "amarantis-onderwijsgroep", "observer (Amarantis)"),
    Person("rotterdam", "Raj", "de Vries", "gemeente-rotterdam", "lead of Wigo4it (members only)"),
)

TRIPLE_A = {
    "slug": "triple-a",
    "name": "Triple A",
    "visibility": Programme.Visibility.OPEN,
    "description": "Albeda, Aventus en Amarantis ontwerpen samen hun studentadministratie.",
}
WIGO4IT = {
    "slug": "wigo4it",
    "name": "Wigo4it Werk en Inkomen",
    "visibility": Programme.Visibility.MEMBERS,
    "description": "Gemeenten ontwerpen samen hun ICT voor werk en inkomen. Alleen voor leden.",
}


def people_load(password: str) -> dict:
    """The demo's organisations and people (with their affiliations), by user name."""
    User = get_user_model()
    for slug, name, kind in ORGANISATIONS:
        Organisation.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind})
    people = {}
    for person in PEOPLE:
        user, created = User.objects.get_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@example.org",
                "is_staff": person.username == "admin",
                "is_superuser": person.username == "admin",
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        if person.organisation:
            Affiliation.objects.get_or_create(
                user=user, organisation=Organisation.objects.get(slug=person.organisation)
            )
        people[person.username] = user
    return people


def programme_load(spec: dict, *, lead, admin, members: dict[str, str]) -> Programme:
    """A demo programme with its member organisations and lead, through the services."""
    programme, _created = Programme.objects.get_or_create(
        slug=spec["slug"],
        defaults={k: v for k, v in spec.items() if k != "slug"},
    )
    for slug, level in members.items():
        organisation = Organisation.objects.get(slug=slug)
        if not Membership.objects.filter(programme=programme, organisation=organisation).exists():
            services.membership_add(
                programme=programme, organisation=organisation, level=level, by=admin
            )
    if not ProgrammeRole.objects.filter(
        programme=programme, user=lead, role=ProgrammeRole.Role.LEAD
    ).exists():
        services.lead_appoint(programme=programme, user=lead, by=admin)
    return programme
