"""A programme's leads edit its portal page and write its news in the Wagtail admin, and
nothing else in the page tree; the right follows the lead role at once."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from wagtail.models import Page, Site
from wagtail.permissions import policy_registry
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from participation import services
from participation.models import ProgrammeRole
from tests import factories
from wiki.pages import NewsPage, ProgrammePortalPage

pytestmark = pytest.mark.django_db


def site_root() -> Page:
    return Site.objects.get(is_default_site=True).root_page


def make_portal(programme) -> ProgrammePortalPage:
    """A published portal page, as a superuser makes one in the admin (or the demo does)."""
    portal = site_root().add_child(
        instance=ProgrammePortalPage(
            title=programme.name, slug=programme.slug, programme=programme, intro="<p>Hello</p>"
        )
    )
    portal.save_revision().publish()
    return portal


@pytest.fixture
def portal(world) -> ProgrammePortalPage:
    return make_portal(world.programme)


@pytest.fixture
def other_portal(db) -> ProgrammePortalPage:
    programme = factories.ProgrammeFactory(name="Other programme")
    factories.LeadRoleFactory(programme=programme, user=factories.UserFactory(username="other"))
    return make_portal(programme)


@pytest.fixture
def lead_client(client, world):
    """The world's lead, appointed through the service as the admin and the API do."""
    services.lead_appoint(programme=world.programme, user=world.lead, by=world.lead)
    client.force_login(world.lead)
    return client


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def add_news_url(parent) -> str:
    return reverse("wagtailadmin_pages:add", args=["wiki", "newspage", parent.pk])


def portal_form(portal, *, intro: str, publish: bool = True) -> dict:
    data = nested_form_data(
        {
            "title": portal.title,
            "slug": portal.slug,
            "intro": rich_text(intro),
            "body": streamfield([]),
            "comments": inline_formset([]),
        }
    )
    if publish:
        data["action-publish"] = "publish"
    return data


def news_form(title: str, slug: str) -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "date": "2026-11-20",
            "body": rich_text("<p>Versie twee van de visie staat klaar.</p>"),
            "comments": inline_formset([]),
            "action-publish": "publish",
        }
    )


def shut_out(response) -> bool:
    """Someone without the Wagtail admin is sent to its log-in page."""
    return response.status_code == 302 and response.url.startswith(reverse("wagtailadmin_login"))


def denied(response) -> bool:
    """Wagtail answers a page the person may not touch with 403, or with a redirect to the
    admin's home and a 'permission denied' message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url.startswith(reverse("wagtailadmin_home"))
    )


def test_lead_edits_and_publishes_own_portal(lead_client, portal):
    assert lead_client.get(edit_url(portal)).status_code == 200

    response = lead_client.post(edit_url(portal), portal_form(portal, intro="<p>Nieuw!</p>"))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert "Nieuw!" in lead_client.get(portal.url).content.decode()


def test_lead_cannot_hand_the_portal_to_another_programme(lead_client, portal, other_portal):
    other = factories.ProgrammeFactory(name="Portal-less programme")
    data = portal_form(portal, intro="<p>Hello</p>")
    data["programme"] = other.pk

    lead_client.post(edit_url(portal), data)

    portal.refresh_from_db()
    assert portal.programme_id != other.pk


def test_lead_writes_and_publishes_news(lead_client, portal):
    assert lead_client.get(add_news_url(portal)).status_code == 200

    response = lead_client.post(add_news_url(portal), news_form("Visie v2", "visie-v2"))

    assert response.status_code == 302
    news = NewsPage.objects.child_of(portal).get(slug="visie-v2")
    assert news.live
    assert news.date == datetime.date(2026, 11, 20)
    assert "Visie v2" in lead_client.get(portal.url).content.decode()


def test_lead_unpublishes_and_deletes_news(lead_client, portal):
    news = portal.add_child(
        instance=NewsPage(title="Oud", slug="oud", date=datetime.date(2026, 1, 1), body="<p>x</p>")
    )
    news.save_revision().publish()

    response = lead_client.post(reverse("wagtailadmin_pages:unpublish", args=[news.pk]))
    assert response.status_code == 302
    news.refresh_from_db()
    assert not news.live

    response = lead_client.post(reverse("wagtailadmin_pages:delete", args=[news.pk]))
    assert response.status_code == 302
    assert not NewsPage.objects.filter(pk=news.pk).exists()


def test_lead_sees_own_portal_in_the_explorer(lead_client, portal, other_portal):
    response = lead_client.get(reverse("wagtailadmin_explore_root"))
    assert response.status_code in (200, 302)
    response = lead_client.get(reverse("wagtailadmin_explore", args=[portal.pk]))
    assert response.status_code == 200
    assert denied(lead_client.get(reverse("wagtailadmin_explore", args=[other_portal.pk])))


def test_lead_cannot_delete_or_move_own_portal(lead_client, portal):
    assert denied(lead_client.get(reverse("wagtailadmin_pages:delete", args=[portal.pk])))
    assert denied(lead_client.get(reverse("wagtailadmin_pages:move", args=[portal.pk])))
    assert ProgrammePortalPage.objects.filter(pk=portal.pk).exists()


def test_lead_cannot_edit_another_programmes_portal(lead_client, other_portal):
    assert denied(lead_client.get(edit_url(other_portal)))
    response = lead_client.post(edit_url(other_portal), portal_form(other_portal, intro="<p>x</p>"))
    assert denied(response)
    assert denied(lead_client.get(add_news_url(other_portal)))


def test_lead_cannot_edit_the_home_page_or_add_below_the_root(lead_client, portal):
    home = site_root()
    assert denied(lead_client.get(edit_url(home)))
    assert denied(
        lead_client.get(
            reverse("wagtailadmin_pages:add", args=["wiki", "programmeportalpage", home.pk])
        )
    )
    tree_root = Page.get_first_root_node()
    assert denied(lead_client.get(reverse("wagtailadmin_pages:add_subpage", args=[tree_root.pk])))


@pytest.mark.parametrize("role", ["contributor", "observer"])
def test_members_get_no_access_to_the_portal(client, world, portal, role):
    client.force_login(world.person(role))
    assert shut_out(client.get(edit_url(portal)))
    assert shut_out(client.get(add_news_url(portal)))
    assert not NewsPage.objects.exists()


def test_member_in_the_leads_group_gets_no_portal_rights(client, world, portal):
    """Admin access alone (a lead of another programme) gives no rights on this portal."""
    services.leads_group().user_set.add(world.contributor)
    client.force_login(world.contributor)
    assert denied(client.get(edit_url(portal)))


def test_removed_lead_loses_the_portal(lead_client, world, portal):
    successor = factories.UserFactory(username="successor")
    services.lead_appoint(programme=world.programme, user=successor, by=world.lead)
    assert lead_client.get(edit_url(portal)).status_code == 200

    role = ProgrammeRole.objects.get(programme=world.programme, user=world.lead)
    services.lead_remove(role=role, by=successor)

    assert shut_out(lead_client.get(edit_url(portal)))
    assert shut_out(lead_client.post(add_news_url(portal), news_form("Te laat", "te-laat")))
    assert not NewsPage.objects.filter(slug="te-laat").exists()


def test_lead_of_two_programmes_removed_from_one_keeps_only_the_other(
    lead_client, world, portal, other_portal
):
    services.lead_appoint(
        programme=other_portal.programme,
        user=world.lead,
        by=other_portal.programme.roles.get().user,
    )
    successor = factories.UserFactory(username="successor")
    services.lead_appoint(programme=world.programme, user=successor, by=world.lead)
    role = ProgrammeRole.objects.get(programme=world.programme, user=world.lead)
    services.lead_remove(role=role, by=successor)

    assert denied(lead_client.get(edit_url(portal)))
    assert lead_client.get(edit_url(other_portal)).status_code == 200


def test_portal_created_after_the_appointment_is_the_leads(lead_client, world):
    portal = make_portal(world.programme)

    assert lead_client.get(edit_url(portal)).status_code == 200
    response = lead_client.post(add_news_url(portal), news_form("Later", "later"))
    assert response.status_code == 302
    assert NewsPage.objects.child_of(portal).filter(slug="later", live=True).exists()


def test_upgrade_puts_existing_leads_in_the_admin(client, world, portal):
    """A lead role written without the service (as before an upgrade) gets the admin from the
    data migration; the portal right comes with the role itself."""
    assert not world.lead.groups.filter(name=services.LEADS_GROUP).exists()
    migration = importlib.import_module("participation.migrations.0005_leads_in_leads_group")

    migration.leads_into_group(apps, None)

    assert world.lead.groups.filter(name=services.LEADS_GROUP).exists()
    assert not world.contributor.groups.exists()
    client.force_login(world.lead)
    assert client.get(edit_url(portal)).status_code == 200


def test_wagtail_lists_the_leads_among_those_who_may_publish_news(world, portal, other_portal):
    news = portal.add_child(
        instance=NewsPage(title="N", slug="n", date=datetime.date(2026, 1, 1), body="<p>x</p>")
    )
    policy = policy_registry.get_by_type(Page)

    for_news = policy.users_with_permission_for_instance("publish", news)
    anywhere = policy.users_with_permission("publish")

    assert world.lead in for_news and world.lead in anywhere
    assert other_portal.programme.roles.get().user not in for_news
    assert world.contributor not in anywhere
    assert world.lead not in policy.users_with_permission_for_instance("publish", site_root())
