"""The timeboxes part of the demo: an earlier "Visiefase", closed with a baseline that can be
browsed, compared with now and exported, and the "Specificatiefase", open with its deadline a few
days ahead. Written through the services; loading twice changes nothing."""

from datetime import timedelta

from django.utils import timezone

from participation.models import Programme
from wiki import services as wiki
from wiki.models import Document

from . import services
from .models import Timebox

VISION = "visie-op-de-studentadministratie"
SPECIFICATION_SCOPE = ("onderwijs-plannen", "studievoortgang-volgen")


def load(programme: Programme, people: dict) -> int:
    lead = people["lead"]
    documents = {d.slug: d for d in Document.objects.alive().filter(programme=programme)}
    created = 0
    if (
        VISION in documents
        and not Timebox.objects.filter(programme=programme, name="Visiefase").exists()
    ):
        _closed_vision_phase(programme, lead, documents[VISION], people)
        created += 1
    subtrees = [documents[slug] for slug in SPECIFICATION_SCOPE if slug in documents]
    if (
        subtrees
        and not Timebox.objects.filter(programme=programme, name="Specificatiefase").exists()
    ):
        now = timezone.now().replace(second=0, microsecond=0)
        services.timebox_create(
            programme=programme,
            by=lead,
            name="Specificatiefase",
            goal="De werkprocessen en use cases van beide hoofdprocessen zijn uitgewerkt en "
            "door alle meedoende scholen afgetekend.",
            starts_at=now - timedelta(days=14),
            deadline=(now + timedelta(days=4)).replace(hour=17, minute=0),
            subtrees=subtrees,
        )
        created += 1
    return created


def _closed_vision_phase(programme: Programme, lead, vision: Document, people: dict) -> None:
    """Create, close and then date back the vision phase (the services only accept deadlines in
    the future, which is right for people but not for a demo's past)."""
    now = timezone.now().replace(second=0, microsecond=0)
    timebox = services.timebox_create(
        programme=programme,
        by=lead,
        name="Visiefase",
        goal="Een gedeelde visie op de studentadministratie, gedragen door alle scholen.",
        starts_at=now - timedelta(days=1),
        deadline=now + timedelta(hours=1),
        documents=[vision],
        reminder_offsets=[],
    )
    services.timebox_close(
        timebox=timebox,
        by=lead,
        outcome="De visie is vastgesteld. Privacy by design is als uitgangspunt toegevoegd; "
        "de eigenaarschap van de hoofdprocessen ligt bij Albeda en Aventus.",
    )
    Timebox.objects.filter(pk=timebox.pk).update(
        starts_at=now - timedelta(days=42), deadline=now - timedelta(days=21)
    )
    vision.refresh_from_db()
    author = people.get("aventus", lead)
    wiki.document_save(
        document=vision,
        body=principle_added(vision.body, "Open standaarden waar ze bestaan."),
        base_version_id=vision.head_id,
        author=author,
        summary="Na de visiefase: open standaarden",
    )


def principle_added(body: str, principle: str) -> str:
    """The vision with one more item at the end of its list of principles ("## Uitgangspunten"),
    not after the table that ends the text (a list line right after a table is read as a row)."""
    heading = body.index("## Uitgangspunten")
    end = body.find("\n\n", body.index("\n- ", heading))
    end = len(body.rstrip("\n")) if end == -1 else end
    return f"{body[:end]}\n- {principle}{body[end:]}"
