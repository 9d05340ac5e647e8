"""Reads on the hot path whose SQL Django builds once per process instead of once per request.

Building a query with `select_related`, subqueries and `defer` costs Django more processor time
than PostgreSQL needs to answer it (on the document page, building the programme's and the
document's queries cost more than running them). A `PreparedQuery` builds its queryset once,
with stand-in values for what changes per request, keeps the compiled SQL, and then runs that
SQL with the request's values, turning the rows into model instances as the queryset would
(related objects from `select_related`, annotations, deferred fields):

    _by_slug = PreparedQuery(
        lambda programme_id, slug: Document.objects.select_related("head").filter(
            programme_id=programme_id, slug=slug
        ),
        kinds=(int, str),
    )
    _by_slug.all(programme.pk, "vision")  # -> [Document]

The values (of the given kinds: int or str) must be plain parameters of the query (ids, slugs),
each used as a value and never changing the query's shape. What belongs to the database
rather than to the code (a content type's id) must be such a value too, not fixed in the build:
the SQL outlives the rows it was built from. The query is the one the queryset
would send, through the connection's cursor (so it counts as a query in tests).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

_stand_ins = itertools.count(1)


def _stand_in(kind: type) -> int | str:
    """A parameter value that no real read uses, to find its place in the compiled SQL (a
    negative number, yet within every integer column's range: Django leaves out of a query a
    condition no row could meet)."""
    n = next(_stand_ins)
    return -(2**31) + n if kind is int else f"\x00stip-prepared-{n}"


class PreparedQuery:
    def __init__(
        self, build: Callable[..., QuerySet], *, kinds: tuple[type, ...], using: str = "default"
    ) -> None:
        self._build = build
        self._kinds = kinds
        self._using = using
        self._compiled: tuple | None = None

    def _compile(self) -> tuple:
        stand_ins = [_stand_in(kind) for kind in self._kinds]
        queryset = self._build(*stand_ins)
        compiler = queryset.query.get_compiler(using=self._using)
        sql, params = compiler.as_sql()
        # Each parameter is either one of the values (its index) or fixed by the query (kept).
        places: list[tuple[int | None, Any]] = []
        for param in params:
            matches = [
                n
                for n, stand_in in enumerate(stand_ins)
                if type(param) is type(stand_in) and param == stand_in
            ]
            places.append((matches[0], None) if matches else (None, param))
        if {place for place, _ in places} - {None} != set(range(len(stand_ins))):
            raise ValueError("PreparedQuery: every value must be a parameter of the query")
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, self._using)
        columns = [column[0] for column in select[0 : compiler.col_count]]
        if compiler.has_composite_fields(columns):
            raise ValueError("PreparedQuery: composite fields are not supported")
        converters = list(compiler.get_converters(columns).items())
        model = klass_info["model"]
        annotations = list(compiler.annotation_col_map.items())
        return (sql, places, model, start, end, init_list, populators, converters, annotations)

    def all(self, *values: Any) -> list:
        """The instances the queryset built with `values` would give, in its order."""
        if self._compiled is None:
            self._compiled = self._compile()
        sql, places, model, start, end, init_list, populators, converters, annotations = (
            self._compiled
        )
        connection = connections[self._using]
        with _cursor(connection) as cursor:
            cursor.execute(
                sql, [fixed if place is None else values[place] for place, fixed in places]
            )
            rows = cursor.fetchall()
        found = []
        for row in map(list, rows):
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            instance = model.from_db(self._using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, column in annotations:
                setattr(instance, name, row[column])
            found.append(instance)
        return found


def _cursor(connection):
    """A cursor of `connection`; on PostgreSQL one whose statements the server prepares."""
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        return connection.cursor()
    connection.ensure_connection()
    # psycopg prepares nothing on a connection without a threshold (Django leaves it None); the
    # client-bound cursors Django uses everywhere else never prepare, whatever the threshold.
    connection.connection.prepare_threshold = 5
    return connection._prepare_cursor(_preparing_cursor_class()(connection.connection))


@functools.cache
def _preparing_cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, **kwargs):
            result = super().execute(query, params, prepare=True, **kwargs)
            # Django's query log reads the text of the last query here (a client-bound
            # cursor's), which psycopg keeps for no prepared statement: the SQL, unfilled.
            self._query = SimpleNamespace(query=query.encode())
            return result

    return PreparingCursor
