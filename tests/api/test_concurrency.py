"""Two people saving the same document at the same moment, through the API, on PostgreSQL
(row locks are real there): exactly one wins, the other gets 409 with its text."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client
from reversion.models import Version

from tests.api.conftest import doc_path


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_updates_on_the_same_base_one_wins_one_conflicts(api, world, make_document):
    document = make_document(world, body="Regel een.\n")
    base = document.head_id
    people = {"lead": world.lead, "contributor": world.contributor}
    tokens = {name: api.token_for(person) for name, person in people.items()}
    start = threading.Barrier(len(people))
    results: dict[str, tuple[int, dict]] = {}

    def save(name: str) -> None:
        try:
            client = Client()
            start.wait(timeout=10)
            response = client.put(
                f"/api/v1/{doc_path(world, document)}",
                json.dumps({"base_version_id": base, "body": f"Regel een, door {name}.\n"}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {tokens[name]}",
            )
            results[name] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(name,)) for name in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(status for status, _ in results.values()) == [200, 409]
    (winner,) = [name for name, (status, _) in results.items() if status == 200]
    (loser,) = [name for name, (status, _) in results.items() if status == 409]
    conflict = results[loser][1]
    assert conflict["submitted"]["body"] == f"Regel een, door {loser}.\n"
    assert conflict["current"]["body"] == f"Regel een, door {winner}.\n"
    document.refresh_from_db()
    assert document.body == f"Regel een, door {winner}.\n"
    assert Version.objects.get_for_object(document).count() == 2
