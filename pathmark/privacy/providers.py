"""The personal-data providers of the apps that came before the privacy app: the person's
record, consents, household link and duplicate flags (people), and
the audit entries about the person (audit, export only). Registered in `PrivacyConfig.ready()`;
the apps above register their own (see `registry`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathmark.audit.actions import listing_codes
from pathmark.audit.idsets import holds
from pathmark.audit.models import AuditEvent
from pathmark.people import access
from pathmark.people.models import (
    AgeBand,
    Consent,
    ConsentKind,
    ConsentMethod,
    DuplicateFlag,
    Gender,
    Person,
)
from pathmark.people.reference import country_name, language_name
from pathmark.people.selectors import merged_ids

from .registry import LAST, Provider, Row, iso, register
from .tombstones import remember_erased

# Gender categories kept after erasure. The rarer ones (non-binary, described another way)
# could single a person out in a small organisation, so erasure folds them into "not said".
COARSE_GENDERS = frozenset({Gender.WOMAN, Gender.MAN, Gender.NOT_SAID})


# --- The person's own record -----------------------------------------------------------------


def export_record(person: Person) -> list[Row]:
    return [
        {
            "reference": person.reference,
            "external_id": person.external_id,
            "name": person.name,
            "preferred_name": person.preferred_name,
            "date_of_birth": iso(person.date_of_birth),
            "age_band": person.age_band,
            "gender": person.gender,
            "gender_description": person.gender_description,
            "languages": list(person.languages or []),
            "preferred_language": person.preferred_language,
            "country_of_origin": person.country_of_origin,
            "date_of_arrival": iso(person.date_of_arrival),
            "immigration_status": person.immigration_status.label
            if person.immigration_status_id
            else "",
            "household_role": person.household_role,
            "phone": person.phone,
            "email": person.email,
            "address": person.address,
            "postcode": person.postcode,
            "qualification_level": person.get_qualification_level_display(),
            "qualification_subject": person.qualification_subject,
            "profession_sector": person.get_profession_sector_display(),
            "profession_recognition": person.get_profession_recognition_display(),
            "work_status": person.get_work_status_display(),
            "work_sector": person.get_work_sector_display(),
            "status": person.status,
            "organisation": person.organisation.name,
            "registered_on": iso(person.created_at),
            "last_contact_at": iso(person.last_contact_at),
            "restricted_at": iso(person.restricted_at),
        }
    ]


def erase_record(person: Person, *, by: Any) -> int:
    """Blanks every identifying field of the person's row and marks it erased.

    The row itself stays so that the scores of their assessments still count in aggregate
    reports (by organisation and period). Kept, as coarse aggregates only:
    - `age_band` (five bands) and `gender` folded to woman / man / not said: the brief's
      cohort reports ("women and girls", "18-30") need them, and each band holds many people.
    - the organisation and the date of registration, which every aggregate is cut by.
    Cleared, because together with the above they could point at one person in a city:
    country of origin, languages, immigration status, dates of birth and arrival, household,
    every contact detail (the postcode's district with it), qualifications, profession and
    work, and all free text.
    """
    remember_erased(person.organisation_id, person.external_id)
    person.external_id = ""
    person.name = ""
    person.preferred_name = ""
    person.date_of_birth = None
    if person.gender not in COARSE_GENDERS:
        person.gender = Gender.NOT_SAID
    person.gender_description = ""
    person.languages = []
    person.preferred_language = ""
    person.country_of_origin = ""
    person.date_of_arrival = None
    person.immigration_status = None
    person.household = None
    person.household_role = ""
    person.phone = ""
    person.email = ""
    person.address = ""
    person.postcode = ""
    person.postcode_district = ""
    person.qualification_level = ""
    person.qualification_subject = ""
    person.profession_sector = ""
    person.profession_recognition = ""
    person.work_status = ""
    person.work_sector = ""
    person.last_contact_at = None
    person.restricted_at = None
    person.status = Person.Status.ERASED
    person.erased_at = timezone.now()
    person.save()
    return 1


# --- Consents ------------------------------------------------------------------------------


def export_consents(person: Person) -> list[Row]:
    consents = Consent.objects.filter(person_id=person.pk).select_related("shared_with")
    return [
        {
            "kind": consent.kind,
            "shared_with": consent.shared_with.name if consent.shared_with_id else "",
            "purpose": consent.purpose,
            "method": consent.method,
            "given_on": iso(consent.given_on),
            "recorded_at": iso(consent.recorded_at),
            "withdrawn_at": iso(consent.withdrawn_at),
        }
        for consent in consents.order_by("given_on", "pk")
    ]


def erase_consents(person: Person, *, by: Any) -> int:
    """Closes every consent (so sharing stops) and removes what was agreed, which is free text;
    the kinds and dates stay as the record that consent was once given."""
    now = timezone.now()
    consents = Consent.objects.filter(person_id=person.pk)
    consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=now, withdrawn_by=None)
    return consents.update(purpose="")


# --- Household link ------------------------------------------------------------------------


def export_household(person: Person) -> list[Row]:
    # Only the link itself: the other members are other people.
    if person.household_id is None:
        return []
    return [{"household": f"H-{person.household_id:06d}", "role": person.household_role}]


def erase_household(person: Person, *, by: Any) -> int:
    if person.household_id is None:
        return 0
    return Person.objects.filter(pk=person.pk).update(household=None, household_role="")


# --- Duplicate flags -----------------------------------------------------------------------


def export_duplicate_flags(person: Person) -> list[Row]:
    # The candidate is another person, so only the fact of the flag is theirs to see.
    flags = DuplicateFlag.objects.filter(person_id=person.pk).order_by("created_at", "pk")
    return [
        {"reason": flag.reason, "resolved": flag.resolved, "flagged_at": iso(flag.created_at)}
        for flag in flags
    ]


def erase_duplicate_flags(person: Person, *, by: Any) -> int:
    deleted, _by_model = DuplicateFlag.objects.filter(
        Q(person_id=person.pk) | Q(candidate_id=person.pk)
    ).delete()
    return deleted


# --- Assessments ---------------------------------------------------------------------------


# --- Audit entries (export only) -----------------------------------------------------------


def export_audit(person: Person) -> list[Row]:
    """Who acted on the person's record, when, and what kind of action: their right to know
    who has seen their data. That includes the lists, searches and caseloads that showed
    them among others (entries naming them under `shown`, in the logs of the organisations
    that could ever see them). The details column is left out, since it can name other ids.
    The history of records merged into this one is theirs too."""
    events = list(
        AuditEvent.objects.filter(person_id__in=[person.pk, *merged_ids(person)])
        .select_related("organisation")
        .order_by("at", "pk")
    )
    events += _lists_that_showed(person)
    events.sort(key=lambda event: (event.at, event.pk))
    return [
        {
            "at": iso(event.at),
            "action": event.action,
            "by": event.actor_username,
            "organisation": event.organisation.name if event.organisation_id else "",
        }
        for event in events
    ]


def _lists_that_showed(person: Person) -> list[AuditEvent]:
    """The list pages whose entry names the person (`audit.idsets`). Only the organisations
    that held a grant for them can have shown them, so only their logs are read, from the
    first grant on."""
    grants = access.grants_for(person.pk)
    if not grants:
        return []
    organisations = {grant.organisation_id for grant in grants}
    candidates = (
        AuditEvent.objects.filter(
            action__in=listing_codes(),
            organisation_id__in=organisations,
            person_id__isnull=True,
        )
        .select_related("organisation")
        .order_by("at", "pk")
    )
    return [
        event
        for event in candidates.iterator(chunk_size=2000)
        if isinstance(event.extra.get("shown"), str) and holds(event.extra["shown"], person.pk)
    ]


# --- Registration --------------------------------------------------------------------------


def register_all() -> None:
    register(
        Provider(
            key="people.record",
            export_order=10,
            title=_("Personal details"),
            export=export_record,
            erase=erase_record,
            erase_order=LAST,
            labels={
                "reference": _("Reference"),
                "external_id": _("Id in a previous system"),
                "name": _("Name or pseudonym"),
                "preferred_name": _("Preferred name"),
                "date_of_birth": _("Date of birth"),
                "age_band": _("Age band"),
                "gender": _("Gender"),
                "gender_description": _("Gender, in their words"),
                "languages": _("Languages spoken"),
                "preferred_language": _("Preferred language"),
                "country_of_origin": _("Country of origin"),
                "date_of_arrival": _("Date of arrival in the UK"),
                "immigration_status": _("Immigration status"),
                "household_role": _("Role in household"),
                "phone": _("Phone"),
                "email": _("E-mail"),
                "address": _("Address"),
                "postcode": _("Postcode"),
                "qualification_level": _("Highest qualification"),
                "qualification_subject": _("Subject of that qualification"),
                "profession_sector": _("Profession before arriving"),
                "profession_recognition": _("Recognition of that profession in the UK"),
                "work_status": _("Work now"),
                "work_sector": _("Sector of their work now"),
                "status": _("Status"),
                "organisation": _("Registered by"),
                "registered_on": _("Registered on"),
                "last_contact_at": _("Last contact"),
                "restricted_at": _("Processing restricted since"),
            },
            choices={
                "age_band": dict(AgeBand.choices),
                "gender": dict(Gender.choices),
                "status": dict(Person.Status.choices),
                "languages": language_name,
                "preferred_language": language_name,
                "country_of_origin": country_name,
            },
        )
    )
    register(
        Provider(
            key="people.consents",
            export_order=20,
            title=_("Consents"),
            export=export_consents,
            erase=erase_consents,
            tabular=True,
            labels={
                "kind": _("Consent to"),
                "shared_with": _("Shared with"),
                "purpose": _("What was agreed"),
                "method": _("How it was given"),
                "given_on": _("Date given"),
                "recorded_at": _("Recorded"),
                "withdrawn_at": _("Withdrawn"),
            },
            choices={"kind": dict(ConsentKind.choices), "method": dict(ConsentMethod.choices)},
        )
    )
    register(
        Provider(
            key="people.household",
            export_order=30,
            title=_("Household"),
            export=export_household,
            erase=erase_household,
            labels={"household": _("Household"), "role": _("Role in household")},
        )
    )
    register(
        Provider(
            key="people.duplicate_flags",
            export_order=40,
            title=_("Possible duplicate records"),
            export=export_duplicate_flags,
            erase=erase_duplicate_flags,
            tabular=True,
            labels={
                "reason": _("Why it was flagged"),
                "resolved": _("Resolved"),
                "flagged_at": _("Flagged"),
            },
        )
    )
    register(
        Provider(
            key="audit.entries",
            export_order=LAST,
            title=_("Who has acted on this record"),
            export=export_audit,
            tabular=True,
            labels={
                "at": _("When"),
                "action": _("What was done"),
                "by": _("By user"),
                "organisation": _("Organisation"),
            },
        )
    )
