"""`pathmark journey`: print one person's integration journey, the same figures as the page."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from pathmark.audit.services import record
from pathmark.organisations.commands import organisation_for
from pathmark.organisations.scoping import organisation_scope, system_scope
from pathmark.people.models import Person

from ...presentation import rate_words
from ...selectors import journeys_of, life_events_of
from ...trajectory import Journey, Rate, Series


class Command(BaseCommand):
    help = _(
        "Print one person's integration journey: for each questionnaire they completed, the "
        "rate of change (integratedness, points a year) per area and overall, the distance "
        "travelled, the gap to the host norm and when it would close. Name the person by "
        "their Pathmark number (PERSON_ID, as in P-000042 → 42) or by --organisation and "
        "--external-id. The output holds the person's reference, never their name."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "person_id", nargs="?", type=int, metavar="PERSON_ID", help=_("e.g. 42 for P-000042")
        )
        parser.add_argument(
            "--organisation", metavar="SLUG", help=_("the organisation that registered them")
        )
        parser.add_argument(
            "--external-id",
            metavar="ID",
            help=_("their id in a previous system (with --organisation)"),
        )
        parser.add_argument("--json", action="store_true", help=_("print JSON for a machine"))

    def handle(self, *args: Any, **options: Any) -> None:
        person_id, slug, external_id = (
            options["person_id"],
            options["organisation"],
            options["external_id"],
        )
        if (person_id is None) == (external_id is None) or bool(slug) != bool(external_id):
            raise CommandError(
                _("Give either PERSON_ID, or both --organisation SLUG and --external-id ID.")
            )
        if slug:
            organisation = organisation_for(slug)
            scope = organisation_scope(organisation_id=organisation.pk)
        else:
            organisation = None
            scope = system_scope("pathmark journey command: one person's journey")
        with scope:
            try:
                people = Person.objects.exclude(status=Person.Status.ERASED)
                person = (
                    people.get(pk=person_id)
                    if person_id is not None
                    else people.get(organisation=organisation, external_id=external_id)
                )
            except Person.DoesNotExist:
                raise CommandError(_("No such person (or their record was erased).")) from None
            journeys = journeys_of(person)
            events = life_events_of(person)
            record(
                actor=None,
                organisation=organisation or person.organisation,
                action="journey.exported",
                target=person,
                extra={"command": "journey"},
            )
        if options["json"]:
            document = {
                "person": person.reference,
                "person_id": person.pk,
                "journeys": [journey_json(journey) for journey in journeys],
                "life_events": [
                    {"occurred_on": event.occurred_on.isoformat(), "kind": event.kind}
                    for event in events
                ],
            }
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
            return
        self.stdout.write(person.reference)
        if not journeys:
            self.stdout.write(_("No completed assessments yet."))
        for journey in journeys:
            self.stdout.write(f"\n{journey.instrument.title['en']} ({journey.assessments})")
            for series in (journey.overall, *journey.domains):
                latest = f"{series.latest.score:.1f}" if series.latest else "—"
                self.stdout.write(f"  {series.key:<32} {latest:>6}  {rate_words(series)}")


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def rate_json(rate: Rate) -> dict[str, object]:
    return {
        "per_year": _round(rate.per_year, 4),
        "method": rate.method.value,
        "direction": rate.direction.value,
        "fitted_change": _round(rate.fitted_change, 4),
        "no_clear_change_band_per_year": _round(rate.band_per_year, 4),
    }


def series_json(series: Series) -> dict[str, object]:
    """Everything the page shows of one series, and every reading with the host norm in force
    on its date, so that an outside check can recompute each figure."""
    return {
        "integratedness_per_year": _round(series.integratedness_per_year, 4),
        "progress_per_year": _round(series.progress_per_year, 4),
        "host_shift_per_year": _round(series.host_shift_per_year, 4),
        "method": series.method.value,
        "direction": series.direction.value,
        "rates": {
            "integratedness": rate_json(series.integratedness),
            "progress": rate_json(series.progress),
            "host_shift": rate_json(series.host_shift),
        },
        "has_host_norm": series.has_host_norm,
        "distance_travelled": _round(series.distance_travelled),
        "gap": {
            "story": series.gap.story.value,
            "first_gap": _round(series.gap.first_gap),
            "latest_gap": _round(series.gap.latest_gap),
            "share_of_gap_closed": _round(series.share_of_gap_closed, 4),
        },
        "stability": {
            "steadiness": series.stability.steadiness.value,
            "straying": _round(series.stability.straying, 4),
        },
        "projection": {
            "state": series.projection.state.value,
            "years": _round(series.projection.years),
            "reaches_on": series.projection.reaches_on.isoformat()
            if series.projection.reaches_on
            else None,
            "host_norm": series.projection.host_norm,
        },
        "turned_down": series.turned_down,
        "points": [
            {
                "assessed_on": point.assessed_on.isoformat(),
                "score": point.score,
                "stage": point.stage,
                "host_norm": point.host_norm.value if point.host_norm else None,
                "host_norm_valid_from": point.host_norm.valid_from.isoformat()
                if point.host_norm
                else None,
                "relative_to_host_norm": _round(point.relative_to_host_norm, 4),
                "gap_to_host_norm": _round(point.gap_to_host_norm, 4),
                "points_below_host_norm": _round(point.points_below_host_norm, 4),
            }
            for point in series.points
        ],
        "transitions": [
            {
                "assessed_on": transition.assessed_on.isoformat(),
                "from": transition.from_stage,
                "to": transition.to_stage,
            }
            for transition in series.transitions
        ],
        "norm_changes": [norm.valid_from.isoformat() for norm in series.norm_changes],
    }


def journey_json(journey: Journey) -> dict[str, object]:
    return {
        "instrument": journey.instrument.slug,
        "version": journey.instrument.version,
        "assessments": journey.assessments,
        "measurement_error": journey.instrument.measurement_error,
        "turned_down": journey.turned_down,
        "overall": series_json(journey.overall),
        "domains": {series.key: series_json(series) for series in journey.domains},
    }
