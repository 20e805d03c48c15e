"""Writing audit entries. Services call `record` inside their own transaction, so the entry
and the change it describes commit or roll back together."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent

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
    """Appends one audit entry. `action` is a stable dotted code such as `person.viewed`."""
    extra = extra or {}
    leaked = FORBIDDEN_EXTRA_KEYS.intersection(extra)
    if leaked:
        raise ValueError(f"Audit details may not hold personal data: {sorted(leaked)}")
    if person_id is None and target is not None:
        person_id = _person_id_of(target)
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "",
        organisation=organisation,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        person_id=person_id,
        extra=extra,
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
    entries: list[tuple[Any, int | None, int | None, dict[str, Any]]],
    batch_size: int = 1000,
) -> None:
    """Appends one entry per record in bulk, for work that touches many records at once.
    Each entry is (organisation id, object id, person id, details)."""
    for _organisation_id, _object_id, _person_id, extra in entries:
        leaked = FORBIDDEN_EXTRA_KEYS.intersection(extra)
        if leaked:
            raise ValueError(f"Audit details may not hold personal data: {sorted(leaked)}")
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor if getattr(actor, "pk", None) else None,
                actor_username=getattr(actor, "username", "") or "",
                organisation_id=organisation_id,
                action=action,
                object_type=object_type,
                object_id=str(object_id) if object_id is not None else "",
                person_id=person_id,
                extra=extra,
            )
            for organisation_id, object_id, person_id, extra in entries
        ],
        batch_size=batch_size,
    )
