"""Writing audit entries. Services call `record` inside their own transaction, so the entry
and the change it describes commit or roll back together."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

from pathmark.core.appending import append_rows

from . import actions, idsets
from .models import AuditEvent

# The name the log keeps for work done by the server's operator at the command line.
COMMAND_LINE_USERNAME = "command line"


class CommandLine:
    """Who the audit log names for work done at the command line by the server's operator
    (`by=None` in the services): no account, the stored name `command line`."""

    pk = None
    username = COMMAND_LINE_USERNAME


COMMAND_LINE = CommandLine()


def actor_or_command_line(by: Any) -> Any:
    """`by`, or the command-line actor when there is no signed-in user."""
    return by if by is not None else COMMAND_LINE


# Keys that would let personal data slip into the log; `record` refuses them.
FORBIDDEN_EXTRA_KEYS = frozenset(
    {"name", "answers", "responses", "notes", "email", "phone", "address", "date_of_birth"}
)


def record(
    *,
    actor: Any,
    organisation: Any,
    action: str,
    target: models.Model | None = None,
    person_id: int | None = None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """Appends one audit entry. `action` is a stable dotted code such as `person.viewed`,
    declared by its app (see actions.py)."""
    actions.check(action)
    extra = extra or {}
    leaked = FORBIDDEN_EXTRA_KEYS.intersection(extra)
    if leaked:
        raise ValueError(f"Audit details may not hold personal data: {sorted(leaked)}")
    if person_id is None and target is not None:
        person_id = _person_id_of(target)
    entry = AuditEvent(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "",
        organisation=organisation,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        person_id=person_id,
        extra=extra,
    )
    _insert(entry)
    return entry


def _insert(entry: AuditEvent) -> None:
    """Inserts `entry` with one SQL text written once: almost every page view writes one, and
    Django's save (signals, field preparation, the insert compiled anew) cost more than the
    insert."""
    connection = connections[router.db_for_write(AuditEvent)]
    values = [
        connection.ops.adapt_datetimefield_value(entry.at),
        entry.actor_id,
        entry.actor_username,
        entry.organisation_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.person_id,
        json.dumps(entry.extra),
    ]
    returning = connection.features.can_return_columns_from_insert
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.alias, returning), values)
        entry.pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    entry._state.adding = False
    entry._state.db = connection.alias


# The columns `_insert` writes, in its order.
_INSERTED = (
    "at",
    "actor",
    "actor_username",
    "organisation",
    "action",
    "object_type",
    "object_id",
    "person_id",
    "extra",
)


@lru_cache(maxsize=4)
def _insert_sql(alias: str, returning: bool) -> str:
    quote = connections[alias].ops.quote_name
    meta = AuditEvent._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in _INSERTED)
    places = ", ".join(["%s"] * len(_INSERTED))
    # Names from the model's own metadata, quoted; every value is a parameter.
    sql = "INSERT INTO {} ({}) VALUES ({})"
    sql = sql.format(quote(meta.db_table), columns, places)
    return f"{sql} RETURNING {quote(meta.pk.column)}" if returning else sql


def record_shown(
    *,
    actor: Any,
    organisation: Any,
    action: str,
    people: Iterable[int],
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """The audit entry of a page that showed many people (a list, a search, a caseload, a
    worklist): which ones, compactly (`idsets.compact` under `shown`), so that each person's
    subject access copy can say who saw them there. `action` must be declared with
    `lists_people=True`."""
    declared = actions.get(action)
    if declared is None or not declared.lists_people:
        raise ValueError(f"{action!r} is not declared as an action that lists people.")
    shown = sorted(set(people))
    return record(
        actor=actor,
        organisation=organisation,
        action=action,
        extra={**(extra or {}), "shown": idsets.compact(shown), "count": len(shown)},
    )


def _person_id_of(target: models.Model) -> int | None:
    if target._meta.label_lower == "people.person":
        return target.pk  # type: ignore[no-any-return]
    return getattr(target, "person_id", None)


def record_many(
    *,
    actor: Any,
    action: str,
    object_type: str,
    entries: Sequence[tuple[int | None, Any, int | None, dict[str, Any]]],
) -> None:
    """Appends one entry per record, for work that touches many records at once (an import,
    a rescore): the log must say who did what to each record, but 500,000 single inserts
    would make a large import take an hour. Each entry is (organisation id, object id, person
    id, details). The entries are the ones `record` would write, all at the same time.

    Written with the fast appender in the caller's transaction. Give many entries the same
    details object where they share details: each distinct object is checked and encoded
    once."""
    actions.check(action)
    checked: set[int] = set()
    for _organisation_id, _object_id, _person_id, extra in entries:
        if id(extra) in checked:
            continue
        leaked = FORBIDDEN_EXTRA_KEYS.intersection(extra)
        if leaked:
            raise ValueError(f"Audit details may not hold personal data: {sorted(leaked)}")
        checked.add(id(extra))
    append_rows(
        AuditEvent,
        ["organisation_id", "object_id", "person_id", "extra"],
        [
            (
                organisation_id,
                str(object_id) if object_id is not None else "",
                person_id,
                extra,
            )
            for organisation_id, object_id, person_id, extra in entries
        ],
        same={
            "actor_id": getattr(actor, "pk", None) or None,
            "actor_username": getattr(actor, "username", "") or "",
            "action": action,
            "object_type": object_type,
        },
        return_ids=False,
    )
