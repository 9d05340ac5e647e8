from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation


def load() -> str:
    """`make run`'s demo, loaded in the site's language as there (Dutch): what it records in
    words (a baseline's name) is in Dutch, as a newcomer finds it."""
    out = StringIO()
    with translation.override("nl"):
        call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module (a load takes seconds) and rolled back after it;
    each test runs in a savepoint inside, like Django's setUpTestData."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = load()
        yield output
        transaction.set_rollback(True)
