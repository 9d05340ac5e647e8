"""Document templates: a lead keeps one per kind (vision, main process, work process); a new
document of that kind starts from it, on the site and through the API; nobody else changes it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from wiki import services

pytestmark = pytest.mark.django_db

TEMPLATE = "## Doel\n\n## Betrokkenen\n\n## Stappen\n"


def test_lead_keeps_a_template_and_others_may_not(world):
    services.document_template_set(
        programme=world.programme, kind="work_process", body=TEMPLATE, by=world.lead
    )
    for person in (world.contributor, world.observer, world.outsider):
        with pytest.raises(PermissionDenied):
            services.document_template_set(
                programme=world.programme, kind="work_process", body="x", by=person
            )
    with pytest.raises(ValidationError):
        services.document_template_set(
            programme=world.programme, kind="use_case", body="x", by=world.lead
        )


def test_a_new_document_without_text_starts_from_the_template(world):
    services.document_template_set(
        programme=world.programme, kind="vision", body=TEMPLATE, by=world.lead
    )
    started = services.document_create(
        programme=world.programme, kind="vision", title="Visie", body=None, author=world.lead
    )
    written = services.document_create(
        programme=world.programme, kind="vision", title="Eigen", body="Eigen.", author=world.lead
    )
    other = services.document_create(
        programme=world.programme, kind="page", title="Pagina", body=None, author=world.lead
    )
    assert (started.body, written.body, other.body) == (TEMPLATE, "Eigen.", "")


def test_the_new_document_form_starts_from_the_kinds_template(client, world, make_document):
    services.document_template_set(
        programme=world.programme, kind="main_process", body=TEMPLATE, by=world.lead
    )
    client.force_login(world.contributor)
    url = reverse("wiki:create", args=[world.programme.slug])

    page = client.get(url, {"kind": "main_process"}).text

    assert "## Betrokkenen" in page.split("<textarea")[1].split("</textarea>")[0]
    assert 'id="document-templates"' in page


def test_only_leads_reach_the_template_pages(client, world):
    url = reverse("wiki:template", args=[world.programme.slug, "vision"])
    client.force_login(world.contributor)
    assert client.get(url).status_code == 403
    client.force_login(world.lead)
    assert client.get(reverse("wiki:templates", args=[world.programme.slug])).status_code == 200
    response = client.post(url, {"body": TEMPLATE})
    assert response.status_code == 302
    assert client.get(url).text.count("## Betrokkenen") == 1
    programme_page = client.get(reverse("wiki:programme", args=[world.programme.slug])).text
    assert reverse("wiki:templates", args=[world.programme.slug]) in programme_page
