"""The use cases part of the demo, built through the services (so the demo tests them too).

Called by `load_demo` (in `workspace`) with the Triple A programme and the demo people.
Idempotent: each part is skipped when it exists. It turns the wiki demo's use case documents
into structured use cases with actors and extensions, records a variant, sign-offs (one of them
on an older version), a glossary with local words and the Dutch and English starter list of
too-technical words.
"""

from participation.models import Programme
from wiki.models import Document

from . import services
from .models import Actor, DetailSettings, SignOff, Term, UseCase

TECHNICAL_WORDS = """\
database
button
screen
click
SQL
server
API
form
field
table
menu
pop-up
login
dropdown
database-tabel
knop
scherm
klikken
formulier
veld
tabel
inloggen
pop-upvenster
"""

ACTORS = (
    ("Roostermaker", "Maakt en onderhoudt de roosters van een opleiding of locatie."),
    ("Docent", "Geeft les, toetst en begeleidt studenten."),
    ("Student", "Volgt een opleiding bij een van de scholen."),
    ("Teamleider", "Leidt een onderwijsteam en keurt planningen goed."),
    ("Examencommissie", "Bewaakt de kwaliteit van toetsing en examinering."),
)

TERMS = (
    (
        "Rooster",
        "Het overzicht van wie wanneer waar les heeft of geeft, per periode.",
        {"albeda": "lesrooster", "aventus": "planning"},
    ),
    (
        "Studentportaal",
        "De plek waar een student zijn rooster, resultaten en berichten van school vindt.",
        {"aventus": "MijnAventus"},
    ),
    (
        "Toets",
        "Een beoordeling van wat een student kan of weet, met een resultaat dat meetelt.",
        {"albeda": "examenonderdeel"},
    ),
    (
        "Studieadvies",
        "Het advies van de opleiding aan een student over het vervolg van de studie.",
        {},
    ),
)


def _step(sid: str, actor: str, text: str) -> dict:
    return {"id": sid, "actor": actor, "text": text}


USE_CASES = {
    "rooster-publiceren": (
        "albeda",
        {
            "goal_level": "user_goal",
            "primary_actor": "Roostermaker",
            "supporting_actors": ["Student", "Docent"],
            "scope": "De roosters van alle opleidingen van een school.",
            "stakeholders": (
                "- Student: wil op tijd weten waar en wanneer de lessen zijn.\n"
                "- Docent: wil een rooster dat klopt met de afspraken in het team."
            ),
            "trigger": "Het conceptrooster voor de nieuwe periode is klaar.",
            "preconditions": "Het conceptrooster is met de teams afgestemd.",
            "success_guarantees": "Iedere student en docent kan het nieuwe rooster inzien.",
            "minimal_guarantees": "Het vorige rooster blijft zichtbaar tot het nieuwe er is.",
            "frequency": "Vier keer per jaar, plus tussentijdse wijzigingen.",
            "open_issues": "Moeten ouders van minderjarige studenten het rooster ook zien?",
            "steps": [
                _step("s1", "Roostermaker", "Keurt het conceptrooster goed."),
                _step("s2", "Roostermaker", "Publiceert het rooster in het studentportaal."),
                _step("s3", "Student", "Krijgt bericht dat het nieuwe rooster er is."),
                _step("s4", "Docent", "Krijgt bericht dat het nieuwe rooster er is."),
            ],
            "extensions": [
                {
                    "id": "e1",
                    "at": "s2",
                    "condition": "Het studentportaal is niet bereikbaar.",
                    "steps": [
                        _step("x1", "Roostermaker", "Publiceert het rooster later opnieuw."),
                    ],
                },
                {
                    "id": "e2",
                    "at": "s1",
                    "condition": "Een team heeft bezwaar tegen het concept.",
                    "steps": [
                        _step("x2", "Roostermaker", "Bespreekt het bezwaar met de teamleider."),
                        _step("x3", "", "Verder bij stap 1."),
                    ],
                },
            ],
            "variants": [],
        },
    ),
    "roosterwijziging-doorgeven": (
        "aventus",
        {
            "goal_level": "user_goal",
            "primary_actor": "Docent",
            "supporting_actors": ["Roostermaker", "Student"],
            "trigger": "Een les kan niet doorgaan zoals gepland.",
            "success_guarantees": "De betrokken studenten en docenten weten van de wijziging.",
            "frequency": "Dagelijks, op grote scholen vele keren per dag.",
            "steps": [
                _step("s1", "Docent", "Meldt dat een les niet doorgaat of verplaatst wordt."),
                _step("s2", "Roostermaker", "Past het rooster aan."),
                _step("s3", "Student", "Krijgt bericht over de wijziging."),
            ],
            "extensions": [
                {
                    "id": "e1",
                    "at": "s2",
                    "condition": "Er is geen vervangend lokaal.",
                    "steps": [_step("x1", "Roostermaker", "Zoekt met de docent een ander moment.")],
                }
            ],
            "variants": [],
        },
    ),
    "toetsresultaat-invoeren": (
        "aventus",
        {
            "goal_level": "user_goal",
            "primary_actor": "Docent",
            "supporting_actors": ["Student", "Examencommissie"],
            "trigger": "Een toets is nagekeken.",
            "preconditions": "De toets staat in het onderwijsprogramma van de groep.",
            "success_guarantees": "De student ziet het gecontroleerde resultaat.",
            "steps": [
                _step("s1", "Docent", "Kiest de toets en de groep."),
                _step("s2", "Docent", "Vult per student het resultaat in op het scherm."),
                _step("s3", "Docent", "Laat een collega de resultaten controleren."),
                _step("s4", "Student", "Ziet het resultaat in het studentportaal."),
            ],
            "extensions": [
                {
                    "id": "e1",
                    "at": "s3",
                    "condition": "De collega vindt een fout.",
                    "steps": [_step("x1", "Docent", "Verbetert het resultaat.")],
                }
            ],
            "variants": [],
        },
    ),
}


def load(programme: Programme, people: dict) -> None:
    lead = people["lead"]
    if not DetailSettings.objects.filter(programme=programme).exists():
        services.technical_words_save(programme=programme, words=TECHNICAL_WORDS, author=lead)
    for name, description in ACTORS:
        if not Actor.objects.filter(programme=programme, name__iexact=name).exists():
            services.actor_save(
                programme=programme, name=name, description=description, author=lead
            )
    for term, definition, local_words in TERMS:
        if Term.objects.filter(programme=programme, term__iexact=term).exists():
            continue
        instance = services.term_save(
            programme=programme, term=term, definition=definition, author=lead
        )
        for person, word in local_words.items():
            services.local_word_save(term=instance, word=word, author=people[person])
    for slug, (author, data) in USE_CASES.items():
        document = Document.objects.filter(programme=programme, slug=slug).first()
        if document is None or UseCase.objects.filter(document=document).exists():
            continue
        document = services.usecase_save(
            document=document,
            data=data,
            base_version_id=document.head_id,
            author=people[author],
            summary="Gestructureerd volgens het use-case-sjabloon",
        ).document
        _afterwards(slug, document, people)
    vision = Document.objects.filter(programme=programme, kind=Document.Kind.VISION).first()
    if vision is not None and not SignOff.objects.filter(document=vision).exists():
        services.signoff_give(
            document=vision, verdict=SignOff.Verdict.AGREE, remarks="", author=people["aventus"]
        )


def _afterwards(slug: str, document: Document, people: dict) -> None:
    """Sign-offs and variants: Albeda's sign-off of "Rooster publiceren" is on the version before
    Aventus added its variant, so it shows as given on an older version."""
    if slug == "rooster-publiceren":
        services.signoff_give(
            document=document, verdict=SignOff.Verdict.AGREE, remarks="", author=people["albeda"]
        )
        result = services.variant_save(
            document=document,
            target="s1",
            text="Bij ons keurt de teamleider het conceptrooster goed, niet de roostermaker.",
            base_version_id=document.head_id,
            author=people["aventus"],
        )
        services.signoff_give(
            document=result.document,
            verdict=SignOff.Verdict.REMARKS,
            remarks="Akkoord, met onze variant bij stap 1.",
            author=people["aventus"],
        )
    elif slug == "roosterwijziging-doorgeven":
        services.signoff_give(
            document=document,
            verdict=SignOff.Verdict.OBJECT,
            remarks="De melding moet ook naar de docenten, niet alleen naar de studenten.",
            author=people["albeda"],
        )
