"""Leads say in the Wagtail admin by which domain (schacHomeOrganization) or tenant id identity
providers name the organisations of their programme; superusers for every organisation."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from participation import services
from participation.models import IdentityDomain
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_client(client, world):
    services.leads_group().user_set.add(world.lead)
    client.force_login(world.lead)
    return client


def test_lead_adds_the_domain_of_a_member_organisation_in_the_admin(lead_client, world):
    response = lead_client.post(
        reverse("identity_domains:add"),
        {"organisation": world.observing_org.pk, "value": " Albeda.NL "},
    )
    assert response.status_code == 302
    domain = IdentityDomain.objects.get()
    assert (domain.organisation, domain.value) == (world.observing_org, "albeda.nl")
    listing = lead_client.get(reverse("identity_domains:index"))
    assert "albeda.nl" in listing.text


def test_lead_cannot_name_the_domain_of_an_organisation_outside_their_programmes(
    lead_client, world
):
    stranger = factories.OrganisationFactory(name="Elsewhere College")
    response = lead_client.post(
        reverse("identity_domains:add"), {"organisation": stranger.pk, "value": "elsewhere.nl"}
    )
    assert response.status_code == 200
    assert not IdentityDomain.objects.exists()
    with pytest.raises(PermissionDenied):
        services.identity_domain_add(organisation=stranger, value="elsewhere.nl", by=world.lead)


def test_a_domain_belongs_to_one_organisation(world):
    services.identity_domain_add(organisation=world.observing_org, value="albeda.nl", by=world.lead)
    with pytest.raises(ValidationError) as refused:
        services.identity_domain_add(
            organisation=world.contributing_org, value="ALBEDA.nl", by=world.lead
        )
    assert world.observing_org.name in str(refused.value)


def test_contributor_does_not_get_at_the_domains(client, world):
    client.force_login(world.contributor)
    assert client.get(reverse("identity_domains:index")).status_code in (302, 403)
    with pytest.raises(PermissionDenied):
        services.identity_domain_add(
            organisation=world.contributing_org, value="x.nl", by=world.contributor
        )
