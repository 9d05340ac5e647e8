"""Leads handle join requests in the Wagtail admin, through the same service as the site."""

import pytest
from django.urls import reverse

from participation import services
from participation.models import JoinRequest, Membership, MembershipChange
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(world):
    return factories.asking_to_join(
        world.programme, organisation="Admin School", username="admin-newcomer"
    )


def test_lead_approves_a_request_in_the_admin(client, world, waiting):
    services.leads_group().user_set.add(world.lead)
    client.force_login(world.lead)
    index = client.get(reverse("join_requests:index"))
    assert index.status_code == 200 and "Admin School" in index.content.decode()
    response = client.post(
        reverse("join_requests:edit", args=[waiting.pk]),
        {"status": "approved", "reason": "Welkom"},
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == JoinRequest.Status.APPROVED and waiting.decided_by == world.lead
    assert Membership.objects.filter(organisation=waiting.organisation).exists()
    assert MembershipChange.objects.get(organisation=waiting.organisation).reason == "Welkom"


def test_declining_in_the_admin_without_reason_changes_nothing(client, world, waiting):
    services.leads_group().user_set.add(world.lead)
    client.force_login(world.lead)
    response = client.post(
        reverse("join_requests:edit", args=[waiting.pk]), {"status": "declined", "reason": ""}
    )
    assert response.status_code == 200
    waiting.refresh_from_db()
    assert waiting.status == JoinRequest.Status.PENDING


def test_lead_of_another_programme_cannot_decide_in_the_admin(client, world, waiting):
    other = factories.UserFactory(username="other-lead")
    factories.LeadRoleFactory(user=other, programme=factories.ProgrammeFactory(name="Ander"))
    services.leads_group().user_set.add(other)
    client.force_login(other)
    assert "Admin School" not in client.get(reverse("join_requests:index")).content.decode()
    response = client.post(
        reverse("join_requests:edit", args=[waiting.pk]), {"status": "approved", "reason": ""}
    )
    assert response.status_code in (302, 403)
    waiting.refresh_from_db()
    assert waiting.status == JoinRequest.Status.PENDING
