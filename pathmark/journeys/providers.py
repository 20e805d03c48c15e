"""The journeys app's personal data for subject access and erasure (see
`pathmark.privacy.registry`): the stored trends, figures about the person derived from their
assessments. Registered in `JourneysConfig.ready()`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pathmark.people.models import Person
from pathmark.privacy.registry import Provider, Row, register

from .models import DIRECTION_CHOICES, JourneyTrend, LifeEvent, LifeEventKind
from .services import erase_life_events, erase_trends


def export_trends(person: Person) -> list[Row]:
    """One row per area of each questionnaire, as the caseload page counts them."""
    return [
        {
            "instrument": slug,
            "area": key,
            "integratedness_per_year": rate,
            "direction": direction,
            "fall": fall,
            "progress_per_year": progress,
            "host_shift_per_year": host_shift,
            "computed_at": computed_at.isoformat(),
        }
        for slug, computed_at, series in JourneyTrend.objects.filter(person_id=person.pk)
        .order_by("instrument", "pk")
        .values_list("instrument", "computed_at", "series")
        for key, rate, direction, fall, progress, host_shift in series
    ]


def export_life_events(person: Person) -> list[Row]:
    return [
        {
            "occurred_on": event.occurred_on.isoformat(),
            "kind": event.kind,
            "note": event.note,
            "recorded_at": event.recorded_at.isoformat(),
        }
        for event in LifeEvent.objects.filter(person_id=person.pk).order_by("occurred_on", "pk")
    ]


def register_trends() -> None:
    register(
        Provider(
            key="journeys.life_events",
            title=_("Life events on the journey"),
            export=export_life_events,
            erase=erase_life_events,
            tabular=True,
            labels={
                "occurred_on": _("Date"),
                "kind": _("What happened"),
                "note": _("In a few words"),
                "recorded_at": _("Recorded"),
            },
            choices={"kind": dict(LifeEventKind.choices)},
        )
    )
    register(
        Provider(
            key="journeys.trends",
            title=_("Journey trends"),
            export=export_trends,
            erase=erase_trends,
            tabular=True,
            labels={
                "instrument": _("Questionnaire code"),
                "area": _("Area"),
                "integratedness_per_year": _("Change against the host norm (points a year)"),
                "direction": _("Direction"),
                "fall": _("Fall between the last two assessments"),
                "progress_per_year": _("Own change (points a year)"),
                "host_shift_per_year": _("Change of the host norm (points a year)"),
                "computed_at": _("Worked out"),
            },
            choices={"direction": dict(DIRECTION_CHOICES)},
        )
    )
