"""The one mechanism that keeps personal data inside the organisations allowed to see it.

Every model holding personal data uses `ScopedManager` as its default manager. Its queries
raise `ScopeError` unless a scope is active, so forgetting to filter is an error, never a
leak. Middleware enters the scope of the signed-in user's organisation for each request;
system work (migrations, the demo loader, retention) enters `system_scope()` and says why.
Each scoped model declares `visible_in_scope(scope) -> Q`, the rows that scope may see.

Analysts and partnership reports use `aggregate_scope(reason)`: it sees rows of every
organisation (or of one), but only as counts and statistics. A query in it may aggregate
(`count()`, `aggregate()`, `values(...).annotate(...)`) and may read values of fields that do
not identify anyone; it may never load a model instance or read a field the model lists in
`IDENTIFYING_FIELDS` (names, dates of birth, contact details, free text), so a report cannot
show an identity even by mistake.
"""

from __future__ import annotations

import functools
import hashlib
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections, models

F = TypeVar("F", bound=Callable[..., Any])


class ScopeError(RuntimeError):
    """Personal data was queried outside any organisation scope."""


@dataclass(frozen=True)
class Scope:
    organisation_id: int | None
    user_id: int | None = None
    role: str | None = None
    system_reason: str | None = None
    aggregate_reason: str | None = None

    @property
    def is_system(self) -> bool:
        return self.system_reason is not None

    @property
    def is_aggregate(self) -> bool:
        return self.aggregate_reason is not None


_current_scope: ContextVar[Scope | None] = ContextVar("pathmark_scope", default=None)


@contextmanager
def organisation_scope(
    *, organisation_id: int, user_id: int | None = None, role: str | None = None
) -> Iterator[Scope]:
    token = _current_scope.set(Scope(organisation_id=organisation_id, user_id=user_id, role=role))
    try:
        yield _current_scope.get()  # type: ignore[misc]
    finally:
        _current_scope.reset(token)


@contextmanager
def system_scope(reason: str) -> Iterator[Scope]:
    """Sees every organisation's rows. For commands and tasks that act for the partnership
    as a whole, never for a request."""
    token = _current_scope.set(Scope(organisation_id=None, system_reason=reason))
    try:
        yield _current_scope.get()  # type: ignore[misc]
    finally:
        _current_scope.reset(token)


@contextmanager
def aggregate_scope(reason: str, *, organisation_id: int | None = None) -> Iterator[Scope]:
    """Counts and statistics without identities, over the whole partnership (or over the
    people one organisation may see, when `organisation_id` is given). For reports."""
    token = _current_scope.set(
        Scope(organisation_id=organisation_id, aggregate_reason=reason or "aggregate")
    )
    try:
        yield _current_scope.get()  # type: ignore[misc]
    finally:
        _current_scope.reset(token)


def current_scope() -> Scope:
    scope = _current_scope.get()
    if scope is None:
        raise ScopeError(
            "Personal data was queried outside an organisation scope. Wrap the work in "
            "organisation_scope(...) or, for partnership-wide system work, system_scope(reason)."
        )
    return scope


def active_scope() -> Scope | None:
    return _current_scope.get()


def check_organisation(organisation: object) -> None:
    """Refuses a service's `organisation` argument that differs from the active scope's, so
    the explicit argument and the scope can never disagree. System work may name any."""
    scope = current_scope()
    organisation_id = getattr(organisation, "pk", organisation)
    if scope.is_system:
        return
    if scope.is_aggregate or scope.organisation_id != organisation_id:
        raise ScopeError(
            f"This work is for organisation {organisation_id} but runs in the scope of "
            f"organisation {scope.organisation_id}; enter that organisation's scope first."
        )


def checks_organisation(function: F) -> F:
    """For a service taking `organisation=`: refuse it when it is not the active scope's
    (`check_organisation`), before the service reads or writes anything. Outside any scope
    there is nothing to disagree with (and the service's scoped queries fail closed)."""

    @functools.wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if "organisation" in kwargs and active_scope() is not None:
            check_organisation(kwargs["organisation"])
        return function(*args, **kwargs)

    checked.checks_organisation = True  # type: ignore[attr-defined]
    return checked  # type: ignore[return-value]


class AggregateOnlyError(ScopeError):
    """A query in an aggregate-only scope tried to read rows or identifying fields."""


def _identifying(model: type[models.Model], path: str) -> bool:
    """Whether `path` (a field, or a path through relations) names an identifying field."""
    current: type[models.Model] | None = model
    for part in path.split("__"):
        if current is None:
            return False
        if part in getattr(current, "IDENTIFYING_FIELDS", ()):
            return True
        try:
            field = current._meta.get_field(part)
        except Exception:  # noqa: BLE001 - an annotation or a lookup, not a field
            return False
        current = field.related_model if field.is_relation else None  # type: ignore[assignment]
    return False


class ScopedQuerySet(models.QuerySet):
    def _fetch_all(self) -> None:
        scope = active_scope()
        if self._result_cache is None and scope is not None and scope.is_aggregate:
            self._check_aggregate_only()
        super()._fetch_all()

    def _check_aggregate_only(self) -> None:
        from django.db.models.query import ModelIterable

        if self._iterable_class is ModelIterable:
            raise AggregateOnlyError(
                f"{self.model.__name__} rows cannot be loaded in an aggregate-only scope: "
                "use count(), aggregate() or values(...) of fields that identify no one."
            )
        names = list(self.query.values_select) + list(self.query.annotation_select)
        for name in self.query.values_select:
            if _identifying(self.model, name):
                raise AggregateOnlyError(
                    f"{self.model.__name__}.{name} identifies a person and cannot be read "
                    "in an aggregate-only scope."
                )
        if not names:
            raise AggregateOnlyError(
                f"values() of every field of {self.model.__name__} would include identities."
            )


# The scope's filter as Django resolved it into a query (its joins and conditions), by model,
# organisation, kind of scope and database. `visible_in_scope` depends on nothing but the
# organisation and the access grants' kinds (whose registry empties this when it changes), and
# names nothing of the moment, so each query starts from a copy of one resolved before, as a
# queryset chained from another does, instead of resolving the condition again: a tenth of a
# record page, which runs a dozen scoped queries.
_resolved: dict[tuple[type[models.Model], int | None, bool, str], Any] = {}
_RESOLVED_KEPT = 10_000


def forget_resolved_scopes() -> None:
    """For the access grants' registry: the conditions it builds have changed."""
    _resolved.clear()
    for kept in _prepared_queries:
        kept.clear()


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    """Default manager of personal-data models: filters every query to the current scope."""

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        scope = current_scope()
        if scope.is_system:
            return queryset
        if scope.is_aggregate and scope.organisation_id is None:
            return queryset
        key = (self.model, scope.organisation_id, scope.is_aggregate, queryset.db)
        resolved = _resolved.get(key)
        if resolved is None:
            resolved = queryset.filter(self.model.visible_in_scope(scope)).query
            if len(_resolved) >= _RESOLVED_KEPT:
                _resolved.clear()
            _resolved[key] = resolved
        queryset.query = resolved.chain()
        return queryset


# --- Prepared reads ----------------------------------------------------------------------------
# A record page runs a dozen small scoped queries, and Django spends more time writing each
# one's SQL (the columns, joins, ordering and the scope's condition) than the database spends
# answering it. A read whose shape never changes, only the ids it is given, is written once
# per scope (organisation or system) and then run with those ids bound, through Django's own
# iterables (rows become model instances, `select_related` included, exactly as before).
#
# On PostgreSQL the database itself also plans each query again on every run (a third of a
# millisecond for a scoped read: more than running it), because Django sends every query as
# text with its values in it. There a prepared read is also a statement prepared on the
# connection with its constants written in and only the ids as parameters, so the server
# soon keeps one plan for it (an id lookup's plan does not depend on the id).

_SLOT_BASE = -(2**62)
_prepared_queries: list[dict[Any, Any]] = []
_PREPARED_KEPT = 1_000
# The statements prepared on each open PostgreSQL connection, by name; forgotten with it.
_statements_on: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
_STATEMENTS_KEPT = 500


def prepared(make: Callable[..., models.QuerySet]) -> Callable[..., list[Any]]:
    """`make(*ids)` builds a queryset whose shape does not depend on the ids (each is used
    as one parameter: `filter(person_id=id)`, never a list or a None); the returned function
    takes the ids and returns the rows as a list. `make` may read nothing else that changes
    (no request, no clock, no language): it runs once per scope, with stand-in numbers, and
    its SQL is kept. Slice in `make` (`[:n]`), not on the result.

    Outside any scope (a request's sign-in frame, before its organisation is known) a read may
    name only tables without personal data: a scoped model's manager raises `ScopeError` there
    while `make` is written, so such a read fails as the plain query would."""
    kept: dict[tuple[int | None, bool, int], _Prepared | None] = {}
    _prepared_queries.append(kept)

    @functools.wraps(make)
    def run(*ids: int) -> list[Any]:
        scope = _current_scope.get()
        if scope is not None and scope.is_aggregate:
            raise ScopeError("A prepared read loads rows: not in an aggregate scope.")
        # No scope keys as (None, False): an organisation scope has an id, a system scope
        # is system, and an aggregate one never gets here.
        key = (
            (None, False, len(ids))
            if scope is None
            else (scope.organisation_id, scope.is_system, len(ids))
        )
        if key not in kept:
            if len(kept) >= _PREPARED_KEPT:
                kept.clear()
            kept[key] = _Prepared.of(make, len(ids))
        found = kept[key]
        return [] if found is None else found.run(ids)

    return run


@dataclass(frozen=True)
class _Prepared:
    queryset: models.QuerySet
    sql: str
    params: tuple[Any, ...]
    places: tuple[int | None, ...]
    """For each parameter, the index of the id it stands for, or None (a constant)."""
    state: dict[str, Any]
    """What the compiler worked out while writing the SQL, which its iterables read."""
    statement: tuple[str, str] | None = None
    """PostgreSQL: the server-side statement's name and its SQL (constants written in, `$n`
    for the nth id)."""
    converters: weakref.WeakKeyDictionary[Any, dict[int, Any]] = field(
        default_factory=weakref.WeakKeyDictionary, compare=False
    )
    """The database's and the fields' converters of each column (dates, JSON, ...), worked
    out once per connection (they are bound to it) rather than on every run."""

    @classmethod
    def of(cls, make: Callable[..., models.QuerySet], count: int) -> _Prepared | None:
        """`make`'s query written in the current scope; None if no row can ever match."""
        slots = [_SLOT_BASE + index for index in range(count)]
        queryset = make(*slots)
        if queryset._prefetch_related_lookups:  # noqa: SLF001 - run by Django after the rows
            raise TypeError("A prepared read cannot prefetch related rows.")
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # a condition no row meets (`pk__in=[]`), whatever the ids
            return None
        places = tuple(slots.index(p) if p in slots else None for p in params)
        if sorted({place for place in places if place is not None}) != list(range(count)):
            raise TypeError(f"{make.__qualname__} must use each id as one parameter.")
        names = ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")
        state = {name: compiler.__dict__.get(name, False) for name in names}
        connection = connections[queryset.db]
        statement = None
        if connection.vendor == "postgresql":
            statement = _server_statement(connection, sql, params, slots)
        return cls(queryset, sql, tuple(params), places, state, statement)

    def run(self, ids: tuple[int, ...]) -> list[Any]:
        rows = self.queryset._chain()  # noqa: SLF001 - a fresh copy of the kept queryset
        connection = connections[rows.db]
        if self.statement is not None:
            name = _prepare_on(connection, *self.statement)
            sql, bound = f"EXECUTE {name}({', '.join(['%s'] * len(ids))})", ids
        else:
            sql = self.sql
            bound = tuple(
                p if place is None else ids[place]
                for p, place in zip(self.params, self.places, strict=True)
            )
        compiler = rows.query.get_compiler(connection=connection)
        compiler.__dict__.update(self.state)
        compiler.as_sql = lambda *args, **kwargs: (sql, bound)
        converters = self.converters.get(connection)
        if converters is None:
            columns = [column[0] for column in compiler.select[: compiler.col_count]]
            converters = self.converters[connection] = compiler.get_converters(columns)
        compiler.get_converters = lambda expressions: converters
        rows.query.get_compiler = lambda *args, **kwargs: compiler
        return list(rows)


def _server_statement(
    connection: Any, sql: str, params: Sequence[Any], slots: Sequence[int]
) -> tuple[str, str]:
    """`sql` as a PostgreSQL statement to prepare: every constant written in exactly as the
    client would send it, each id's stand-in number replaced by its parameter (`$1` ...)."""
    text = connection.ops.compose_sql(sql, params)
    for number, slot in enumerate(slots, start=1):
        written = connection.ops.compose_sql("%s", [slot])
        if written not in text:
            raise TypeError("A prepared read's id was not written as a parameter.")
        text = text.replace(written, f"${number}")
    name = "pathmark_" + hashlib.sha256(text.encode()).hexdigest()[:24]
    return name, text


def _prepare_on(connection: Any, name: str, text: str) -> str:
    """Prepares the statement on this connection unless it was already (a statement lasts as
    long as the connection, whatever happens to transactions); returns its name."""
    connection.ensure_connection()
    prepared_here = _statements_on.setdefault(connection.connection, set())
    if name not in prepared_here:
        with connection.cursor() as cursor:
            if len(prepared_here) >= _STATEMENTS_KEPT:
                cursor.execute("DEALLOCATE ALL")
                prepared_here.clear()
            cursor.execute(f"PREPARE {name} AS {text}")
        prepared_here.add(name)
    return name
