"""Reads whose SQL is built once give what their querysets give, and what is there now."""

import pytest
from django.db.models import Count

from participation.models import Programme
from participation.prepared import PreparedQuery
from wiki import selectors
from wiki.models import Document


def _documents(programme_id, slug):
    return (
        Document.objects.select_related("programme", "parent", "head__revision__user")
        .defer("body", "parent__body")
        .filter(programme_id=programme_id, slug=slug)
    )


def test_prepared_read_gives_the_querysets_instances_with_related_and_deferred(
    world, make_document
):
    parent = make_document(world, title="Visie")
    child = make_document(world, title="Proces", parent=parent)
    found = PreparedQuery(_documents, kinds=(int, str)).all(world.programme.pk, child.slug)
    expected = list(_documents(world.programme.pk, child.slug))
    assert found == expected
    document = found[0]
    assert document.get_deferred_fields() == expected[0].get_deferred_fields()
    assert document.parent == parent
    assert document.parent.get_deferred_fields() == {"body"}
    assert document.programme.name == world.programme.name
    assert document.head.revision.user == world.lead


def test_prepared_read_takes_one_query_and_sees_changes_at_once(
    world, make_document, django_assert_num_queries
):
    document = make_document(world, title="Visie")
    read = PreparedQuery(_documents, kinds=(int, str))
    read.all(world.programme.pk, document.slug)
    Document.objects.filter(pk=document.pk).update(title="Nieuwe visie")
    with django_assert_num_queries(1):
        (found,) = read.all(world.programme.pk, document.slug)
        assert found.title == "Nieuwe visie"
    assert read.all(world.programme.pk + 1000, document.slug) == []


def test_prepared_read_keeps_fixed_values_and_annotations(world, make_document):
    make_document(world, title="Een")
    make_document(world, title="Twee")
    read = PreparedQuery(
        lambda slug: (
            Programme.objects.filter(slug=slug, visibility=Programme.Visibility.OPEN)
            .annotate(pages=Count("documents"))
            .order_by("pk")
        ),
        kinds=(str,),
    )
    (programme,) = read.all(world.programme.slug)
    assert programme.pages == 2
    world.programme.visibility = Programme.Visibility.MEMBERS
    world.programme.save()
    assert read.all(world.programme.slug) == []


def test_a_value_that_is_not_a_parameter_is_refused(db):
    read = PreparedQuery(lambda slug: Programme.objects.all(), kinds=(str,))
    with pytest.raises(ValueError):
        read.all("open")


def test_watch_of_a_document_or_above_it_is_found_for_every_depth(world, make_document):
    from wiki.models import Watch

    top = make_document(world, title="Visie")
    middle = make_document(world, title="Proces", parent=top)
    bottom = make_document(world, title="Werk", parent=middle)
    assert selectors.watch_covering(world.observer, bottom) is None
    Watch.objects.create(
        user=world.observer, programme=world.programme, document=top, scope=Watch.Scope.SUBTREE
    )
    assert selectors.watch_covering(world.observer, bottom).document == top
    assert selectors.watch_covering(world.observer, top).document == top
    Watch.objects.create(user=world.observer, programme=world.programme, document=bottom)
    assert selectors.watch_covering(world.observer, bottom).document == bottom


def test_a_logged_in_person_is_found_and_a_deactivated_one_is_not(world):
    from participation.backends import UsernameOrEmailBackend

    backend = UsernameOrEmailBackend()
    assert backend.get_user(world.observer.pk) == world.observer
    world.observer.is_active = False
    world.observer.save()
    assert backend.get_user(world.observer.pk) is None
    assert backend.get_user(world.observer.pk + 1000) is None


def _prepared_statements() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("prepared", [True, False])
def test_postgresql_plans_a_prepared_read_once_unless_turned_off(
    world, make_document, settings, prepared
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    settings.DATABASE_PREPARED_STATEMENTS = prepared
    document = make_document(world, title="Visie")
    read = PreparedQuery(_documents, kinds=(int, str))
    before = _prepared_statements()
    for _ in range(3):
        assert read.all(world.programme.pk, document.slug) == [document]
    assert _prepared_statements() - before == (1 if prepared else 0)
    # Other queries stay bound by the client: no limit on how many values they take.
    many = [*range(-70_000, 0), document.pk]
    assert list(Document.objects.filter(pk__in=many).values_list("pk", flat=True)) == [document.pk]
