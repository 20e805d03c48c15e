"""Who may see which person: access grants, of kinds that the apps creating them register.

An organisation sees a person while it holds a grant for them. Each grant has a start and, once
it ends, an end. The kinds today:

- `registered`: the organisation that registered the person (never ends while the record lives);
- `consent`: an unwithdrawn consent to share the record with an organisation (people app);
- a referral's receiving organisation while the referral is open (registered by the referrals
  app from its `AppConfig.ready()`), seeing only what that referral's consent covers.

Scoping (`organisations.scoping.ScopedManager`) asks `visible_people_q(...)` for the rows a scope
may see; it never lists the visible ids. Each kind answers with a condition on the queried row
(`organisation_id = …`, or `person_among(...)` a query of its own table naming the people it
grants, which the database reads once through an index), so a single record costs an index
lookup per kind, and a list an index range, whatever the size of the caseload.

What a grant covers is one of `PARTS`: the person's own record (`person`), their consents
(`consents`), their assessments and journeys (`assessments`), and their personal integration
plans (`plans`). A model holding data about
one person names its part with `visible_with_person(part)`.

A new kind of grant, in the app that makes it:

    from pathmark.people import access

    class ReferralsConfig(AppConfig):
        def ready(self):
            access.register(access.GrantKind(code="referral", label=_("Open referral"),
                                              condition=referral_condition, grants=referral_grants))

`condition(organisation_id=…, person=…, part=…)` returns a `Q` over the queried model that
is true for the rows whose person this organisation may see under this kind, or None where the
kind never covers `part`. `person` is the path from the queried model to the person: `""` when
the queried model is `Person` itself, else the name of its foreign key (e.g. `"person"`).
A condition reads its own table through an unscoped manager (as `Consent._base_manager`
is): deciding what a scope may see cannot itself depend on the scope. And it is decided by the
database when the query runs, never by values read while it is built (no list of ids, no
"now"): each condition is built once per process and kept (`visible_people_q`).
`grants(person_id)` lists the grants of this kind held for one person, for the record's
"who can see this" and the subject access copy.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Expression, F, Q
from django.db.models.sql import Query
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pathmark.organisations.scoping import forget_resolved_scopes

PERSON = "person"
CONSENTS = "consents"
ASSESSMENTS = "assessments"
PLANS = "plans"
PARTS = (PERSON, CONSENTS, ASSESSMENTS, PLANS)


class GrantKindError(RuntimeError):
    """A grant kind was registered twice, or names a part that does not exist."""


@dataclass(frozen=True)
class Grant:
    """One organisation's access to one person, for display and the subject access copy."""

    kind: str
    organisation_id: int
    since: datetime.date | datetime.datetime | None
    until: datetime.date | datetime.datetime | None
    covers: tuple[str, ...]

    @property
    def is_active(self) -> bool:
        return self.until is None


Condition = Callable[..., Q | None]
Lister = Callable[[int], Iterable[Grant]]


@dataclass(frozen=True)
class GrantKind:
    code: str
    label: str | Promise
    condition: Condition
    grants: Lister


_kinds: dict[str, GrantKind] = {}


def register(kind: GrantKind) -> GrantKind:
    if kind.code in _kinds and _kinds[kind.code] is not kind:
        raise GrantKindError(f"An access grant kind {kind.code!r} is already registered.")
    _kinds[kind.code] = kind
    _forget_conditions()
    return kind


def unregister(code: str) -> None:
    """For tests that register a kind of their own."""
    _kinds.pop(code, None)
    _forget_conditions()


def _forget_conditions() -> None:
    """The kinds changed: every condition built from them, and every scoped query resolved
    with one (`organisations.scoping`), is built again."""
    _conditions.clear()
    forget_resolved_scopes()


# The conditions already built, by organisation, path to the person, part and database. A
# condition names the rows in SQL (subqueries of the grant tables, read when the query runs)
# and nothing of the moment it was built, so one built for an earlier query is the same
# condition; Django copies it into each query that uses it, leaving it as it was. A record
# page runs a dozen scoped queries, and building each one's condition afresh was a tenth of
# the page.
_conditions: dict[tuple[int, str, str, str], Q] = {}
_CONDITIONS_KEPT = 10_000


def kinds() -> list[GrantKind]:
    return list(_kinds.values())


def person_pk(person: str) -> str:
    """The column holding the person's id on the queried model."""
    return "pk" if not person else f"{person}_id"


def person_field(person: str, field: str) -> str:
    """A field of the person, seen from the queried model."""
    return field if not person else f"{person}__{field}"


class _Among(Expression):
    """`column IN (subquery)` on SQLite, `column = ANY(ARRAY(subquery))` on PostgreSQL, with
    the subquery's SQL and parameters compiled once (`person_among`). The subquery names
    nothing of the queried row, so its text stands as it is in any query, at any depth (its
    own tables carry the `U` aliases Django gives a subquery; an inner alias only ever
    hides an outer one inside it)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: Any, sql: str, params: tuple[Any, ...], postgresql: bool) -> None:
        super().__init__()
        self.column = column
        self.sql = sql
        self.params = params
        self.postgresql = postgresql

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: list[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        column_sql, column_params = compiler.compile(self.column)
        template = "%s = ANY(ARRAY(%s))" if self.postgresql else "%s IN (%s)"
        return template % (column_sql, self.sql), (*column_params, *self.params)


def _subquery_sql(people: Any) -> tuple[str, tuple[Any, ...]]:
    """`people`'s SQL as Django writes it inside another query (tables aliased U0, U1 …, no
    ordering), compiled now."""
    query = people.query.clone()
    query.clear_ordering(force=True)
    query.bump_prefix(Query(people.model))
    sql, params = query.get_compiler(connection=connection).as_sql()
    return sql, tuple(params)


def person_among(person: str, people: Any) -> Q:
    """The rows whose person is among `people` (a query of person ids, not correlated with the
    queried row), in the shape each database answers from indexes, alone or OR-ed with the
    registering organisation's condition: SQLite turns `id IN (subquery)` OR `organisation_id
    = …` into two index searches; PostgreSQL cannot look up an IN under an OR by index, but it
    reads `id = ANY(ARRAY(subquery))` once and ORs the two index scans in a bitmap. A
    correlated EXISTS would be fine for one record but is checked row by row for a list, which
    is a full scan of the caseload on both.

    The subquery is compiled to SQL here, once (the condition is kept, `visible_people_q`):
    resolving and compiling it again inside every scoped query was most of what a scoped
    query cost over a plain one (about half a millisecond each, a dozen on a record page)."""
    sql, params = _subquery_sql(people)
    return Q(_Among(F(person_pk(person)), sql, params, connection.vendor == "postgresql"))


def _any_grant(*, organisation_id: int, person: str, part: str, kinds: Iterable[GrantKind]) -> Q:
    """The OR of what `kinds` grant `organisation_id` for `part`; nothing when none does."""
    if part not in PARTS:
        raise GrantKindError(f"{part!r} is not a part of a person's data; use one of {PARTS}.")
    conditions = [
        condition
        for kind in kinds
        if (condition := kind.condition(organisation_id=organisation_id, person=person, part=part))
        is not None
    ]
    if not conditions:
        return Q(pk__in=[])
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def visible_people_q(*, organisation_id: int, person: str = "", part: str = PERSON) -> Q:
    """The rows whose person `organisation_id` may see for `part`: the OR of every kind."""
    key = (organisation_id, person, part, connection.vendor)
    found = _conditions.get(key)
    if found is None:
        found = _any_grant(
            organisation_id=organisation_id, person=person, part=part, kinds=_kinds.values()
        )
        if len(_conditions) >= _CONDITIONS_KEPT:
            _conditions.clear()
        _conditions[key] = found
    return found


def visible_related(queryset: Any, relation: str, *, part: str = PERSON) -> Any:
    """`queryset` narrowed to the rows whose *other* person, reached through the foreign key
    `relation`, the current scope may see for `part`.

    A scoped model is filtered by its own person (`visible_with_person`), and following a
    foreign key to `Person` one row at a time goes through the scoped base manager; but
    `select_related`, `prefetch_related` of a plain queryset or `values("relation__…")` join
    the related person in without asking. Every query that shows a person reached from
    another row (a duplicate flag's candidate, a household member, a referral's client) goes
    through here. System work sees everyone; any other scope must hold a grant."""
    from pathmark.organisations.scoping import current_scope

    scope = current_scope()
    if scope.is_system:
        return queryset
    if scope.organisation_id is None:
        return queryset.none()
    return queryset.filter(
        visible_people_q(organisation_id=scope.organisation_id, person=relation, part=part)
    )


def other_organisations_q(*, organisation_id: int, person: str, part: str) -> Q:
    """Like `visible_people_q` without the registering organisation: the people of *other*
    organisations this one may see (few), for rows that copy their person's organisation."""
    others = [kind for kind in _kinds.values() if kind.code != "registered"]
    return _any_grant(organisation_id=organisation_id, person=person, part=part, kinds=others)


def grants_for(person_id: int) -> list[Grant]:
    """Every grant ever held for one person, current first, then by start."""
    found = [grant for kind in _kinds.values() for grant in kind.grants(person_id)]
    return sorted(found, key=lambda g: (not g.is_active, str(g.since or "")))


def organisations_with_access(person_id: int) -> set[int]:
    return {grant.organisation_id for grant in grants_for(person_id) if grant.is_active}


# --- The people app's own kinds -----------------------------------------------------------


def _registered_condition(*, organisation_id: int, person: str, part: str) -> Q:
    return Q(**{person_field(person, "organisation_id"): organisation_id})


def _registered_grants(person_id: int) -> Iterable[Grant]:
    from .models import Person

    row = Person._base_manager.filter(pk=person_id).values("organisation_id", "created_at").first()
    if row is None:
        return []
    return [Grant("registered", row["organisation_id"], row["created_at"], None, PARTS)]


def _consent_condition(*, organisation_id: int, person: str, part: str) -> Q:
    from .models import Consent, ConsentKind

    # Consent's *base* manager is unscoped on purpose (see `Consent`): this decision reads
    # consent rows, and a scoped base manager would make the decision depend on itself.
    shared: Any = Consent._base_manager.filter(
        kind=ConsentKind.SHARE, shared_with_id=organisation_id, withdrawn_at__isnull=True
    ).values("person_id")
    return person_among(person, shared)


def _consent_grants(person_id: int) -> Iterable[Grant]:
    from .models import Consent, ConsentKind

    rows = Consent._base_manager.filter(person_id=person_id, kind=ConsentKind.SHARE).values(
        "shared_with_id", "given_on", "withdrawn_at"
    )
    return [
        Grant("consent", row["shared_with_id"], row["given_on"], row["withdrawn_at"], PARTS)
        for row in rows
    ]


REGISTERED = register(
    GrantKind(
        code="registered",
        label=_("Registered the person"),
        condition=_registered_condition,
        grants=_registered_grants,
    )
)
CONSENT = register(
    GrantKind(
        code="consent",
        label=_("Consent to share"),
        condition=_consent_condition,
        grants=_consent_grants,
    )
)
