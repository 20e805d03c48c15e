"""Reading people. Every query goes through the scoped manager, and reads of a record are
audited here so that no view can show a person without leaving a trace."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet, Value

from pathmark.audit.services import record, record_shown
from pathmark.core.references import REFERENCE_PATTERN
from pathmark.organisations.scoping import prepared

from . import searchkeys
from .models import Consent, ConsentKind, DuplicateFlag, Person, reason_labels

# Records no longer anyone's: erased, or merged into another (a tombstone that redirects).
GONE = (Person.Status.ERASED, Person.Status.MERGED)


def normalise_name(name: str) -> str:
    """Case-, accent- and spacing-insensitive form of a name, for matching duplicates."""
    decomposed = unicodedata.normalize("NFKD", name)
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(without_marks.casefold().split())


DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4})$"),
)


def _date_of_birth(query: str) -> date | None:
    """A date typed as 1990-04-12 or 12/04/1990 (day first, as written in the UK)."""
    for pattern in DATE_PATTERNS:
        match = pattern.match(query)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None


PHONE_QUERY = re.compile(r"^\+?[\d\s().-]+$")
CANDIDATES = 2000


def _name_candidates(query_terms: list[searchkeys.Term]) -> Q:
    """A condition that narrows the people to those who may match, in the database's own
    terms: on PostgreSQL, pg_trgm's word similarity (`%>`, from the trigram index) or a
    substring; on SQLite, a shared trigram of each word. `searchkeys.score` then decides."""
    condition = Q()
    for term in query_terms:
        alternatives = Q()
        for form in (*term.forms, *([term.skeleton] if len(term.skeleton) >= 3 else [])):
            if connection.vendor == "postgresql":
                from django.contrib.postgres.lookups import TrigramWordSimilar

                alternatives |= Q(TrigramWordSimilar(F("name_key"), Value(form)))
                alternatives |= Q(name_key__contains=form)
            else:
                for trigram in sorted(searchkeys.trigrams(form)):
                    if trigram.strip() and " " not in trigram:
                        alternatives |= Q(name_key__contains=trigram)
                alternatives |= Q(name_key__contains=form)
        condition &= alternatives
    return condition


def _by_name(people: QuerySet[Person], query: str) -> QuerySet[Person]:
    query_terms = searchkeys.terms(query)
    if not query_terms:
        return people.none()
    candidates = people.filter(_name_candidates(query_terms)).values_list("pk", "name_key")[
        :CANDIDATES
    ]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # pg_trgm's `%>` at the threshold `searchkeys` ranks by, for this transaction only.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                    [str(searchkeys.SIMILARITY_THRESHOLD)],
                )
        found = [pk for pk, key in candidates if searchkeys.matches(query_terms, key)]
    return people.filter(pk__in=found)


def search_people(*, query: str = "") -> QuerySet[Person]:
    """People the current scope may see, optionally matching a reference (with or without
    "P-"), e-mail, date of birth, phone number (however it was written), or a name (case,
    accents, Arabic or Latin script and a typo forgiven; see `searchkeys`)."""
    people = Person.objects.exclude(status__in=GONE)
    query = query.strip()
    if not query:
        return people
    reference = REFERENCE_PATTERN.match(query)
    if reference:
        wanted = int(reference.group(1))
        return people.filter(pk=merged_into(wanted) or wanted)
    if "@" in query and " " not in query:
        return people.filter(email__iexact=query)
    born = _date_of_birth(query)
    if born is not None:
        return people.filter(date_of_birth=born)
    phone = searchkeys.phone_key(query) if PHONE_QUERY.match(query) else ""
    if query.isdigit() and len(query) <= 9:
        # A bare number is a reference written without its "P-" ("000301"), or a phone.
        condition = Q(pk=merged_into(int(query)) or int(query))
        if len(phone) >= 6:
            condition |= Q(phone_key__endswith=phone)
        return people.filter(condition)
    if len(phone) >= 6:
        return people.filter(phone_key__endswith=phone)
    return _by_name(people, query)


def merged_into(person_id: int) -> int | None:
    """The record kept when `person_id` was merged into it, if the scope may see that
    tombstone; so an old reference, link or bookmark still leads to the person."""
    return (
        Person.objects.filter(pk=person_id, status=Person.Status.MERGED)
        .values_list("merged_into_id", flat=True)
        .first()
    )


def merged_ids(person: Person) -> list[int]:
    """The ids of the records merged into `person` (their audit history is now theirs)."""
    return list(Person.objects.filter(merged_into_id=person.pk).values_list("pk", flat=True))


def list_people(*, query: str = "") -> QuerySet[Person]:
    """The people a list or search shows; the page audits the ones it shows (`record_listed`)."""
    return search_people(query=query).select_related("organisation", "immigration_status")


def record_listed(*, actor, organisation, people: Iterable[Person], **extra) -> None:  # type: ignore[no-untyped-def]
    """Audits a page of people (a list, a search result, the start page) naming each one it
    showed, so that their subject access copy says who saw them in a list."""
    record_shown(
        actor=actor,
        organisation=organisation,
        action="person.listed",
        people=[person.pk for person in people],
        extra=extra,
    )


def person_for(*, actor, organisation, person_id: int, action: str = "person.viewed") -> Person:  # type: ignore[no-untyped-def]
    """The person if the current scope may see them; `Person.DoesNotExist` otherwise, whether
    the record is missing or belongs elsewhere (the caller answers 404 for both)."""
    found = _person_by_id(person_id)
    if not found:
        raise Person.DoesNotExist(f"No person {person_id} in this scope.")
    person: Person = found[0]
    record(actor=actor, organisation=organisation, action=action, target=person)
    return person


@prepared
def _person_by_id(person_id: int) -> QuerySet[Person]:
    return (
        Person.objects.exclude(status__in=GONE)
        .select_related("organisation", "immigration_status", "household")
        .filter(pk=person_id)
        .order_by()[:1]
    )


def consents_of(person: Person) -> list[Consent]:
    return _consents_of(person.pk)


@prepared
def _consents_of(person_id: int) -> QuerySet[Consent]:
    return Consent.objects.filter(person_id=person_id).select_related("shared_with", "recorded_by")


def organisations_sharing_with(person: Person) -> list[int]:
    return list(
        Consent.objects.filter(
            person=person, kind=ConsentKind.SHARE, withdrawn_at__isnull=True
        ).values_list("shared_with_id", flat=True)
    )


# Why a record may be the same person; stored on the flag, shown through `DUPLICATE_REASONS`.
SAME_NAME_AND_BIRTH = "same name and date of birth"
SIMILAR_NAME_AND_BIRTH = "similar name and same date of birth"
SAME_NAME = "same name"
SAME_PHONE = "same phone number"
SAME_EMAIL = "same e-mail address"


@dataclass
class PossibleDuplicate:
    person: Person
    reasons: list[str]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    @property
    def reason_labels(self) -> list[str]:
        return reason_labels(self.reason)

    @property
    def other(self) -> Person:
        """The record that may be the same person (as `OpenDuplicate.other`)."""
        return self.person


def decided_not_duplicates(person_id: int) -> set[int]:
    """The people a caseworker said are not the same person as `person_id` (either way)."""
    pairs = DuplicateFlag.objects.filter(
        Q(person_id=person_id) | Q(candidate_id=person_id),
        outcome=DuplicateFlag.Outcome.DISTINCT,
    ).values_list("person_id", "candidate_id")
    return {other for pair in pairs for other in pair if other != person_id}


def possible_duplicates(
    *,
    name: str,
    date_of_birth: date | None,
    phone: str = "",
    email: str = "",
    exclude_id: int | None = None,
) -> list[PossibleDuplicate]:
    """People in scope who may be the same person, with the reasons each matched: the same
    or a similar name (a typo, accents, the other script) with the same date of birth, the
    same name when no date is known, the same phone number (however written) or e-mail.
    People already decided to be someone else are left out."""
    found: dict[int, PossibleDuplicate] = {}

    def note(person: Person, reason: str) -> None:
        found.setdefault(person.pk, PossibleDuplicate(person, [])).reasons.append(reason)

    wanted = normalise_name(name)
    people = Person.objects.exclude(status__in=GONE).select_related("organisation")
    if exclude_id is not None:
        people = people.exclude(pk__in={exclude_id, *decided_not_duplicates(exclude_id)})
    if date_of_birth is not None:
        query_terms = searchkeys.terms(name)
        for person in people.filter(date_of_birth=date_of_birth)[:500]:
            if wanted and wanted in (
                normalise_name(person.name),
                normalise_name(person.preferred_name),
            ):
                note(person, SAME_NAME_AND_BIRTH)
            elif searchkeys.matches(query_terms, person.name_key):
                note(person, SIMILAR_NAME_AND_BIRTH)
    elif wanted:
        first_word = wanted.split()[0]
        for person in people.filter(name__icontains=first_word)[:200]:
            if normalise_name(person.name) == wanted:
                note(person, SAME_NAME)
    phone_digits = searchkeys.phone_key(phone)
    if len(phone_digits) >= 7:
        for person in people.filter(phone_key=phone_digits)[:20]:
            note(person, SAME_PHONE)
    if email.strip():
        for person in people.filter(email__iexact=email.strip())[:20]:
            note(person, SAME_EMAIL)
    return list(found.values())


def check_for_duplicates(*, actor, organisation, values: dict) -> list[PossibleDuplicate]:  # type: ignore[no-untyped-def,type-arg]
    """Before a registration is saved: the people in scope who may be the same person, to
    show the caseworker. Audited, as it shows who they are."""
    found = possible_duplicates(
        name=values.get("name") or "",
        date_of_birth=values.get("date_of_birth"),
        phone=values.get("phone") or "",
        email=values.get("email") or "",
    )
    if found:
        record(
            actor=actor,
            organisation=organisation,
            action="person.duplicates_checked",
            extra={"shown": [duplicate.person.pk for duplicate in found]},
        )
    return found


@dataclass(frozen=True)
class OpenDuplicate:
    flag: DuplicateFlag
    other: Person
    mergeable: bool
    """Both records are the acting organisation's and in use, so they can be merged."""


@prepared
def _open_flags(person_id: int) -> QuerySet[DuplicateFlag]:
    return DuplicateFlag.objects.filter(
        Q(person_id=person_id) | Q(candidate_id=person_id), resolved=False
    )


def open_duplicates(*, person: Person, organisation) -> list[OpenDuplicate]:  # type: ignore[no-untyped-def]
    """The undecided possible duplicates of a person, each with the other record, as far as
    the scope may still see it and it is still in use."""
    flags = _open_flags(person.pk)
    other_ids = {
        flag.candidate_id if flag.person_id == person.pk else flag.person_id for flag in flags
    }
    others = (
        Person.objects.exclude(status__in=GONE).select_related("organisation").in_bulk(other_ids)
    )
    found = []
    for flag in flags:
        other = others.get(flag.candidate_id if flag.person_id == person.pk else flag.person_id)
        if other is None:
            continue
        mergeable = (
            person.status == other.status == Person.Status.ACTIVE
            and person.organisation_id == other.organisation_id == organisation.pk
        )
        found.append(OpenDuplicate(flag=flag, other=other, mergeable=mergeable))
    return found


def recently_registered(*, organisation, limit: int = 8) -> list[Person]:  # type: ignore[no-untyped-def]
    """The organisation's newest registrations, for the start page (the caller audits)."""
    return list(
        Person.objects.filter(organisation=organisation)
        .exclude(status__in=GONE)
        .order_by("-created_at", "-pk")[:limit]
    )


def people_seen(*, person_ids: set[int]) -> set[int]:
    """Which of `person_ids` the current scope sees (for `accounts.hooks.people_still_seen`)."""
    return set(Person.objects.filter(pk__in=person_ids).values_list("pk", flat=True))
