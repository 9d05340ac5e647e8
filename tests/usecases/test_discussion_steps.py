"""A discussion thread about a step of a use case: the use cases app names the steps as places
of the document (`wiki.anchors`), the wiki keeps and shows the thread there."""

import pytest
from django.core.exceptions import ValidationError

from usecases import selectors
from wiki import services

pytestmark = pytest.mark.django_db


def test_a_thread_at_a_step_shows_there_and_links_back(client, world, usecase):
    step = selectors.usecase_data_at(usecase, None)["steps"][1]["id"]
    thread = services.comment_add(
        document=usecase, author=world.observer, body="Deze stap?", anchor=f"step:{step}"
    )
    assert thread.anchor_label.startswith("Step 2: ")

    client.force_login(world.observer)
    text = client.get(usecase.get_absolute_url()).text
    assert f'href="#threads-step-{step}"' in text  # from the step to its threads
    assert f'id="threads-step-{step}"' in text and f'href="#{step}"' in text  # and back
    assert "Deze stap?" in text


def test_a_step_the_use_case_does_not_have_is_refused(world, usecase):
    with pytest.raises(ValidationError):
        services.comment_add(
            document=usecase, author=world.observer, body="Hier?", anchor="step:nergens"
        )
