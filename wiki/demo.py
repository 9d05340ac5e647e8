"""The wiki part of the demo: Triple A's vision, processes and use cases, each with a history.

Everything is written through `wiki.services`, as the people of the demo would, so loading the
demo also exercises the services. A document that already exists (by its address) is left
alone, so loading twice changes nothing.
"""

import datetime
import io
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from participation.models import Programme

from . import services
from .models import Document


@dataclass(frozen=True)
class Edit:
    author: str  # a key of the demo's people
    summary: str
    body: str
    title: str | None = None


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    kind: str
    author: str
    body: str
    parent: str | None = None  # slug of the parent document
    summary: str = "Eerste opzet"
    edits: tuple[Edit, ...] = field(default_factory=tuple)
    picture: str = ""  # an attachment the author adds at once (`demo_picture`)


VISION_V1 = """\
# Visie op de studentadministratie

De scholen van Triple A werken samen aan één studentadministratie die **de student volgt**,
niet de systemen.

## Uitgangspunten

- Gegevens worden één keer vastgelegd, bij de bron.
- Een student ziet altijd zelf wat er over hem of haar is vastgelegd.
- Processen zijn gelijk waar het kan, verschillend waar het moet.
"""

VISION_V2 = (
    VISION_V1
    + """\

## Wat we samen ontwerpen

| Hoofdproces | Eigenaar |
|---|---|
| [[Onderwijs plannen]] | Albeda College |
| [[Studievoortgang volgen]] | ROC Aventus |
"""
)

VISION_V3 = VISION_V2.replace(
    "- Processen zijn gelijk waar het kan, verschillend waar het moet.\n",
    "- Processen zijn gelijk waar het kan, verschillend waar het moet.\n"
    "- Privacy by design: we verwerken niet meer gegevens dan het proces nodig heeft.\n",
)

PLANNING_V1 = """\
# Onderwijs plannen

Van opleidingsaanbod tot rooster: alles wat nodig is voordat een student les krijgt.

```mermaid
flowchart LR
  A([Cohort start]) --> B[Onderwijsaanbod vaststellen]
  B --> C[Groepen indelen]
  C --> D[Rooster maken]
  D --> E([Student krijgt les])
```

## Werkprocessen

- [[Rooster maken]]
- [[Onderwijsaanbod vaststellen]]
"""

PROGRESS_V1 = """\
# Studievoortgang volgen

Hoe staat een student ervoor, en wie grijpt in als het misgaat?

```mermaid
flowchart LR
  A([Toets]) --> B[Resultaten registreren]
  B --> C{Op schema?}
  C -->|ja| D([Verder studeren])
  C -->|nee| E[Studieadvies geven]
  E --> D
```

## Werkprocessen

- [[Resultaten registreren]]
- [[Studieadvies geven]]
"""

TIMETABLE_V1 = """\
# Rooster maken

Het rooster verbindt groepen, docenten, lokalen en onderwijsactiviteiten.

![Het weekrooster zoals studenten het nu zien](attachment:rooster-nu.png)

1. Onderwijsaanbod en groepsindeling ophalen.
2. Beschikbaarheid van docenten en lokalen verzamelen.
3. Conceptrooster maken en afstemmen met de teams.
4. Rooster publiceren naar studenten en docenten.

```mermaid
flowchart TD
  A[Aanbod en groepen ophalen] --> B[Beschikbaarheid verzamelen]
  B --> C[Conceptrooster maken]
  C --> D{Akkoord van de teams?}
  D -->|nee| C
  D -->|ja| E[Rooster publiceren]
```
"""

TIMETABLE_V2 = TIMETABLE_V1.replace(
    "4. Rooster publiceren naar studenten en docenten.\n",
    "4. Rooster publiceren naar studenten en docenten.\n"
    "5. Wijzigingen binnen 24 uur doorvoeren en melden.\n",
).replace(
    "  D -->|ja| E[Rooster publiceren]\n",
    "  D -->|ja| E[Rooster publiceren]\n  E --> F[Wijzigingen doorvoeren en melden]\n",
)

OFFER_V1 = """\
# Onderwijsaanbod vaststellen

Per cohort leggen we vast welke opleidingen, keuzedelen en onderwijseenheden worden aangeboden.

```mermaid
flowchart LR
  A[Opleidingen kiezen] --> B[Keuzedelen kiezen] --> C[Onderwijseenheden vastleggen]
  C --> D([Aanbod gepubliceerd])
```
"""

RESULTS_V1 = """\
# Resultaten registreren

Docenten leggen toetsresultaten vast; de student ziet ze direct in het studentportaal.

- Resultaat binnen tien werkdagen na de toets.
- Herkansingen worden als nieuwe poging vastgelegd.

```mermaid
flowchart LR
  A([Toets afgenomen]) --> B[Nakijken] --> C[Resultaat vastleggen]
  C --> D([Zichtbaar in het studentportaal])
```
"""

ADVICE_V1 = """\
# Studieadvies geven

Aan het eind van het eerste leerjaar krijgt elke student een studieadvies.

```mermaid
flowchart LR
  A[Resultaten bekijken] --> B[Gesprek met de student]
  B --> C{Voldoende studiepunten?}
  C -->|ja| D([Positief advies])
  C -->|nee| E([Advies met voorwaarden])
```
"""

UC_PUBLISH_V1 = """\
# Rooster publiceren

**Actor:** roostermaker

## Hoofdscenario

1. De roostermaker keurt het conceptrooster goed.
2. Het systeem publiceert het rooster naar het studentportaal.
3. Studenten en docenten krijgen een melding.
"""

UC_PUBLISH_V2 = UC_PUBLISH_V1 + (
    "\n## Alternatief\n\n"
    "2a. Het studentportaal is niet bereikbaar: het systeem probeert het later opnieuw.\n"
)

UC_CHANGE_V1 = """\
# Roosterwijziging doorgeven

**Actor:** docent

## Hoofdscenario

1. De docent meldt dat een les niet doorgaat.
2. De roostermaker past het rooster aan.
3. De betrokken studenten krijgen een melding.
"""

UC_RESULT_V1 = """\
# Toetsresultaat invoeren

**Actor:** docent

## Hoofdscenario

1. De docent kiest de toets en de groep.
2. De docent voert per student het resultaat in.
3. Het systeem toont het resultaat aan de student.
"""

UC_RESULT_V2 = UC_RESULT_V1.replace(
    "3. Het systeem toont het resultaat aan de student.\n",
    "3. Een tweede docent controleert de resultaten (vier-ogenprincipe).\n"
    "4. Het systeem toont het resultaat aan de student.\n",
)

PAGES: tuple[Page, ...] = (
    Page(
        slug="visie-op-de-studentadministratie",
        title="Visie op de studentadministratie",
        kind=Document.Kind.VISION,
        author="lead",
        body=VISION_V1,
        edits=(
            Edit("albeda", "Hoofdprocessen en eigenaren toegevoegd", VISION_V2),
            Edit("aventus", "Uitgangspunt over privacy toegevoegd", VISION_V3),
        ),
    ),
    Page(
        slug="onderwijs-plannen",
        title="Onderwijs plannen",
        kind=Document.Kind.MAIN_PROCESS,
        author="albeda",
        body=PLANNING_V1,
    ),
    Page(
        slug="studievoortgang-volgen",
        title="Studievoortgang volgen",
        kind=Document.Kind.MAIN_PROCESS,
        author="aventus",
        body=PROGRESS_V1,
    ),
    Page(
        slug="rooster-maken",
        title="Rooster maken",
        kind=Document.Kind.WORK_PROCESS,
        parent="onderwijs-plannen",
        author="albeda",
        body=TIMETABLE_V1,
        picture="rooster-nu.png",
        edits=(Edit("aventus", "Stap voor roosterwijzigingen toegevoegd", TIMETABLE_V2),),
    ),
    Page(
        slug="onderwijsaanbod-vaststellen",
        title="Onderwijsaanbod vaststellen",
        kind=Document.Kind.WORK_PROCESS,
        parent="onderwijs-plannen",
        author="lead",
        body=OFFER_V1,
    ),
    Page(
        slug="resultaten-registreren",
        title="Resultaten registreren",
        kind=Document.Kind.WORK_PROCESS,
        parent="studievoortgang-volgen",
        author="aventus",
        body=RESULTS_V1,
    ),
    Page(
        slug="studieadvies-geven",
        title="Studieadvies geven",
        kind=Document.Kind.WORK_PROCESS,
        parent="studievoortgang-volgen",
        author="aventus",
        body=ADVICE_V1,
    ),
    Page(
        slug="rooster-publiceren",
        title="Rooster publiceren",
        kind=Document.Kind.USE_CASE,
        parent="rooster-maken",
        author="albeda",
        body=UC_PUBLISH_V1,
        edits=(
            Edit("aventus", "Alternatief scenario bij storing", UC_PUBLISH_V2),
            Edit(
                "lead",
                "Titel gelijkgetrokken met de andere use cases",
                UC_PUBLISH_V2,
                title="Rooster publiceren naar studenten",
            ),
        ),
    ),
    Page(
        slug="roosterwijziging-doorgeven",
        title="Roosterwijziging doorgeven",
        kind=Document.Kind.USE_CASE,
        parent="rooster-maken",
        author="aventus",
        body=UC_CHANGE_V1,
        edits=(
            Edit(
                "albeda",
                "Melding ook aan de docent",
                UC_CHANGE_V1.replace("betrokken studenten", "betrokken studenten en docenten"),
            ),
        ),
    ),
    Page(
        slug="toetsresultaat-invoeren",
        title="Toetsresultaat invoeren",
        kind=Document.Kind.USE_CASE,
        parent="resultaten-registreren",
        author="aventus",
        body=UC_RESULT_V1,
        edits=(Edit("albeda", "Vier-ogenprincipe toegevoegd", UC_RESULT_V2),),
    ),
)

CLOSED_PAGES: tuple[Page, ...] = (
    Page(
        slug="visie-werk-en-inkomen",
        title="Visie werk en inkomen",
        kind=Document.Kind.VISION,
        author="rotterdam",
        body="# Visie werk en inkomen\n\nAlleen zichtbaar voor de deelnemende gemeenten.\n",
    ),
)


def load(programme: Programme, people: dict, *, pages: tuple[Page, ...] = PAGES) -> int:
    """Create the pages that do not exist yet, each with its later edits. Returns how many
    documents were created."""
    created = 0
    for page in pages:
        if Document.objects.filter(programme=programme, slug=page.slug).exists():
            continue
        parent = (
            Document.objects.get(programme=programme, slug=page.parent) if page.parent else None
        )
        document = services.document_create(
            programme=programme,
            kind=page.kind,
            title=page.title,
            body=page.body,
            author=people[page.author],
            parent=parent,
            summary=page.summary,
            slug=page.slug,
        )
        if page.picture:
            services.attachment_add(
                document=document,
                name=page.picture,
                data=demo_picture(),
                author=people[page.author],
                summary="Schermafdruk van het huidige rooster",
            )
            document.refresh_from_db()
        for edit in page.edits:
            result = services.document_save(
                document=document,
                body=edit.body,
                base_version_id=document.head_id,
                author=people[edit.author],
                summary=edit.summary,
                title=edit.title,
            )
            document = result.document
        created += 1
    return created


def discussion_load(programme: Programme, people: dict) -> None:
    """A thread with a reply on the timetable process (beside its picture and diagram), and a
    resolved one below it: the discussion as it leads somewhere. Skipped when it has one."""
    document = Document.objects.filter(programme=programme, slug="rooster-maken").first()
    if document is None or document.comments.exists():
        return
    thread = services.comment_add(
        document=document,
        author=people["aventus"],
        body=(
            "Stap 5 vraagt om wijzigingen binnen 24 uur. Halen we dat in de examenweken, "
            "@albeda? Misschien 48 uur in die weken."
        ),
    )
    services.comment_add(
        document=document,
        author=people["albeda"],
        parent=thread,
        body="Bij ons lukt 24 uur alleen met een vaste roostermaker. Ik zet het op de agenda.",
    )
    done = services.comment_add(
        document=document,
        author=people["lead"],
        body="Is de schermafdruk van het huidige rooster van dit studiejaar?",
    )
    services.comment_add(
        document=document, author=people["albeda"], parent=done, body="Ja, van week 37."
    )
    services.thread_resolve(comment=done, by=people["lead"])


def demo_picture() -> bytes:
    """A picture of a week's timetable as the demo's "screenshot of today's form"."""
    image = Image.new("RGB", (720, 360), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 719, 40), fill=(18, 53, 91))
    draw.text((16, 14), "Weekrooster  ·  groep AO2B  ·  week 37", fill="white")
    days = ["ma", "di", "wo", "do", "vr"]
    lessons = {
        (0, 1): "Rekenen",
        (1, 0): "Nederlands",
        (1, 2): "Programmeren",
        (2, 1): "Stage",
        (3, 0): "Databases",
        (3, 3): "Engels",
        (4, 1): "Project",
    }
    for column, day in enumerate(days):
        x = 80 + column * 128
        draw.text((x + 50, 52), day, fill=(60, 60, 60))
        for row in range(4):
            y = 76 + row * 68
            box = (x, y, x + 120, y + 60)
            subject = lessons.get((column, row))
            draw.rectangle(box, outline=(201, 209, 217), fill=(232, 241, 251) if subject else None)
            if subject:
                draw.text((x + 8, y + 22), subject, fill=(11, 92, 173))
    for row in range(4):
        draw.text((16, 100 + row * 68), f"{8 + row * 2}:30", fill=(60, 60, 60))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


PORTAL_INTRO = (
    "<p>In Triple A ontwerpen Albeda College, ROC Aventus en Amarantis Onderwijsgroep samen "
    "hun studentadministratie: één visie, gedeelde processen en use cases.</p>"
)
NEWS_TITLE = "Eerste versie van de visie staat online"
NEWS_BODY = (
    "<p>De visie op de studentadministratie staat in de wiki. Lees mee en reageer in de "
    "discussie bij het document.</p>"
)


def portal_load(programme: Programme, people: dict):
    """The programme's portal page with one news item, below the Wagtail site's root page.
    Nothing happens when the programme has a portal already."""
    from .pages import NewsPage, ProgrammePortalPage

    existing = ProgrammePortalPage.objects.filter(programme=programme).first()
    if existing is not None:
        return existing
    root = _site_root()
    portal = root.add_child(
        instance=ProgrammePortalPage(
            title=programme.name, slug=programme.slug, programme=programme, intro=PORTAL_INTRO
        )
    )
    portal.save_revision(user=people.get("lead")).publish()
    news = portal.add_child(
        instance=NewsPage(
            title=NEWS_TITLE,
            slug="eerste-versie-visie",
            date=datetime.date(2026, 11, 2),
            body=NEWS_BODY,
        )
    )
    news.save_revision(user=people.get("lead")).publish()
    return portal


def _site_root():
    """The default Wagtail site's root page. Wagtail's migrations create it; a database that
    was emptied since (as tests with a live server do) gets a page tree and a site anew."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page, Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        return site.root_page
    locale = Locale.objects.filter(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    ).first() or Locale.objects.create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    tree_root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    home = tree_root.add_child(instance=Page(title="Stip", slug="stip", locale=locale))
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    return home
