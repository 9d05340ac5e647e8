"""The demo that `make run` loads: what a newcomer finds, and that loading it again is harmless."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from reversion.models import Revision, Version

from participation import permissions
from participation.models import Affiliation, Level, Membership, Programme, ProgrammeRole
from participation.permissions import Action
from tests.workspace.conftest import load
from wiki.models import Comment, Document
from wiki.pages import NewsPage, ProgrammePortalPage

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Everything the demo writes, counted and summarised, to compare two loads."""
    User = get_user_model()
    return {
        "users": sorted(User.objects.values_list("username", "password")),
        "programmes": sorted(Programme.objects.values_list("slug", "visibility", "link_epoch")),
        "memberships": sorted(
            Membership.objects.values_list("programme__slug", "organisation__slug", "level")
        ),
        "roles": sorted(ProgrammeRole.objects.values_list("programme__slug", "user__username")),
        "affiliations": Affiliation.objects.count(),
        "documents": sorted(Document.objects.values_list("slug", "head_id", "body")),
        "revisions": Revision.objects.count(),
        "versions": Version.objects.count(),
        "comments": Comment.objects.count(),
        "pages": sorted(ProgrammePortalPage.objects.values_list("slug", "live")),
        "news": NewsPage.objects.count(),
        # and every other app's part of the demo: no table grows on a second load
        "rows": {
            model._meta.label: model._default_manager.count()
            for model in apps.get_models()
            if model._meta.app_label not in {"sessions", "axes"}
        },
    }


def level(username: str, slug: str) -> Level:
    user = get_user_model().objects.get(username=username)
    return permissions.level_of(user, Programme.objects.get(slug=slug))


def test_demo_prints_the_logins_and_password(demo):
    for username in ("admin", "lead", "albeda", "aventus", "amarantis"):
        assert username in demo
    assert "stip-demo" in demo


def test_demo_people_can_log_in_with_the_printed_password(demo, client):
    for username in ("lead", "albeda", "aventus", "amarantis", "admin"):
        assert client.login(username=username, password="stip-demo"), username


def test_loading_the_demo_twice_changes_nothing(demo):
    first = snapshot()
    output = load()
    assert snapshot() == first
    assert "nothing changed" in output


def test_triple_a_is_open_with_two_contributors_and_an_observer(demo):
    triple_a = Programme.objects.get(slug="triple-a")
    assert triple_a.name == "Triple A"
    assert triple_a.is_open
    members = dict(triple_a.memberships.values_list("organisation__name", "level"))
    assert members == {
        "Albeda College": Membership.MemberLevel.CONTRIBUTOR,
        "ROC Aventus": Membership.MemberLevel.CONTRIBUTOR,
        "Amarantis Onderwijsgroep": Membership.MemberLevel.OBSERVER,
    }


def test_demo_roles_have_the_levels_described(demo):
    assert level("lead", "triple-a") == Level.LEAD
    assert level("albeda", "triple-a") == Level.CONTRIBUTOR
    assert level("aventus", "triple-a") == Level.CONTRIBUTOR
    assert level("amarantis", "triple-a") == Level.OBSERVER
    assert level("admin", "triple-a") == Level.LEAD
    assert get_user_model().objects.get(username="admin").is_superuser


def test_observer_may_discuss_but_not_edit_in_the_demo(demo):
    amarantis = get_user_model().objects.get(username="amarantis")
    triple_a = Programme.objects.get(slug="triple-a")
    assert permissions.can(amarantis, Action.DISCUSS, triple_a)
    assert not permissions.can(amarantis, Action.EDIT, triple_a)


def test_members_only_programme_is_hidden_from_triple_a_people(demo):
    wigo4it = Programme.objects.get(slug="wigo4it")
    assert not wigo4it.is_open
    assert level("albeda", "wigo4it") == Level.NONE
    assert level("rotterdam", "wigo4it") == Level.LEAD
    albeda = get_user_model().objects.get(username="albeda")
    assert wigo4it not in permissions.visible_programmes(albeda)


def test_demo_has_vision_processes_and_use_cases_in_a_tree(demo):
    documents = Document.objects.filter(programme__slug="triple-a")
    vision = documents.get(kind=Document.Kind.VISION)
    assert vision.title == "Visie op de studentadministratie"
    main_processes = set(
        documents.filter(kind=Document.Kind.MAIN_PROCESS).values_list("title", flat=True)
    )
    assert main_processes == {"Onderwijs plannen", "Studievoortgang volgen"}
    timetable = documents.get(title="Rooster maken")
    assert timetable.kind == Document.Kind.WORK_PROCESS
    assert timetable.parent.title == "Onderwijs plannen"
    assert documents.get(title="Resultaten registreren").parent.title == "Studievoortgang volgen"
    use_cases = documents.filter(kind=Document.Kind.USE_CASE)
    assert use_cases.count() >= 3
    assert all(uc.parent.kind == Document.Kind.WORK_PROCESS for uc in use_cases)


def test_demo_documents_have_revisions_by_different_people(demo):
    vision = Document.objects.get(programme__slug="triple-a", kind=Document.Kind.VISION)
    versions = Version.objects.get_for_object(vision).select_related("revision__user")
    assert versions.count() >= 3
    authors = {v.revision.user.username for v in versions}
    summaries = {v.revision.comment for v in versions}
    assert len(authors) >= 3
    assert len(summaries) == versions.count()
    assert vision.head_id == versions.order_by("-pk").first().pk
    use_case = Document.objects.get(slug="rooster-publiceren")
    assert Version.objects.get_for_object(use_case).count() >= 3


def test_demo_portal_with_news_is_served(demo, client):
    portal = ProgrammePortalPage.objects.get(programme__slug="triple-a")
    assert portal.live
    assert NewsPage.objects.child_of(portal).live().count() == 1
    response = client.get("/portal/triple-a/")
    assert response.status_code == 200
    assert "Eerste versie van de visie staat online" in response.content.decode()


def test_demo_lead_may_open_the_wagtail_admin(demo):
    lead = get_user_model().objects.get(username="lead")
    albeda = get_user_model().objects.get(username="albeda")
    assert lead.has_perm("wagtailadmin.access_admin")
    assert not albeda.has_perm("wagtailadmin.access_admin")


def test_demo_builds_a_page_tree_when_the_database_has_none(demo, client):
    """Tests with a live server empty the database, Wagtail's initial pages included."""
    from wagtail.models import Locale, Page, Site

    Site.objects.all().delete()
    Page.objects.all().delete()
    Locale.objects.all().delete()
    load()
    assert client.get("/portal/triple-a/").status_code == 200
    load()
    assert Site.objects.count() == 1
    assert ProgrammePortalPage.objects.count() == 1
