"""Reads for data-subject rights and retention: which people have passed their organisation's
retention period. Queries go through the scoped managers, so callers enter a scope."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from pathmark.organisations.models import Organisation
from pathmark.people.models import Consent, Person

from .hooks import recent_contact


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def retention_cutoff(organisation: Organisation, *, today: date) -> date:
    """People whose last contact is before this date have passed the retention period."""
    return years_before(today, organisation.retention_years)


def expired_people(*, organisation: Organisation, today: date) -> QuerySet[Person]:
    """The organisation's people (not yet erased) whose last contact is before the cutoff.

    Last contact is the latest of: `last_contact_at` (apps that see the person bump it),
    their latest assessment, their latest consent, and their registration. Written as "no
    contact on or after the cutoff" rather than as a maximum, so each part can use an index
    and a missing value simply does not count.
    """
    cutoff = retention_cutoff(organisation, today=today)
    cutoff_at = timezone.make_aware(datetime.combine(cutoff, time.min))
    recent_consent = Consent.objects.filter(person=OuterRef("pk"), given_on__gte=cutoff)
    people = (
        Person.objects.filter(organisation=organisation, created_at__lt=cutoff_at)
        .exclude(status=Person.Status.ERASED)
        .filter(Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=cutoff_at))
        .exclude(Exists(recent_consent))
    )
    # The apps above (assessments, plans, referrals) say what counts as contact in them.
    for recent in recent_contact(cutoff=cutoff):
        if recent is not None:
            people = people.exclude(Exists(recent))
    return people.order_by("pk")


def people_past_retention(organisation: Organisation, *, years: int, today: date) -> int:
    """How many of the organisation's clients the nightly sweep would erase if the retention
    period were `years` (restricted records are held, so not counted). Runs in the caller's
    organisation scope."""
    # An unsaved copy with the proposed period, so the sweep's own rule decides.
    proposed = Organisation(pk=organisation.pk, retention_years=years)
    return (
        expired_people(organisation=proposed, today=today)
        .filter(status=Person.Status.ACTIVE)
        .count()
    )
