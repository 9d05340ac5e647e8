"""Build Stip's benchmark data through its services; print what the load needs as JSON.

Run by bench/run.py against an empty PostgreSQL database of its own.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import django  # noqa: E402

django.setup()

from content import document_text, edited  # noqa: E402
from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from reversion.models import Version  # noqa: E402

from participation.models import Membership  # noqa: E402
from tests import factories  # noqa: E402
from wiki import services  # noqa: E402
from wiki.models import Document  # noqa: E402

SAVERS = 4


def django_session_engine() -> str:
    """The Django session engine Stip's is (or is built on), for django-wiki to use as well."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    return next(
        cls.__module__
        for cls in store.__mro__
        if cls.__module__.startswith("django.contrib.sessions.backends.")
    )


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def main() -> None:
    programme = factories.ProgrammeFactory(name="Bench network", slug="bench")
    contributing = factories.OrganisationFactory(name="Bench College")
    observing = factories.OrganisationFactory(name="Bench Observers")
    factories.MembershipFactory(
        programme=programme, organisation=contributing, level=Membership.MemberLevel.CONTRIBUTOR
    )
    factories.MembershipFactory(
        programme=programme, organisation=observing, level=Membership.MemberLevel.OBSERVER
    )
    lead = factories.UserFactory(username="bench-lead")
    factories.AffiliationFactory(user=lead, organisation=contributing)
    factories.LeadRoleFactory(programme=programme, user=lead)
    reader = factories.UserFactory(username="bench-reader")
    factories.AffiliationFactory(user=reader, organisation=observing)
    editors = []
    for n in range(SAVERS):
        editor = factories.UserFactory(username=f"bench-editor-{n}")
        factories.AffiliationFactory(user=editor, organisation=contributing)
        editors.append(editor)

    text = document_text()
    page = services.document_create(
        programme=programme,
        kind=Document.Kind.VISION,
        title="Shared vision",
        body=text,
        author=lead,
    )
    edit_docs = [
        services.document_create(
            programme=programme,
            kind=Document.Kind.PAGE,
            title=f"Edited by {n}",
            body=text,
            author=lead,
        )
        for n in range(SAVERS)
    ]
    long = services.document_create(
        programme=programme, kind=Document.Kind.PAGE, title="Long history", body=text, author=lead
    )
    for n in range(1, 1000):
        services.document_save(
            document=long,
            body=edited(text, n),
            base_version_id=long.head_id,
            author=lead,
            summary=f"edit {n}",
        )
        long.refresh_from_db(fields=["head"])

    base = f"/p/{programme.slug}/d"
    print(
        json.dumps(
            {
                "reader_session": session_of(reader),
                "editor_sessions": [session_of(e) for e in editors],
                "page_url": f"{base}/{page.slug}/",
                "edit_urls": [f"{base}/{d.slug}/edit/" for d in edit_docs],
                "history_url": f"{base}/{long.slug}/history/",
                "versions_in_history": Version.objects.get_for_object(long).count(),
                # What django-wiki's bench project is given as well (like for like).
                "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
                "database_options": settings.DATABASES["default"].get("OPTIONS", {}),
                "session_engine": django_session_engine(),
                "cache": settings.CACHES["default"]["BACKEND"],
            }
        )
    )


if __name__ == "__main__":
    main()
