"""Reading people. Every query goes through the scoped manager, and reads of a record are
audited here so that no view can show a person without leaving a trace."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet, Value

from pathmark.audit.services import record
from pathmark.core.references import REFERENCE_PATTERN

from . import access, searchkeys
from .models import Consent, ConsentKind, DuplicateFlag, Person


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
    phone = searchkeys.phone_key(query) if PHONE_QUERY.match(query) else ""
    if query.isdigit() and len(query) <= 9:
        # A bare number is a reference written without its "P-" ("000301"), or a phone.
        condition = Q(pk=int(query))
        if len(phone) >= 6:
            condition |= Q(phone_key__endswith=phone)
        return people.filter(condition)
    if len(phone) >= 6:
        return people.filter(phone_key__endswith=phone)
    return _by_name(people, query)


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


def open_duplicate_flags(person: Person) -> QuerySet[DuplicateFlag]:
    """The person's unresolved possible duplicates whose candidate the current scope may still
    see: a flag raised while another organisation's record was shared must not show that
    record once the sharing ends (`access.visible_related`)."""
    flags = DuplicateFlag.objects.filter(person=person, resolved=False)
    return access.visible_related(flags, "candidate").select_related("candidate")


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
