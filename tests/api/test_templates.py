"""Document templates over the API: leads keep them; a document created without text starts
from its kind's template."""

import pytest

from wiki import services
from wiki.models import Document

pytestmark = pytest.mark.django_db

TEMPLATE = "## Doel\n\n## Betrokkenen\n\n## Stappen\n"


def test_templates_through_the_api(api, world):
    path = f"programmes/{world.programme.slug}/document-templates/work_process/"
    assert api.put(path, {"body": TEMPLATE}, user=world.contributor).status_code == 403
    assert api.put(path, {"body": TEMPLATE}, user=world.lead).status_code == 200
    assert api.get(path, user=world.observer).json() == {
        "kind": "work_process",
        "body": TEMPLATE,
    }
    main = services.document_create(
        programme=world.programme, kind="main_process", title="Hoofd", body="", author=world.lead
    )
    created = api.post(
        f"programmes/{world.programme.slug}/documents/",
        {"title": "Werk", "kind": "work_process", "parent": main.slug},
        user=world.contributor,
    )
    assert created.status_code == 201, created.content
    assert Document.objects.get(slug=created.json()["slug"]).body == TEMPLATE
