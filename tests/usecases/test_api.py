import pytest

from tests.api.conftest import ApiClient
from usecases import selectors
from usecases.models import SignOff

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db) -> ApiClient:
    return ApiClient()


def path(world, rest: str) -> str:
    return f"programmes/{world.programme.slug}/{rest}"


def test_api_reads_a_use_case_with_steps_extensions_and_labels(api, world, usecase):
    response = api.get(path(world, f"usecases/{usecase.slug}/"))
    assert response.status_code == 200
    body = response.json()
    assert [s["label"] for s in body["steps"]] == ["1", "2", "3"]
    assert body["extensions"][0]["label"] == "3a"
    assert body["extensions"][0]["steps"][0]["label"] == "3a1"
    assert body["markdown"] == usecase.body


def test_api_update_and_field_diff(api, world, usecase):
    current = api.get(path(world, f"usecases/{usecase.slug}/")).json()
    payload = {
        k: current[k]
        for k in ("title", "goal_level", "primary_actor", "supporting_actors", "trigger")
    }
    payload["steps"] = [
        {"id": s["id"], "actor": s["actor"], "text": s["text"]} for s in current["steps"]
    ][::-1]
    payload["extensions"] = [
        {
            "id": e["id"],
            "at": e["at"],
            "condition": e["condition"],
            "steps": [{"id": s["id"], "actor": s["actor"], "text": s["text"]} for s in e["steps"]],
        }
        for e in current["extensions"]
    ]
    payload["base_version_id"] = current["head_version_id"]
    response = api.put(path(world, f"usecases/{usecase.slug}/"), payload, user=world.contributor)
    assert response.status_code == 200, response.content
    new_version = response.json()["version_id"]
    diff = api.get(path(world, f"usecases/{usecase.slug}/diff/"), {"to": new_version}).json()
    assert {c["kind"] for c in diff["steps"]} == {"moved"}
    assert [f["field"] for f in diff["fields"]] == [
        "scope",
        "stakeholders",
        "preconditions",
        "success_guarantees",
        "minimal_guarantees",
        "frequency",
    ]

    stale = api.put(
        path(world, f"usecases/{usecase.slug}/"), {**payload, "trigger": "Other."}, user=world.lead
    )
    assert stale.status_code == 200  # only trigger differs from the head: no overlap
    payload["trigger"] = "Mine."
    conflict = api.put(path(world, f"usecases/{usecase.slug}/"), payload, user=world.contributor)
    assert conflict.status_code == 409
    assert conflict.json()["fields"] == ["trigger"]
    assert conflict.json()["submitted"]["trigger"] == "Mine."


def test_api_sign_off_and_permissions(api, world, usecase):
    url = path(world, f"documents/{usecase.slug}/signoffs/")
    assert api.post(url, {"verdict": "agree"}, user=world.observer).status_code == 403
    assert api.post(url, {"verdict": "object"}, user=world.contributor).status_code == 400
    response = api.post(url, {"verdict": "agree"}, user=world.contributor)
    assert response.status_code == 200
    assert response.json()[0]["stale"] is False
    assert SignOff.objects.count() == 1


def test_api_hides_other_programmes(api, world, usecase, closed_world):
    hidden = f"programmes/{closed_world.programme.slug}/usecases/"
    assert api.get(hidden, user=world.outsider).status_code == 404
    other = f"programmes/{closed_world.programme.slug}/usecases/{usecase.slug}/"
    assert api.get(other, user=closed_world.lead).status_code == 404


def test_api_glossary_and_variants(api, world, usecase):
    created = api.post(
        path(world, "glossary/"),
        {"term": "Rooster", "definition": "Wie waar."},
        user=world.contributor,
    )
    assert created.status_code == 201
    assert api.get(path(world, "glossary/")).json()[0]["term"] == "Rooster"
    response = api.put(
        path(world, f"usecases/{usecase.slug}/variants/"),
        {"target": "s1", "text": "Bij ons anders.", "base_version_id": None},
        user=world.contributor,
    )
    assert response.status_code == 200
    assert response.json()["use_case"]["variants"][0]["target_label"] == "1"
    assert selectors.usecase_data(usecase)["variants"][0]["text"] == "Bij ons anders."


def test_schema_lists_use_case_endpoints(api):
    schema = api.get("schema/").json() if api.get("schema/").status_code == 200 else None
    if schema is None:
        schema = api.get("openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/programmes/{programme}/usecases/{document}/" in paths
    assert "/api/v1/programmes/{programme}/glossary/" in paths
