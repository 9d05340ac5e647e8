"""Load the demo a newcomer can explore at once, through the same services the site uses.

Idempotent: whatever exists already (people, organisations, memberships, documents, pages) is
left as it is, so running it twice changes nothing. Each app keeps its part of the demo in its
`demo` module; this command assembles them, from participation up.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from participation import demo as participation_demo
from participation.models import Membership
from stakes import demo as stakes_demo
from timeboxes import demo as timeboxes_demo
from usecases import demo as usecases_demo
from wiki import demo as wiki_demo


class Command(BaseCommand):
    help = "Load the Triple A demo (idempotent) and print its log-ins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=participation_demo.DEMO_PASSWORD,
            help="Password for demo people created now (existing ones keep theirs).",
        )

    def handle(self, *args, password: str, **options):
        with transaction.atomic():
            people = participation_demo.people_load(password)
            triple_a = participation_demo.programme_load(
                participation_demo.TRIPLE_A,
                lead=people["lead"],
                admin=people["admin"],
                members={
                    "albeda-college": Membership.MemberLevel.CONTRIBUTOR,
                    "roc-aventus": Membership.MemberLevel.CONTRIBUTOR,
                    "amarantis-onderwijsgroep": Membership.MemberLevel.OBSERVER,
                },
            )
            wigo4it = participation_demo.programme_load(
                participation_demo.WIGO4IT,
                lead=people["rotterdam"],
                admin=people["admin"],
                members={
                    "gemeente-rotterdam": Membership.MemberLevel.CONTRIBUTOR,
                    "gemeente-den-haag": Membership.MemberLevel.CONTRIBUTOR,
                },
            )
            created = wiki_demo.load(triple_a, people)
            created += wiki_demo.load(wigo4it, people, pages=wiki_demo.CLOSED_PAGES)
            wiki_demo.portal_load(triple_a, people)
            wiki_demo.discussion_load(triple_a, people)
            usecases_demo.load(triple_a, people)
            timeboxes_demo.load(triple_a, people)
            stakes_demo.load(triple_a, people)
        if created:
            self.stdout.write(f"Demo loaded: {created} documents created.")
        else:
            self.stdout.write("Demo already loaded: nothing changed.")
        self._print_logins(password)

    def _print_logins(self, password: str) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo log-ins (password for each: {password}):")
        for person in participation_demo.PEOPLE:
            self.stdout.write(f"  {person.username:<10} {person.role}")
        self.stdout.write("")
