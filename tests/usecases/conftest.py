import pytest

from usecases import services
from usecases.models import DetailSettings
from wiki.models import Document

SAMPLE = {
    "goal_level": "user_goal",
    "primary_actor": "Roster maker",
    "supporting_actors": ["Teacher"],
    "scope": "The school's rostering.",
    "stakeholders": "- Teacher: wants a fair roster.",
    "trigger": "A new school period approaches.",
    "preconditions": "The teams are known.",
    "success_guarantees": "Everyone knows where to be.",
    "minimal_guarantees": "The old roster stays valid.",
    "frequency": "Four times a year.",
    "open_issues": "",
    "steps": [
        {"id": "s1", "actor": "Roster maker", "text": "Collects the wishes of the teachers."},
        {"id": "s2", "actor": "Roster maker", "text": "Drafts the roster."},
        {"id": "s3", "actor": "Teacher", "text": "Checks the draft."},
    ],
    "extensions": [
        {
            "id": "e1",
            "at": "s3",
            "condition": "A teacher disagrees.",
            "steps": [{"id": "x1", "actor": "Roster maker", "text": "Discusses it."}],
        }
    ],
    "variants": [],
}


def sample(**changes) -> dict:
    import copy

    data = copy.deepcopy(SAMPLE)
    data.update(changes)
    return data


@pytest.fixture
def work_process(world, make_document):
    main = make_document(world, title="Onderwijs plannen", kind=Document.Kind.MAIN_PROCESS)
    return make_document(world, title="Rooster maken", kind=Document.Kind.WORK_PROCESS, parent=main)


@pytest.fixture
def usecase(world, work_process):
    return services.usecase_create(
        programme=world.programme,
        parent=work_process,
        title="Make the weekly roster",
        data=sample(),
        author=world.contributor,
    )


@pytest.fixture
def technical(world):
    return DetailSettings.objects.create(
        programme=world.programme, technical_words="database\nbutton\nscherm"
    )
