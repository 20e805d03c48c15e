"""Writing people and their consents: each function is one transaction with its audit entry."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, TextChoices
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pathmark.audit.services import record, record_many
from pathmark.core.appending import append_rows
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import check_organisation, checks_organisation
from pathmark.organisations.selectors import host_organisation_of

from . import searchkeys
from .hooks import consent_withdrawn, person_merged, person_restricted
from .models import (
    AgeBand,
    Consent,
    ConsentKind,
    ConsentMethod,
    DuplicateFlag,
    Household,
    ImmigrationStatus,
    ImmigrationStatusVersion,
    Person,
)
from .selectors import PossibleDuplicate, possible_duplicates

# Fields a caseworker may set on a person. Everything else (organisation, status, who
# registered them) is set by the service, never taken from a form or file.
EDITABLE_FIELDS = (
    "name",
    "preferred_name",
    "date_of_birth",
    "age_band",
    "gender",
    "gender_description",
    "languages",
    "preferred_language",
    "country_of_origin",
    "date_of_arrival",
    "immigration_status",
    "household_role",
    "phone",
    "email",
    "address",
    "postcode",
    "postcode_district",
    "qualification_level",
    "qualification_subject",
    "profession_sector",
    "profession_recognition",
    "work_status",
    "work_sector",
)


@dataclass
class ConsentGiven:
    purpose: str
    method: str
    given_on: date
    share_with: list[Organisation] = field(default_factory=list)


@dataclass
class Registration:
    person: Person
    duplicates: list[PossibleDuplicate]


def age_band_for(date_of_birth: date, *, today: date | None = None) -> str:
    today = today or timezone.localdate()
    age = (
        today.year
        - date_of_birth.year
        - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
    )
    if age < 18:
        return AgeBand.UNDER_18
    if age <= 30:
        return AgeBand.AGE_18_30
    if age <= 45:
        return AgeBand.AGE_31_45
    if age <= 64:
        return AgeBand.AGE_46_64
    return AgeBand.AGE_65_PLUS


def _check_fields(values: dict[str, Any]) -> None:
    unexpected = set(values) - set(EDITABLE_FIELDS)
    if unexpected:
        raise PermissionDenied(f"These fields cannot be set here: {', '.join(sorted(unexpected))}")


def _check_share_targets(organisation: Organisation, targets: list[Organisation]) -> None:
    for target in targets:
        if target.pk == organisation.pk:
            raise ValidationError(
                {"share_with": _("A record cannot be shared with its own organisation.")}
            )
        if not target.is_active:
            raise ValidationError({"share_with": _("That organisation is no longer active.")})


@checks_organisation
@transaction.atomic
def register_person(
    *,
    by: Any,
    organisation: Organisation,
    values: dict[str, Any],
    consent: ConsentGiven,
    not_duplicates: Collection[int] = (),
) -> Registration:
    """Registers a client with the consent they gave, flags possible duplicates, audits it.

    `not_duplicates` are the people the caseworker was shown before saving and said are
    someone else: their flags are recorded as decided, so the pair is not raised again."""
    _check_fields(values)
    _check_share_targets(organisation, consent.share_with)
    person = Person(
        organisation=organisation, registered_by=by, last_contact_at=timezone.now(), **values
    )
    if person.date_of_birth and not person.age_band:
        person.age_band = age_band_for(person.date_of_birth)
    person.full_clean()
    person.save()
    Consent.objects.create(
        person=person,
        kind=ConsentKind.PROCESSING,
        purpose=consent.purpose,
        method=consent.method,
        given_on=consent.given_on,
        recorded_by=by,
    )
    for target in consent.share_with:
        Consent.objects.create(
            person=person,
            kind=ConsentKind.SHARE,
            shared_with=target,
            # What the person agreed for this organisation, not the wording of the consent to
            # hold and use their information.
            purpose=share_purpose(target),
            method=consent.method,
            given_on=consent.given_on,
            recorded_by=by,
        )
    duplicates = possible_duplicates(
        name=person.name,
        date_of_birth=person.date_of_birth,
        phone=person.phone,
        email=person.email,
        exclude_id=person.pk,
    )
    now = timezone.now()
    for duplicate in duplicates:
        decided = duplicate.person.pk in not_duplicates
        DuplicateFlag.objects.create(
            person=person,
            candidate=duplicate.person,
            reason=duplicate.reason[:200],
            resolved=decided,
            outcome=DuplicateFlag.Outcome.DISTINCT if decided else DuplicateFlag.Outcome.OPEN,
            resolved_by=by if decided else None,
            resolved_at=now if decided else None,
        )
    record(
        actor=by,
        organisation=organisation,
        action="person.registered",
        target=person,
        extra={
            "possible_duplicates": len(duplicates),
            "not_duplicates": sorted(
                d.person.pk for d in duplicates if d.person.pk in not_duplicates
            ),
            "shared_with": [o.pk for o in consent.share_with],
        },
    )
    return Registration(person=person, duplicates=duplicates)


def share_purpose(target: Organisation) -> str:
    return _("Share my record with %(organisation)s so that they can support me too.") % {
        "organisation": target.name
    }


def _require_processing_allowed(person: Person) -> None:
    if person.status != Person.Status.ACTIVE:
        raise ValidationError(
            _("Processing of this person's data is restricted, so their record cannot be changed.")
        )


def _require_owner(person: Person, organisation: Organisation) -> None:
    if person.organisation_id != organisation.pk:
        # Shared records are read-only elsewhere; answer as if it did not exist.
        raise Person.DoesNotExist


@checks_organisation
@transaction.atomic
def update_person(
    *, by: Any, organisation: Organisation, person: Person, values: dict[str, Any]
) -> Person:
    _check_fields(values)
    _require_owner(person, organisation)
    _require_processing_allowed(person)
    changed = [name for name, value in values.items() if getattr(person, name) != value]
    for name, value in values.items():
        setattr(person, name, value)
    if "postcode" in values and not values["postcode"]:
        person.postcode_district = ""  # no postcode now: nothing to say where they live
    if person.date_of_birth and "date_of_birth" in changed:
        person.age_band = age_band_for(person.date_of_birth)
    person.full_clean()
    person.save()
    record(
        actor=by,
        organisation=organisation,
        action="person.updated",
        target=person,
        extra={"fields": sorted(changed)},
    )
    return person


@checks_organisation
@transaction.atomic
def record_consent(
    *,
    by: Any,
    organisation: Organisation,
    person: Person,
    kind: str,
    purpose: str,
    method: str,
    given_on: date,
    shared_with: Organisation | None = None,
) -> Consent:
    _require_owner(person, organisation)
    if kind != ConsentKind.PROCESSING:
        # A new consent to hold and use is how a person whose consent was withdrawn comes
        # back; anything else waits until the restriction is lifted.
        _require_processing_allowed(person)
    if kind == ConsentKind.SHARE:
        if shared_with is None:
            raise ValidationError(
                {"shared_with": _("Choose the organisation the person agreed to share with.")}
            )
        _check_share_targets(organisation, [shared_with])
    else:
        shared_with = None
    consent = Consent(
        person=person,
        kind=kind,
        shared_with=shared_with,
        purpose=purpose,
        method=method,
        given_on=given_on,
        recorded_by=by,
    )
    consent.full_clean()
    consent.save()
    record(
        actor=by,
        organisation=organisation,
        action="consent.recorded",
        target=consent,
        extra={"kind": kind, "shared_with": shared_with.pk if shared_with else None},
    )
    return consent


@dataclass(frozen=True)
class Withdrawal:
    consent: Consent
    restricted: bool = False
    """The last consent to hold and use was withdrawn, so the record is now restricted."""
    sharing_ended: int = 0
    """Consents to share that ended with it."""


def has_processing_consent(person: Person) -> bool:
    return Consent.objects.filter(
        person=person, kind=ConsentKind.PROCESSING, withdrawn_at__isnull=True
    ).exists()


def _withdraw(consent: Consent, *, by: Any, organisation: Organisation, how: str = "") -> None:
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = by
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    record(
        actor=by,
        organisation=organisation,
        action="consent.withdrawn",
        target=consent,
        extra={"kind": consent.kind, "shared_with": consent.shared_with_id, "how": how},
    )
    consent_withdrawn(consent=consent, by=by, organisation=organisation)


@checks_organisation
@transaction.atomic
def withdraw_consent(
    *, by: Any, organisation: Organisation, consent: Consent, how: str = ""
) -> Withdrawal:
    """Withdrawal takes effect at once: the next request of the other organisation no longer
    sees the person, because visibility is computed from unwithdrawn consents.

    Withdrawing the last consent to hold and use the information removes the ground for
    processing it at all: sharing ends with it and the record is restricted (kept and
    readable, but not changed, assessed or shared) until the person consents again or is
    erased. Erasing is a separate, deliberate step on the data protection page.

    `how` is how the person withdrew it (a `ConsentMethod` code), kept in the audit entry as
    evidence of the withdrawal, as the consent itself records how it was given."""
    if how and how not in ConsentMethod.values:
        raise ValidationError({"how": _("Choose how the person withdrew their consent.")})
    person = consent.person
    _require_owner(person, organisation)
    if consent.withdrawn_at is not None:
        return Withdrawal(consent)
    _withdraw(consent, by=by, organisation=organisation, how=how)
    if consent.kind != ConsentKind.PROCESSING or has_processing_consent(person):
        return Withdrawal(consent)
    sharing = list(
        Consent.objects.filter(person=person, kind=ConsentKind.SHARE, withdrawn_at__isnull=True)
    )
    for share in sharing:
        _withdraw(share, by=by, organisation=organisation)
    restricted = person.status == Person.Status.ACTIVE
    if restricted:
        mark_restricted(by=by, organisation=organisation, person=person, ground="consent_withdrawn")
    return Withdrawal(consent, restricted=restricted, sharing_ended=len(sharing))


@checks_organisation
def mark_restricted(*, by: Any, organisation: Organisation, person: Person, ground: str) -> None:
    """The one write that restricts processing of a person's record (kept and readable, not
    changed, assessed or shared), in the caller's transaction, audited with its ground. Used
    by consent withdrawal here and by the data protection page (`privacy.services`)."""
    person.status = Person.Status.RESTRICTED
    person.restricted_at = timezone.now()
    person.save(update_fields=["status", "restricted_at", "updated_at"])
    record(
        actor=by,
        organisation=organisation,
        action="person.restricted",
        target=person,
        extra={"ground": ground},
    )
    person_restricted(person=person, by=by, organisation=organisation)


@checks_organisation
@transaction.atomic
def link_household(
    *, by: Any, organisation: Organisation, person: Person, other: Person, role: str = ""
) -> Household:
    """Puts two people of the same organisation in one household (joining an existing one)."""
    _require_owner(person, organisation)
    _require_owner(other, organisation)
    _require_processing_allowed(person)
    _require_processing_allowed(other)
    if person.pk == other.pk:
        raise ValidationError({"other": _("A person cannot be linked to themselves.")})
    household = (
        other.household or person.household or Household.objects.create(organisation=organisation)
    )
    for member in (person, other):
        if member.household_id not in (None, household.pk):
            # Merge the member's old household into this one.
            Person.objects.filter(household_id=member.household_id).update(household=household)
        member.household = household
    if role:
        person.household_role = role
    person.save(update_fields=["household", "household_role", "updated_at"])
    other.save(update_fields=["household", "updated_at"])
    record(
        actor=by,
        organisation=organisation,
        action="household.linked",
        target=person,
        extra={"other_person": other.pk, "household": household.pk},
    )
    return household


@checks_organisation
@transaction.atomic
def unlink_household(*, by: Any, organisation: Organisation, person: Person) -> None:
    _require_owner(person, organisation)
    _require_processing_allowed(person)
    if person.household_id is None:
        return
    household_id = person.household_id
    person.household = None
    person.save(update_fields=["household", "updated_at"])
    record(
        actor=by,
        organisation=organisation,
        action="household.unlinked",
        target=person,
        extra={"household": household_id},
    )


@checks_organisation
@transaction.atomic
def save_immigration_status(
    *,
    by: Any,
    organisation: Organisation,
    status: ImmigrationStatus | None,
    label: str,
    is_active: bool = True,
) -> ImmigrationStatus:
    """Adds or changes a category of the partnership-wide list. Only an administrator of the
    partnership's host organisation, acting for it, may: the list is every organisation's,
    so no single member organisation changes it for the others. Each save keeps a version
    (who, when, from what to what) and is written to every organisation's audit log.
    Categories in use are never deleted, only retired (`is_active=False`), so past records
    keep their meaning."""
    host = host_organisation_of(by)
    if host is None or host.pk != organisation.pk:
        raise PermissionDenied(
            _("Only the administrators of the partnership's host organisation change this list.")
        )
    label = label.strip()
    if not label:
        raise ValidationError({"label": _("Write the name of the category.")})
    if status is None:
        base = slugify(label)[:50] or "category"
        slug, number = base, 2
        while ImmigrationStatus.objects.filter(slug=slug).exists():
            slug, number = f"{base}-{number}", number + 1
        position = (
            ImmigrationStatus.objects.order_by("-position")
            .values_list("position", flat=True)
            .first()
            or 0
        ) + 1
        status = ImmigrationStatus(slug=slug, position=position)
        previous: tuple[str, bool | None] = ("", None)
    else:
        # Two administrators saving at once each get their own version number.
        status = ImmigrationStatus.objects.select_for_update().get(pk=status.pk)
        previous = (status.label, status.is_active)
    if status.pk is not None and previous == (label, is_active):
        return status
    status.label = label
    status.is_active = is_active
    status.full_clean()
    status.save()
    last = status.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ImmigrationStatusVersion.objects.create(
        status=status,
        number=last + 1,
        label=label,
        is_active=is_active,
        previous_label=previous[0],
        previous_is_active=previous[1],
        changed_by=by,
        changed_by_username=by.username,
    )
    details = {"slug": status.slug, "active": is_active, "version": version.number}
    for every in Organisation.objects.filter(is_active=True).order_by("pk"):
        record(
            actor=by,
            organisation=every,
            action="reference.immigration_status_saved",
            target=status,
            extra=details,
        )
    return status


def _refresh_search_keys(person_ids: Sequence[int | None]) -> None:
    """The search keys of people changed in bulk (`bulk_update` does not call `save`)."""
    rows = list(
        Person.objects.filter(pk__in=person_ids).only(
            "name", "preferred_name", "phone", "postcode", "postcode_district"
        )
    )
    for person in rows:
        person.name_key = searchkeys.name_key(person.name, person.preferred_name)
        person.phone_key = searchkeys.phone_key(person.phone)
        if person.postcode:
            person.postcode_district = searchkeys.postcode_district(person.postcode)
    Person.objects.bulk_update(
        rows, ["name_key", "phone_key", "postcode_district"], batch_size=BULK_BATCH_SIZE
    )


# --- Duplicates -------------------------------------------------------------------------------


@checks_organisation
@transaction.atomic
def dismiss_duplicate(*, by: Any, organisation: Organisation, flag: DuplicateFlag) -> None:
    """Records that the two records of `flag` are different people, so they are not flagged
    again (see `selectors.decided_not_duplicates`)."""
    _require_owner(flag.person, organisation)
    flag.resolved = True
    flag.outcome = DuplicateFlag.Outcome.DISTINCT
    flag.resolved_by = by
    flag.resolved_at = timezone.now()
    flag.save(update_fields=["resolved", "outcome", "resolved_by", "resolved_at"])
    record(
        actor=by,
        organisation=organisation,
        action="person.duplicate_dismissed",
        target=flag.person,
        extra={"other_person": flag.candidate_id},
    )


class MergeReason(TextChoices):
    """Why two records are one person; kept as a code in the audit entry."""

    REGISTERED_TWICE = "registered_twice", gettext_lazy("The person was registered twice")
    IMPORTED_TWICE = "imported_twice", gettext_lazy("An import created a second record")
    OTHER_SPELLING = (
        "other_spelling",
        gettext_lazy("The person was registered again under another spelling or name"),
    )


@dataclass(frozen=True)
class Merge:
    kept: Person
    merged: Person
    moved: dict[str, int]
    filled: list[str]


# Fields of the kept record that take the merged record's value when the kept one is empty.
FILLED_ON_MERGE = tuple(name for name in EDITABLE_FIELDS if name not in ("languages",))


@checks_organisation
@transaction.atomic
def merge_people(
    *, by: Any, organisation: Organisation, kept: Person, merged: Person, reason: str
) -> Merge:
    """Makes two records of one person one: everything about `merged` (consents, household,
    duplicate flags, and through `hooks.person_merged` assessments, journeys and what the
    apps above hold) moves to `kept`, whose empty fields take `merged`'s values, in one
    transaction with one audit entry. `merged` stays as a tombstone without personal data
    that points at `kept`, so its reference and links still lead to the person, and the
    audit history of both reads as one (`selectors.merged_ids`).

    Only records the organisation registered, both active, can be merged: a shared record
    is another organisation's to keep, and a restricted one may not be changed."""
    if reason not in MergeReason.values:
        raise ValidationError({"reason": _("Choose why these records are the same person.")})
    if kept.pk == merged.pk:
        raise ValidationError(_("A record cannot be merged into itself."))
    # Lock both rows in id order, as every writer of two people does, so two merges of the
    # same pair cannot deadlock; re-read them under the lock.
    locked = {
        person.pk: person
        for person in Person.objects.select_for_update(of=("self",))
        .filter(pk__in=[kept.pk, merged.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise Person.DoesNotExist
    kept, merged = locked[kept.pk], locked[merged.pk]
    for person in (kept, merged):
        _require_owner(person, organisation)
        if person.status != Person.Status.ACTIVE:
            raise ValidationError(
                _("%(reference)s is restricted or no longer in use, so it cannot be merged.")
                % {"reference": person.reference}
            )
    filled = [
        name
        for name in FILLED_ON_MERGE
        if getattr(kept, name) in ("", None) and getattr(merged, name) not in ("", None)
    ]
    for name in filled:
        setattr(kept, name, getattr(merged, name))
    kept.languages = list(dict.fromkeys([*(kept.languages or []), *(merged.languages or [])]))
    if merged.last_contact_at and (
        kept.last_contact_at is None or merged.last_contact_at > kept.last_contact_at
    ):
        kept.last_contact_at = merged.last_contact_at
    if kept.key_worker_id is None:
        kept.key_worker_id = merged.key_worker_id
    moved = {"consents": Consent.objects.filter(person=merged).update(person=kept)}
    moved["household"] = _merge_households(kept, merged)
    moved["duplicate_flags"] = _merge_flags(kept, merged, by=by)
    # Tombstones of earlier merges into `merged` now point at `kept`: never a chain.
    moved["earlier_merges"] = Person.objects.filter(merged_into=merged).update(merged_into=kept)
    for answer in person_merged(kept=kept, merged=merged, by=by, organisation=organisation):
        if answer is not None:
            key, count = answer
            moved[key] = count
    external_id = merged.external_id
    _make_tombstone(merged, kept)
    if external_id and not kept.external_id:
        # So a later import from the previous system still finds the person.
        kept.external_id = external_id
        filled.append("external_id")
    kept.save()
    record(
        actor=by,
        organisation=organisation,
        action="person.merged",
        target=kept,
        extra={"merged": merged.pk, "reason": reason, "moved": moved, "filled": filled},
    )
    return Merge(kept=kept, merged=merged, moved=moved, filled=filled)


def _merge_households(kept: Person, merged: Person) -> int:
    """The kept record joins the merged one's household, or the two households become one."""
    if merged.household_id is None or merged.household_id == kept.household_id:
        return 0
    if kept.household_id is None:
        kept.household_id = merged.household_id
        if not kept.household_role:
            kept.household_role = merged.household_role
        return 1
    return (
        Person.objects.filter(household_id=merged.household_id)
        .exclude(pk=merged.pk)
        .update(household_id=kept.household_id)
    )


def _merge_flags(kept: Person, merged: Person, *, by: Any) -> int:
    """The pair's own flags are decided as merged; the merged record's other flags become the
    kept record's, unless the kept record already has one for the same other person."""
    now = timezone.now()
    pair = Q(person=kept, candidate=merged) | Q(person=merged, candidate=kept)
    DuplicateFlag.objects.filter(pair).update(
        resolved=True, outcome=DuplicateFlag.Outcome.MERGED, resolved_by=by, resolved_at=now
    )
    moved = 0
    for flag in DuplicateFlag.objects.filter(Q(person=merged) | Q(candidate=merged)).exclude(pair):
        other = flag.candidate_id if flag.person_id == merged.pk else flag.person_id
        if DuplicateFlag.objects.filter(
            Q(person=kept, candidate_id=other) | Q(person_id=other, candidate=kept)
        ).exists():
            flag.delete()
            continue
        if flag.person_id == merged.pk:
            flag.person = kept
        else:
            flag.candidate = kept
        flag.save(update_fields=["person", "candidate"])
        moved += 1
    return moved


def _make_tombstone(merged: Person, kept: Person) -> None:
    """What is left of the merged record: its id (so its reference and links still lead to
    the kept record), organisation and dates; its personal data now lives on the kept one."""
    for name in EDITABLE_FIELDS:
        if name != "immigration_status":
            setattr(merged, name, Person._meta.get_field(name).get_default())
    merged.immigration_status = None
    merged.external_id = ""
    merged.household = None
    merged.key_worker = None
    merged.status = Person.Status.MERGED
    merged.merged_into = kept
    merged.merged_at = timezone.now()
    merged.save()


# --- Many people at once (imports) ----------------------------------------------------------

BULK_BATCH_SIZE = 1000


class NewPerson(Protocol):
    """One person to register in bulk: attribute values by field name (`immigration_status_id`,
    not `immigration_status`), checked by the caller with the same rules as the form."""

    external_id: str
    values: dict[str, Any]
    consent_date: date | None


@dataclass
class PersonToRegister:
    """A plain `NewPerson`, for callers without a row type of their own (the demo). A
    `registered_at` in the past records when a previous system registered them."""

    external_id: str
    values: dict[str, Any]
    consent_date: date | None = None
    consent_method: str = ConsentMethod.WRITTEN
    registered_at: Any = None


class ChangedPerson(Protocol):
    existing_pk: int | None
    values: dict[str, Any]
    changed: list[str]


@checks_organisation
def register_people_in_bulk(
    *,
    by: Any,
    organisation: Organisation,
    creates: Sequence[NewPerson],
    updates: Sequence[ChangedPerson] = (),
    consent_purpose: str,
    consent_method: str = ConsentMethod.WRITTEN,
    action: str = "person.imported",
    extra: dict[str, Any] | None = None,
) -> list[int]:
    """Registers `creates` with their consent to hold and use their information and applies
    `updates`, in one transaction, with one audit entry per person: the fast path of
    `register_person` for imports. Returns the new people's ids, in order."""
    check_organisation(organisation)
    now = timezone.now()
    user_id = getattr(by, "pk", None)
    # The district comes from the postcode when there is one, else from the file.
    columns = sorted({name for person in creates for name in person.values} - {"postcode_district"})
    with transaction.atomic():
        created = append_rows(
            Person,
            ["external_id", "created_at", "name_key", "phone_key", "postcode_district", *columns],
            [
                (
                    p.external_id,
                    getattr(p, "registered_at", None) or now,
                    searchkeys.name_key(
                        p.values.get("name") or "", p.values.get("preferred_name") or ""
                    ),
                    searchkeys.phone_key(p.values.get("phone") or ""),
                    searchkeys.postcode_district(p.values.get("postcode") or "")
                    or p.values.get("postcode_district")
                    or "",
                    *(p.values.get(name) for name in columns),
                )
                for p in creates
            ],
            same={
                "organisation_id": organisation.pk,
                "registered_by_id": user_id,
                "updated_at": now,
            },
        )
        append_rows(
            Consent,
            ["person_id", "given_on", "method", "recorded_at"],
            [
                (
                    pk,
                    p.consent_date or now.date(),
                    getattr(p, "consent_method", None) or consent_method,
                    getattr(p, "registered_at", None) or now,
                )
                for pk, p in zip(created, creates, strict=True)
            ],
            same={
                "kind": ConsentKind.PROCESSING,
                "purpose": consent_purpose,
                "recorded_by_id": user_id,
            },
            return_ids=False,
        )
        changed = sorted({name for planned in updates for name in planned.changed})
        if updates:
            rows = [Person(pk=p.existing_pk, updated_at=now, **p.values) for p in updates]
            Person.objects.bulk_update(rows, [*changed, "updated_at"], batch_size=BULK_BATCH_SIZE)
            if {"name", "preferred_name", "phone"} & set(changed):
                _refresh_search_keys([p.existing_pk for p in updates])
        # One detail object for every created person, so it is checked and written out once.
        created_extra = {**(extra or {}), "change": "created"}
        record_many(
            actor=by,
            action=action,
            object_type="people.person",
            entries=[(organisation.pk, pk, pk, created_extra) for pk in created]
            + [
                (
                    organisation.pk,
                    p.existing_pk,
                    p.existing_pk,
                    {**(extra or {}), "change": "updated", "fields": p.changed},
                )
                for p in updates
            ],
        )
    return created
