"""Load the demo a newcomer can explore at once, through the same services the site uses.

Idempotent: whatever exists already (people, organisations, memberships, documents, pages) is
left as it is, so running it twice changes nothing. Other apps add their part of the demo with a
`load(programme, people)` function in their `demo` module; it is called when the module exists.
"""

import importlib
import importlib.util
import inspect
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from participation import services
from participation.models import Affiliation, Membership, Organisation, Programme, ProgrammeRole

DEMO_PASSWORD = "stip-demo"  # noqa: S105  printed for everyone to use; a demo, not a secret
PLUGIN_MODULES = ("usecases.demo", "timeboxes.demo")


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


class Command(BaseCommand):
    help = "Load the Triple A demo (idempotent) and print its log-ins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEMO_PASSWORD,
            help="Password for demo people created now (existing ones keep theirs).",
        )

    def handle(self, *args, password: str, **options):
        with transaction.atomic():
            people = self._people(password)
            triple_a = self._programme(
                TRIPLE_A,
                lead=people["lead"],
                admin=people["admin"],
                members={
                    "albeda-college": Membership.MemberLevel.CONTRIBUTOR,
                    "roc-aventus": Membership.MemberLevel.CONTRIBUTOR,
                    "amarantis-onderwijsgroep": Membership.MemberLevel.OBSERVER,
                },
            )
            wigo4it = self._programme(
                WIGO4IT,
                lead=people["rotterdam"],
                admin=people["admin"],
                members={
                    "gemeente-rotterdam": Membership.MemberLevel.CONTRIBUTOR,
                    "gemeente-den-haag": Membership.MemberLevel.CONTRIBUTOR,
                },
            )
            from wiki import demo as wiki_demo

            created = wiki_demo.load(triple_a, people)
            created += wiki_demo.load(wigo4it, people, pages=wiki_demo.CLOSED_PAGES)
            wiki_demo.portal_load(triple_a, people)
            for name in PLUGIN_MODULES:
                if importlib.util.find_spec(name) is not None:
                    _call_demo_hook(importlib.import_module(name).load, triple_a, people)
        if created:
            self.stdout.write(f"Demo loaded: {created} documents created.")
        else:
            self.stdout.write("Demo already loaded: nothing changed.")
        self._print_logins(password)

    def _people(self, password: str) -> dict:
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

    def _programme(self, spec: dict, *, lead, admin, members: dict[str, str]) -> Programme:
        programme, _created = Programme.objects.get_or_create(
            slug=spec["slug"],
            defaults={k: v for k, v in spec.items() if k != "slug"},
        )
        for slug, level in members.items():
            organisation = Organisation.objects.get(slug=slug)
            if not Membership.objects.filter(
                programme=programme, organisation=organisation
            ).exists():
                services.membership_add(
                    programme=programme, organisation=organisation, level=level, by=admin
                )
        if not ProgrammeRole.objects.filter(
            programme=programme, user=lead, role=ProgrammeRole.Role.LEAD
        ).exists():
            services.lead_appoint(programme=programme, user=lead, by=admin)
        return programme

    def _print_logins(self, password: str) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo log-ins (password for each: {password}):")
        for person in PEOPLE:
            self.stdout.write(f"  {person.username:<10} {person.role}")
        self.stdout.write("")


def _call_demo_hook(load, programme: Programme, people: dict) -> None:
    """Call another app's `demo.load` with the programme and the people, by name when it takes
    keyword-only arguments, by position otherwise."""
    parameters = inspect.signature(load).parameters
    if any(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values()):
        load(programme=programme, people=people)
    else:
        load(programme, people)
