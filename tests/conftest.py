"""Shared fixtures.

Tests that need a real service carry a marker: `postgres`, `redis` or `browser`. They run when
the service is reachable and are skipped with the reason otherwise; under CI=true a missing
service fails them instead, so CI always exercises the production stack.
"""

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import AnonymousUser

from participation.models import Membership, Programme
from tests import factories

CHROMIUM = Path("/usr/bin/chromium")


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1
        ):
            return True
    except OSError:
        return False


def _missing_service(marker: str) -> str | None:
    if marker == "postgres":
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            return "needs PostgreSQL: set DATABASE_URL=postgres://…"
        if not _reachable(url, 5432):
            return f"PostgreSQL at {url} is not reachable"
    if marker == "redis":
        url = os.environ.get("REDIS_URL", "")
        if not url.startswith("redis://"):
            return "needs Redis: set REDIS_URL=redis://…"
        if not _reachable(url, 6379):
            return f"Redis at {url} is not reachable"
    if marker == "browser" and not CHROMIUM.exists():
        return "needs Chromium at /usr/bin/chromium (apt-get install chromium)"
    return None


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker) is None:
            continue
        reason = _missing_service(marker)
        if reason is None:
            continue
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must not skip this test: {reason}", pytrace=False)
        pytest.skip(reason)


@dataclass
class World:
    """One programme with everyone in it: the cast of most permission tests."""

    programme: Programme
    lead: object
    contributor: object
    observer: object
    outsider: object
    anonymous: object
    contributing_org: object
    observing_org: object

    def person(self, role: str):
        return getattr(self, role)


def _world(visibility: str, prefix: str) -> World:
    programme = factories.ProgrammeFactory(name=f"{prefix} programme", visibility=visibility)
    contributing = factories.OrganisationFactory(name=f"{prefix} Contributing College")
    observing = factories.OrganisationFactory(name=f"{prefix} Observing College")
    outside = factories.OrganisationFactory(name=f"{prefix} Outside College")
    factories.MembershipFactory(
        programme=programme, organisation=contributing, level=Membership.MemberLevel.CONTRIBUTOR
    )
    factories.MembershipFactory(
        programme=programme, organisation=observing, level=Membership.MemberLevel.OBSERVER
    )
    lead = factories.UserFactory(username=f"{prefix}-lead")
    factories.AffiliationFactory(user=lead, organisation=contributing)
    factories.LeadRoleFactory(programme=programme, user=lead)
    contributor = factories.UserFactory(username=f"{prefix}-contributor")
    factories.AffiliationFactory(user=contributor, organisation=contributing)
    observer = factories.UserFactory(username=f"{prefix}-observer")
    factories.AffiliationFactory(user=observer, organisation=observing)
    outsider = factories.UserFactory(username=f"{prefix}-outsider")
    factories.AffiliationFactory(user=outsider, organisation=outside)
    return World(
        programme, lead, contributor, observer, outsider, AnonymousUser(), contributing, observing
    )


@pytest.fixture
def world(db) -> World:
    return _world(Programme.Visibility.OPEN, "open")


@pytest.fixture
def closed_world(db) -> World:
    return _world(Programme.Visibility.MEMBERS, "closed")


@pytest.fixture
def save_guard(monkeypatch):
    """`save_guard(guard)` adds a save guard (see wiki.guards) for the one test."""
    from wiki import guards

    def add(guard) -> None:
        monkeypatch.setattr(guards, "_guards", [*guards._guards, guard])

    return add


@pytest.fixture
def make_document(db):
    """Create a document through the service, as the given author (a lead by default)."""
    from wiki import services
    from wiki.models import Document

    def make(
        world: World,
        title: str = "Visie",
        body: str = "Eerste versie.\n",
        kind: str = Document.Kind.PAGE,
        parent=None,
        author=None,
    ):
        return services.document_create(
            programme=world.programme,
            kind=kind,
            title=title,
            body=body,
            author=author or world.lead,
            parent=parent,
        )

    return make


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: test databases reuse primary keys, so HTML cached
    for version 3 of one test must not be served to version 3 of the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _site_language_afterwards():
    """A request in Dutch leaves Dutch active in this thread (the locale middleware does not
    undo it); the next test starts in the test settings' language again."""
    from django.utils import translation

    yield
    translation.deactivate()
