import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_3_listing_the_paths(api):
    response = api.get("schema/")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate(schema)
    paths = schema["paths"]
    for path in [
        "/api/v1/programmes/",
        "/api/v1/programmes/{programme}/",
        "/api/v1/organisations/",
        "/api/v1/organisations/{organisation}/",
        "/api/v1/programmes/{programme}/memberships/",
        "/api/v1/programmes/{programme}/memberships/{organisation}/",
        "/api/v1/programmes/{programme}/documents/",
        "/api/v1/programmes/{programme}/documents/{document}/",
        "/api/v1/programmes/{programme}/documents/{document}/history/",
        "/api/v1/programmes/{programme}/documents/{document}/versions/{version_id}/",
        "/api/v1/programmes/{programme}/documents/{document}/versions/{version_id}/revert/",
        "/api/v1/programmes/{programme}/documents/{document}/diff/",
        "/api/v1/programmes/{programme}/documents/{document}/comments/",
        "/api/v1/search/",
    ]:
        assert path in paths, path


def test_schema_documents_bearer_token_as_optional(api):
    schema = api.get("schema/").json()

    assert schema["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"}
    }
    assert schema["paths"]["/api/v1/programmes/"]["get"]["security"] == [{"TokenAuth": []}, {}]
    assert "API tokens" in schema["info"]["description"]


def test_stale_update_is_documented_as_409_conflict(api):
    schema = api.get("schema/").json()

    put = schema["paths"]["/api/v1/programmes/{programme}/documents/{document}/"]["put"]
    assert {"200", "400", "403", "404", "409"} <= set(put["responses"])


def test_docs_page_is_served_from_local_static_files(api):
    response = api.get("docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert "https://" not in page
