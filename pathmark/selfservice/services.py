"""Issuing, using and revoking a client's link: each write one transaction with its audit.

The secret is made here and returned once; only its hash is stored. The client's answers
arrive through the assessments app's own services as a self-completed draft, which counts only
when a caseworker reviews it with the client and completes it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pathmark.assessments import services as assessment_services
from pathmark.assessments.models import Assessment, AssessmentMode
from pathmark.assessments.selectors import instrument_of
from pathmark.audit.services import record
from pathmark.instruments.registry import UnknownInstrument
from pathmark.instruments.services import instrument_version_for
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import checks_organisation
from pathmark.people.models import Person

from .models import ClientLink, Delivery, RevokedBecause

# 256 random bits, 43 URL-safe characters: short enough for a QR code a phone reads at arm's
# length, far beyond guessing at any rate the limit allows.
SECRET_BYTES = 32


def hash_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class LinkClosed(Exception):
    """The link was revoked, expired, already used to send answers, or the organisation that
    made it may no longer assess the person. `reason` says which, for the audit entry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IssuedLink:
    link: ClientLink
    secret: str


def _revoke(link: ClientLink, *, by: Any, because: str) -> None:
    link.revoked_at = timezone.now()
    link.revoked_because = because
    link.save(update_fields=["revoked_at", "revoked_because"])
    record(
        actor=by,
        organisation=link.organisation,
        action="selfservice.link_revoked",
        target=link,
        extra={"because": because},
    )


@checks_organisation
@transaction.atomic
def issue_link(
    *,
    by: Any,
    organisation: Organisation,
    person: Person,
    instrument_slug: str,
    language: str,
    delivery: str = Delivery.SCREEN,
) -> IssuedLink:
    """A new link for `person` to answer `instrument_slug` in `language`. Any earlier link of
    this organisation for the person stops working: one live link per person at a time."""
    # Re-read the person in the current scope: the id came from a URL.
    person = Person.objects.exclude(status=Person.Status.ERASED).get(pk=person.pk)
    if person.status != Person.Status.ACTIVE:
        raise ValidationError(
            _("Processing of this person's data is restricted, so they cannot be assessed.")
        )
    if delivery not in Delivery.values:
        raise ValidationError({"delivery": _("Choose how the link reaches the person.")})
    try:
        version = instrument_version_for(instrument_slug)
    except UnknownInstrument:
        raise ValidationError({"instrument": _("Choose one of the instruments listed.")}) from None
    if language not in instrument_of(version).languages:
        raise ValidationError(
            {"language": _("This instrument is not available in the language chosen.")}
        )
    earlier = ClientLink.objects.select_for_update().filter(
        person=person, organisation=organisation, revoked_at__isnull=True
    )
    for link in earlier:
        _revoke(link, by=by, because=RevokedBecause.REPLACED)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    now = timezone.now()
    link = ClientLink.objects.create(
        person=person,
        organisation=organisation,
        token_hash=hash_of(secret),
        instrument_version=version,
        language=language,
        delivery=delivery,
        created_by=by,
        created_at=now,
        expires_at=now + timedelta(hours=settings.CLIENT_LINK_HOURS),
    )
    record(
        actor=by,
        organisation=organisation,
        action="selfservice.link_issued",
        target=link,
        extra={
            "instrument": version.slug,
            "language": language,
            "delivery": delivery,
            "hours": settings.CLIENT_LINK_HOURS,
        },
    )
    return IssuedLink(link=link, secret=secret)


@checks_organisation
@transaction.atomic
def revoke_link(*, by: Any, organisation: Organisation, link: ClientLink) -> None:
    """Stops a link at once (the person lost their phone, or it went to the wrong number)."""
    link = ClientLink.objects.select_for_update().get(pk=link.pk, organisation=organisation)
    if link.revoked_at is None:
        _revoke(link, by=by, because=RevokedBecause.BY_STAFF)


def revoke_links_of(*, person_id: int, by: Any, because: str, organisation_id: int | None) -> int:
    """Revokes the live links for a person (of one organisation, or of every one), in the
    caller's transaction and scope, which must see them (the receivers enter the system
    scope: a withdrawal by the registering organisation ends another's link too)."""
    links = ClientLink.objects.select_for_update().filter(
        person_id=person_id, revoked_at__isnull=True
    )
    if organisation_id is not None:
        links = links.filter(organisation_id=organisation_id)
    revoked = 0
    for link in links.select_related("organisation"):
        _revoke(link, by=by, because=because)
        revoked += 1
    return revoked


def _check_open(link: ClientLink) -> None:
    if link.is_revoked:
        raise LinkClosed("revoked")
    if link.is_expired:
        raise LinkClosed("expired")
    # The organisation must still be allowed to assess the person: sharing or consent that
    # ended, or a restriction, closes the link even before a receiver revoked it.
    if not Person.objects.filter(pk=link.person_id, status=Person.Status.ACTIVE).exists():
        raise LinkClosed("no_access")


@checks_organisation
@transaction.atomic
def note_opened(*, organisation: Organisation, link: ClientLink) -> ClientLink:
    """The client opened the link: checked, and the first opening recorded."""
    _check_open(link)
    if link.opened_at is None:
        link.opened_at = timezone.now()
        link.save(update_fields=["opened_at"])
        record(actor=None, organisation=organisation, action="selfservice.link_opened", target=link)
    return link


@checks_organisation
@transaction.atomic
def submit_answers(
    *, organisation: Organisation, link: ClientLink, answers: dict[str, dict[str, object]]
) -> Assessment:
    """The client's answers (domain id → item id → answer) become a self-completed draft of
    the organisation that made the link. The link sends answers once: a second submission,
    even a replay of the same form, is refused."""
    link = (
        ClientLink.objects.select_for_update()
        .select_related("instrument_version", "person")
        .get(pk=link.pk)
    )
    if link.is_submitted:
        raise LinkClosed("used")
    _check_open(link)
    if not any(
        value not in (None, "", []) for domain in answers.values() for value in domain.values()
    ):
        raise ValidationError(_("Answer at least one question before sending."))
    assessment = assessment_services.start_assessment(
        by=None,
        organisation=organisation,
        person=link.person,
        instrument_slug=link.instrument_version.slug,
        mode=AssessmentMode.SELF_COMPLETED,
        language=link.language,
        assessed_on=timezone.localdate(),
    )
    for domain_id, given in answers.items():
        assessment_services.save_answers(
            by=None,
            organisation=organisation,
            assessment=assessment,
            domain_id=domain_id,
            answers=given,
        )
    link.submitted_at = timezone.now()
    link.assessment = assessment
    link.save(update_fields=["submitted_at", "assessment"])
    record(
        actor=None,
        organisation=organisation,
        action="selfservice.answers_submitted",
        target=link,
        extra={"assessment": assessment.pk, "instrument": link.instrument_version.slug},
    )
    return assessment
