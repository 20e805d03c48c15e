"""Reading people. Every query goes through the scoped manager, and reads of a record are
audited here so that no view can show a person without leaving a trace."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.db.models import Q, QuerySet

from pathmark.audit.services import record
from pathmark.core.references import REFERENCE_PATTERN

from .models import Consent, ConsentKind, Person


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


def search_people(*, query: str = "") -> QuerySet[Person]:
    """People the current scope may see, optionally matching a name, reference (with or
    without "P-"), date of birth, phone or e-mail."""
    people = Person.objects.exclude(status=Person.Status.ERASED)
    query = query.strip()
    if not query:
        return people
    reference = REFERENCE_PATTERN.match(query)
    if reference:
        return people.filter(pk=int(reference.group(1)))
    if "@" in query and " " not in query:
        return people.filter(email__iexact=query)
    born = _date_of_birth(query)
    if born is not None:
        return people.filter(date_of_birth=born)
    if query.isdigit() and len(query) <= 9:
        # A bare number is a reference written without its "P-" ("000301"), or part of a phone.
        condition = Q(pk=int(query))
        if len(query) >= 6:
            condition |= Q(phone__contains=query[-6:])
        return people.filter(condition)
    condition = Q()
    for word in query.split()[:5]:
        condition &= Q(name__icontains=word) | Q(preferred_name__icontains=word)
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 6:
        condition |= Q(phone__contains=digits[-6:])
    return people.filter(condition)


def list_people(*, actor, organisation, query: str = "") -> QuerySet[Person]:  # type: ignore[no-untyped-def]
    record(
        actor=actor,
        organisation=organisation,
        action="person.listed",
        extra={"searched": bool(query.strip())},
    )
    return search_people(query=query).select_related("organisation", "immigration_status")


def person_for(*, actor, organisation, person_id: int, action: str = "person.viewed") -> Person:  # type: ignore[no-untyped-def]
    """The person if the current scope may see them; `Person.DoesNotExist` otherwise, whether
    the record is missing or belongs elsewhere (the caller answers 404 for both)."""
    person = (
        Person.objects.exclude(status=Person.Status.ERASED)
        .select_related("organisation", "immigration_status", "household")
        .get(pk=person_id)
    )
    record(actor=actor, organisation=organisation, action=action, target=person)
    return person


def consents_of(person: Person) -> QuerySet[Consent]:
    return Consent.objects.filter(person=person).select_related("shared_with", "recorded_by")


def organisations_sharing_with(person: Person) -> list[int]:
    return list(
        Consent.objects.filter(
            person=person, kind=ConsentKind.SHARE, withdrawn_at__isnull=True
        ).values_list("shared_with_id", flat=True)
    )


def possible_duplicates(
    *,
    name: str,
    date_of_birth: date | None,
    phone: str = "",
    email: str = "",
    exclude_id: int | None = None,
) -> list[tuple[Person, str]]:
    """People in scope who may be the same person, with the reason each matched."""
    found: dict[int, tuple[Person, str]] = {}
    wanted = normalise_name(name)
    people = Person.objects.exclude(status=Person.Status.ERASED)
    if exclude_id is not None:
        people = people.exclude(pk=exclude_id)
    if date_of_birth is not None:
        for person in people.filter(date_of_birth=date_of_birth):
            if normalise_name(person.name) == wanted or (
                person.preferred_name and normalise_name(person.preferred_name) == wanted
            ):
                found[person.pk] = (person, "same name and date of birth")
    elif wanted:
        first_word = wanted.split()[0]
        for person in people.filter(name__icontains=first_word)[:200]:
            if normalise_name(person.name) == wanted:
                found.setdefault(person.pk, (person, "same name"))
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 7:
        for person in people.filter(phone__endswith=digits[-7:])[:20]:
            found.setdefault(person.pk, (person, "same phone number"))
    if email:
        for person in people.filter(email__iexact=email.strip())[:20]:
            found.setdefault(person.pk, (person, "same e-mail address"))
    return list(found.values())


def recently_registered(*, organisation, limit: int = 8) -> list[Person]:  # type: ignore[no-untyped-def]
    """The organisation's newest registrations, for the start page (the caller audits)."""
    return list(
        Person.objects.filter(organisation=organisation)
        .exclude(status=Person.Status.ERASED)
        .order_by("-created_at", "-pk")[:limit]
    )
