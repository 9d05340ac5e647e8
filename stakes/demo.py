"""The stakes part of the demo: costs and benefits per school on the main process "Onderwijs
plannen" (clearly unbalanced: Albeda pays, Aventus gains) and on "Studievoortgang volgen"
(balanced), one decided proposal and one open one. Written through the services; loading twice
changes nothing."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from participation.models import Programme
from wiki.models import Document

from . import services
from .models import Answer, Proposal, Stake

UNBALANCED = "onderwijs-plannen"
BALANCED = "studievoortgang-volgen"

ENTRIES = {
    UNBALANCED: {
        "albeda": [
            (
                Stake.Kind.MONEY,
                Stake.Direction.COST,
                None,
                Decimal("120000"),
                "Albeda levert de roosterkoppeling en betaalt de licentie voor alle scholen.",
            ),
            (
                Stake.Kind.EFFORT,
                Stake.Direction.COST,
                Stake.Size.LARGE,
                None,
                "Twee functioneel beheerders een half jaar vrijgemaakt.",
            ),
            (
                Stake.Kind.QUALITY,
                Stake.Direction.BENEFIT,
                Stake.Size.SMALL,
                None,
                "Iets minder dubbele invoer bij de roosteraars.",
            ),
        ],
        "aventus": [
            (
                Stake.Kind.TIME_SAVED,
                Stake.Direction.BENEFIT,
                Stake.Size.LARGE,
                None,
                "Het eigen roosterpakket kan weg: een week per blok minder handwerk.",
            ),
            (
                Stake.Kind.ADOPTION,
                Stake.Direction.COST,
                Stake.Size.SMALL,
                None,
                "Korte training voor de roosteraars.",
            ),
        ],
    },
    BALANCED: {
        "albeda": [
            (
                Stake.Kind.EFFORT,
                Stake.Direction.COST,
                Stake.Size.MEDIUM,
                None,
                "Resultaten omzetten naar het gedeelde formaat.",
            ),
            (
                Stake.Kind.QUALITY,
                Stake.Direction.BENEFIT,
                Stake.Size.MEDIUM,
                None,
                "Studieadvies op volledige gegevens.",
            ),
        ],
        "aventus": [
            (
                Stake.Kind.EFFORT,
                Stake.Direction.COST,
                Stake.Size.MEDIUM,
                None,
                "Resultaten omzetten naar het gedeelde formaat.",
            ),
            (
                Stake.Kind.QUALITY,
                Stake.Direction.BENEFIT,
                Stake.Size.MEDIUM,
                None,
                "Studieadvies op volledige gegevens.",
            ),
        ],
    },
}


def load(programme: Programme, people: dict) -> int:
    documents = {d.slug: d for d in Document.objects.alive().filter(programme=programme)}
    created = 0
    if not programme.stakes.exists():
        for slug, per_person in ENTRIES.items():
            if slug not in documents:
                continue
            for username, entries in per_person.items():
                for kind, direction, size, amount, explanation in entries:
                    services.stake_record(
                        document=documents[slug],
                        kind=kind,
                        direction=direction,
                        size=size,
                        amount=amount,
                        explanation=explanation,
                        author=people[username],
                    )
                    created += 1
    if UNBALANCED in documents and not programme.proposals.exists():
        _proposals(programme, people, documents)
        created += 2
    return created


def _proposals(programme: Programme, people: dict, documents: dict) -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    lead = people["lead"]
    decided = services.proposal_create(
        programme=programme,
        by=lead,
        title="Eén roosterpakket voor alle scholen",
        text="We kiezen één gedeeld roosterpakket en zetten de eigen pakketten uit na het "
        "schooljaar.",
        options=["Pakket van Albeda", "Nieuwe aanbesteding"],
        documents=[documents[UNBALANCED]],
        deadline=now + timedelta(days=1),
        reminder_offsets=[],
    )
    services.answer_give(proposal=decided, by=people["albeda"], choice=Answer.Choice.CONSENT)
    services.answer_give(
        proposal=decided,
        by=people["aventus"],
        choice=Answer.Choice.REMARKS,
        remarks="Mits de overstap buiten de toetsweken valt.",
    )
    services.proposal_decide(
        proposal=decided,
        by=lead,
        outcome="Aangenomen: het pakket van Albeda wordt gedeeld. De overstap gebeurt na de "
        "laatste toetsweek.",
    )
    Proposal.objects.filter(pk=decided.pk).update(
        created_at=now - timedelta(days=20),
        deadline=now - timedelta(days=10),
        decided_at=now - timedelta(days=12),
    )
    open_one = services.proposal_create(
        programme=programme,
        by=people["aventus"],
        title="Albeda compenseren voor de roosterkoppeling",
        text="Albeda draagt de kosten van de roosterkoppeling, Aventus wint de meeste tijd. "
        "Voorstel: Aventus betaalt de helft van de licentie vanaf volgend schooljaar.",
        documents=[documents[UNBALANCED]],
        deadline=(now + timedelta(days=5)).replace(hour=17, minute=0),
    )
    services.answer_give(
        proposal=open_one,
        by=people["albeda"],
        choice=Answer.Choice.CONSENT,
    )
