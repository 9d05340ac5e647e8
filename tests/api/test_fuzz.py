"""The API fuzzed against its own OpenAPI schema (schemathesis, a bounded number of examples per
operation): whatever is sent, no server error, and every answer matches the schema."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import openapi
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from wagtail.models import APIToken

from config.wsgi import application

schema = openapi.from_wsgi("/api/v1/schema/", application)

FUZZ = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests go straight to the WSGI application, so Django would close the database
    connection after each one, as it does between real requests; the test's transaction needs
    it open (Django's own test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def lead_token(world, make_document):
    make_document(world, title="Visie", body="# Visie\n\nSamen ontwerpen.\n")
    _token, key = APIToken.create_token(user=world.lead, name="fuzz")
    return key


@pytest.fixture
def existing(world):
    """Path parameters that name things that exist. Random slugs only ever reach the 404 of the
    programme lookup, never the code behind it."""
    document = world.programme.documents.get(slug="visie")
    return {"programme": world.programme.slug, "document": document.slug}


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_answers_every_request_without_server_error_and_as_documented(
    case, lead_token, existing
):
    for name, value in existing.items():
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = value
    case.call_and_validate(
        headers={"Authorization": f"Bearer {lead_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
