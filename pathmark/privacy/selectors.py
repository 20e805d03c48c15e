"""Reads for data-subject rights and retention: which people have passed their organisation's
retention period. Queries go through the scoped managers, so callers enter a scope."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from pathmark.assessments.models import Assessment
from pathmark.organisations.models import Organisation
from pathmark.people.models import Consent, Person


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
    recent_assessment = Assessment.objects.filter(person=OuterRef("pk"), assessed_on__gte=cutoff)
    recent_consent = Consent.objects.filter(person=OuterRef("pk"), given_on__gte=cutoff)
    return (
        Person.objects.filter(organisation=organisation, created_at__lt=cutoff_at)
        .exclude(status=Person.Status.ERASED)
        .filter(Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=cutoff_at))
        .exclude(Exists(recent_assessment))
        .exclude(Exists(recent_consent))
        .order_by("pk")
    )
