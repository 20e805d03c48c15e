"""Data-subject rights and retention: subject access export, erasure, restriction of
processing, and the retention sweep. Each write is one transaction with its audit entry;
audit entries name the person by id and never hold the data exported or erased."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pathmark.audit.services import record
from pathmark.core.references import person_reference
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import checks_organisation, system_scope
from pathmark.people.models import Person
from pathmark.people.services import has_processing_consent, mark_restricted

from .hooks import person_erased, retention_sweep
from .registry import Provider, Row, erasers, providers
from .selectors import expired_people, retention_cutoff


class RestrictionGround(models.TextChoices):
    """Why processing is restricted (UK GDPR Article 18(1)); stored as a code in the audit."""

    ACCURACY = "accuracy", gettext_lazy("The person contests the accuracy of their data")
    UNLAWFUL = "unlawful", gettext_lazy("Processing is unlawful but the person asks to keep it")
    LEGAL_CLAIMS = "legal_claims", gettext_lazy("The person needs the data for a legal claim")
    OBJECTION = "objection", gettext_lazy("The person has objected and this is being considered")


class ErasureReason(models.TextChoices):
    REQUEST = "request", gettext_lazy("The person asked for erasure")
    # A record made in error (a test, the wrong person, a duplicate with nothing of its own):
    # holding it has no lawful basis, so it is erased (UK GDPR Article 17(1)(d)).
    MISTAKE = "mistake", gettext_lazy("The record was registered by mistake")
    RETENTION = "retention", gettext_lazy("The retention period ended")


# The reasons a person at the keyboard may give; retention is the nightly sweep's.
CHOSEN_ERASURE_REASONS = (ErasureReason.REQUEST, ErasureReason.MISTAKE)


def _owned(person_id: int, organisation: Organisation) -> Person:
    """The person's row, locked, if `organisation` registered them and they are not erased;
    `Person.DoesNotExist` otherwise. Only the owning organisation exercises rights over a
    record; an organisation it is shared with sees it read-only."""
    person = (
        Person.objects.select_for_update(of=("self",))
        .select_related("organisation", "immigration_status")
        .get(pk=person_id)
    )
    if person.organisation_id != organisation.pk or person.status == Person.Status.ERASED:
        raise Person.DoesNotExist
    return person


# --- Subject access --------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectAccess:
    """Everything held about one person, section by section, as the providers returned it."""

    person_id: int
    reference: str
    organisation: str
    preferred_language: str
    generated_at: datetime
    sections: list[tuple[Provider, list[Row]]]

    @property
    def record_count(self) -> int:
        return sum(len(rows) for _provider, rows in self.sections)


@checks_organisation
@transaction.atomic
def export_personal_data(
    *, by: Any, organisation: Organisation, person: Person, format: str, via: str = "web"
) -> SubjectAccess:
    """Collects what every registered provider holds about `person`, across organisations
    (their assessments elsewhere, referrals received elsewhere), and audits the export."""
    reason = f"subject access export of person {person.pk}"
    with system_scope(reason):
        person = _owned(person.pk, organisation)
        sections = [(provider, provider.export(person)) for provider in providers()]
    export = SubjectAccess(
        person_id=person.pk,
        reference=person.reference,
        organisation=person.organisation.name,
        preferred_language=person.preferred_language,
        generated_at=timezone.now(),
        sections=sections,
    )
    record(
        actor=by,
        organisation=organisation,
        action="person.exported",
        target=person,
        extra={"format": format, "via": via, "records": export.record_count},
    )
    return export


# --- Erasure ---------------------------------------------------------------------------------


@checks_organisation
@transaction.atomic
def erase_person(
    *,
    by: Any,
    organisation: Organisation,
    person: Person,
    reason: str = ErasureReason.REQUEST,
) -> dict[str, int]:
    """Irreversibly anonymises the person everywhere, in one transaction: every provider
    erases its records (in every organisation), then the person's row is blanked and marked
    erased. Returns how many records each provider changed. The audit entry holds those
    counts and the reason, nothing erased."""
    if reason not in ErasureReason.values:
        raise ValueError(f"Unknown erasure reason {reason!r}")
    with system_scope(f"erasure of person {person.pk}"):
        person = _owned(person.pk, organisation)
        counts = {provider.key: provider.erase(person, by=by) for provider in erasers()}  # type: ignore[misc]
        for answer in person_erased(person=person, by=by):
            if answer is not None:
                key, count = answer
                counts[key] = count
    record(
        actor=by,
        organisation=organisation,
        action="person.erased",
        target=person,
        extra={"reason": reason, "counts": counts},
    )
    return counts


# --- Restriction of processing ---------------------------------------------------------------


@checks_organisation
@transaction.atomic
def restrict_processing(
    *, by: Any, organisation: Organisation, person: Person, ground: str
) -> Person:
    """Freezes the record: it is kept and can be read, but not changed, assessed or shared
    further until the restriction is lifted."""
    if ground not in RestrictionGround.values:
        raise ValidationError({"ground": _("Choose why processing is restricted.")})
    person = _owned(person.pk, organisation)
    if person.status == Person.Status.RESTRICTED:
        raise ValidationError(_("Processing of this person's data is already restricted."))
    mark_restricted(by=by, organisation=organisation, person=person, ground=ground)
    return person


@checks_organisation
@transaction.atomic
def lift_restriction(*, by: Any, organisation: Organisation, person: Person) -> Person:
    person = _owned(person.pk, organisation)
    if person.status != Person.Status.RESTRICTED:
        raise ValidationError(_("Processing of this person's data is not restricted."))
    if not has_processing_consent(person):
        raise ValidationError(
            _(
                "The person has withdrawn their consent to hold and use their information. "
                "Record their new consent on their record before lifting the restriction."
            )
        )
    restricted_days = (timezone.now() - person.restricted_at).days if person.restricted_at else None
    person.status = Person.Status.ACTIVE
    person.restricted_at = None
    person.save(update_fields=["status", "restricted_at", "updated_at"])
    record(
        actor=by,
        organisation=organisation,
        action="person.restriction_lifted",
        target=person,
        extra={"restricted_days": restricted_days},
    )
    return person


# --- Retention -------------------------------------------------------------------------------


@dataclass
class OrganisationRetention:
    slug: str
    retention_years: int
    cutoff: date
    expired: list[tuple[int, str]] = field(default_factory=list)
    """(id, reference) of each person whose last contact is before the cutoff."""
    erased: int = 0
    held_restricted: int = 0
    """Expired but restricted: kept, because a restriction often means the person needs the
    data for a legal claim; lifting the restriction lets the next sweep erase them."""

    def as_dict(self) -> dict[str, object]:
        return {
            "organisation": self.slug,
            "retention_years": self.retention_years,
            "cutoff": self.cutoff.isoformat(),
            "expired": [{"id": pk, "reference": ref} for pk, ref in self.expired],
            "erased": self.erased,
            "held_restricted": self.held_restricted,
        }


@dataclass
class RetentionReport:
    dry_run: bool
    today: date
    organisations: list[OrganisationRetention] = field(default_factory=list)
    # Uploaded import files left unconfirmed for a day, and exports a day after they were
    # ready or stuck for a day (deleted, or counted in a dry run).
    stale_transfer_files: int = 0

    @property
    def expired(self) -> int:
        return sum(len(o.expired) for o in self.organisations)

    @property
    def erased(self) -> int:
        return sum(o.erased for o in self.organisations)

    def as_dict(self) -> dict[str, object]:
        return {
            "dry_run": self.dry_run,
            "today": self.today.isoformat(),
            "expired": self.expired,
            "erased": self.erased,
            "stale_transfer_files": self.stale_transfer_files,
            "organisations": [o.as_dict() for o in self.organisations],
        }


@checks_organisation
def apply_retention(
    *,
    organisation: Organisation | None = None,
    dry_run: bool = False,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RetentionReport:
    """Erases every person whose last contact is older than their organisation's retention
    period (one organisation, or all). A dry run only lists them and writes nothing.

    Each person is erased in a transaction of its own, so a failure stops the sweep without
    undoing the erasures already done, and the next run carries on from there.
    """
    today = today or timezone.localdate()
    report = RetentionReport(dry_run=dry_run, today=today)
    organisations = [organisation] if organisation else list(Organisation.objects.order_by("slug"))
    with system_scope("retention: anonymise people past their organisation's retention period"):
        for org in organisations:
            expired = expired_people(organisation=org, today=today)
            entry = OrganisationRetention(
                slug=org.slug,
                retention_years=org.retention_years,
                cutoff=retention_cutoff(org, today=today),
                expired=[
                    (pk, person_reference(pk))
                    for pk in expired.filter(status=Person.Status.ACTIVE).values_list(
                        "pk", flat=True
                    )
                ],
                held_restricted=expired.filter(status=Person.Status.RESTRICTED).count(),
            )
            report.organisations.append(entry)
        report.stale_transfer_files = sum(
            answer[1]
            for answer in retention_sweep(organisation=organisation, dry_run=dry_run)
            if answer is not None
        )
        if dry_run:
            return report
        total = report.expired
        done = 0
        for entry, org in zip(report.organisations, organisations, strict=True):
            for pk, _reference in entry.expired:
                erase_person(
                    by=None,
                    organisation=org,
                    person=Person(pk=pk),
                    reason=ErasureReason.RETENTION,
                )
                entry.erased += 1
                done += 1
                if progress is not None:
                    progress(done, total)
            record(
                actor=None,
                organisation=org,
                action="retention.applied",
                extra={
                    "cutoff": entry.cutoff.isoformat(),
                    "erased": entry.erased,
                    "held_restricted": entry.held_restricted,
                },
            )
    return report
