"""Reading the audit log: managers and administrators see their own organisation's entries."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from .models import AuditEvent


def audit_events_for(  # type: ignore[no-untyped-def]
    *,
    organisation,
    action: str = "",
    person_id: int | None = None,
    actor_id: int | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The organisation's entries, newest first; `action` is a code or the start of one
    (`person.` for every action on people); `since` inclusive, `before` exclusive."""
    events = AuditEvent.objects.filter(organisation=organisation).select_related("actor")
    if action:
        events = events.filter(action__startswith=action)
    if person_id is not None:
        events = events.filter(person_id=person_id)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if since is not None:
        events = events.filter(at__gte=since)
    if before is not None:
        events = events.filter(at__lt=before)
    return events
