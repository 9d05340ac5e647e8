"""The Wagtail admin shows a programme's leads their own programme's decision log and entries,
read only, as the permission module decides; nothing of another programme."""

import pytest

from participation import services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_lead(db):
    programme = factories.ProgrammeFactory(name="Ander programma")
    person = factories.UserFactory(username="other-lead")
    factories.LeadRoleFactory(programme=programme, user=person)
    services.leads_group().user_set.add(person)
    return person


def test_lead_reads_own_programmes_proposals_and_entries_only(
    client, world, main, make_proposal, record, other_lead
):
    proposal = make_proposal(title="Roosterpakket kiezen")
    stake = record(main, world.contributor, "risk", "cost", size=2)
    services.leads_group().user_set.add(world.lead)  # as appointing a lead does
    client.force_login(world.lead)
    assert "Roosterpakket kiezen" in client.get("/admin/proposals/").content.decode()
    assert client.get(f"/admin/proposals/inspect/{proposal.pk}/").status_code == 200
    assert client.get(f"/admin/stake_entries/inspect/{stake.pk}/").status_code == 200
    assert client.get(f"/admin/proposals/edit/{proposal.pk}/").status_code != 200  # read only

    client.force_login(other_lead)
    assert "Roosterpakket kiezen" not in client.get("/admin/proposals/").content.decode()
    assert client.get(f"/admin/proposals/inspect/{proposal.pk}/").status_code != 200
    assert client.get(f"/admin/stake_entries/inspect/{stake.pk}/").status_code != 200

    client.force_login(world.contributor)
    assert client.get("/admin/proposals/").status_code != 200
