"""Demand against capacity, theme by theme: the open goals of people's plans (draft or
agreed, not closed) that a theme works on, beside the places a month the directory's services
of that theme offer while taking referrals, with the gaps named in words.

Read in the aggregate-only scope: counts of goals, never whose. A goal counts under every
theme that works on its domain, so the themes' counts overlap and are not added up; counts
of goals are suppressed like any count of people outside the organisation that owns them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from pathmark.directory.catalogue import themes
from pathmark.directory.models import Service, ServiceStatus
from pathmark.organisations.scoping import aggregate_scope
from pathmark.people.models import Person
from pathmark.plans.models import Goal, PlanStatus

from .suppression import CountTable, suppress

GOALS = "goals"


@dataclass(frozen=True)
class ThemeDemand:
    slug: str
    title: str
    goals: int | None
    """Open goals the theme works on; None where the count is hidden."""
    services: int
    """Services of the theme taking referrals now."""
    places: int | None
    """Their places a month, where they say; None when none of them says."""
    without_places: int
    """Of those services, how many give no number of places."""


def theme_demand(
    *, organisation_id: int | None, minimum: int, suppressing: bool
) -> list[ThemeDemand]:
    """Per theme of the partnership's taxonomy: open goals (of one organisation's people, or
    of everyone's) against the directory's capacity."""
    catalogue = themes()
    with aggregate_scope("reports: demand for services against their capacity"):
        goals = Goal.objects.filter(plan__status__in=[PlanStatus.DRAFT, PlanStatus.AGREED]).exclude(
            plan__person__status=Person.Status.RESTRICTED
        )
        if organisation_id is not None:
            goals = goals.filter(plan__person__organisation_id=organisation_id)
        by_domain = {
            (row["instrument_slug"], row["domain_id"]): row["n"]
            for row in goals.values("instrument_slug", "domain_id").annotate(n=Count("id"))
        }
    demand: Counter[str] = Counter()
    for theme in catalogue.themes:
        demand[theme.slug] = sum(
            count
            for (instrument, domain), count in by_domain.items()
            if theme.works_on(instrument, domain)
        )
    table = CountTable.of(
        {(theme.slug, GOALS): demand[theme.slug] for theme in catalogue.themes},
        rows=[theme.slug for theme in catalogue.themes],
        columns=[GOALS],
    )
    shown = suppress(table, minimum=minimum) if suppressing else None
    open_services = Service.objects.filter(status=ServiceStatus.ACTIVE, taking_referrals=True)
    capacity = {
        row["themes__code"]: row
        for row in open_services.values("themes__code").annotate(
            services=Count("id", distinct=True),
            places=Sum("places_per_month"),
            without=Count("id", distinct=True, filter=Q(places_per_month__isnull=True)),
        )
    }
    language = get_language() or "en"
    found = []
    for theme in catalogue.themes:
        row = capacity.get(theme.slug, {})
        found.append(
            ThemeDemand(
                slug=theme.slug,
                title=theme.title_in(language),
                goals=shown.shown(theme.slug, GOALS) if shown else table.value((theme.slug, GOALS)),
                services=row.get("services", 0),
                places=row.get("places"),
                without_places=row.get("without", 0),
            )
        )
    return found


def gap_in_words(row: ThemeDemand) -> str:
    """The gap between demand and capacity for one theme, as a sentence."""
    if row.goals is None:
        return _("Too few open goals to show outside the organisation that holds them.")
    figures = {"goals": row.goals, "places": row.places, "services": row.services}
    if row.services == 0:
        if row.goals:
            return _("Open goals: %(goals)s. No service in the directory is taking referrals.") % (
                figures
            )
        return _("No open goals and no service taking referrals.")
    if row.places is None:
        return (
            _(
                "Open goals: %(goals)s. Services taking referrals: %(services)s, none saying how "
                "many places."
            )
            % figures
        )
    if row.goals > row.places:
        return _(
            "Open goals: %(goals)s; places a month: %(places)s. Demand is %(over)s more than a "
            "month's places."
        ) % {**figures, "over": row.goals - row.places}
    return _("Open goals: %(goals)s; places a month: %(places)s. Within a month's places.") % (
        figures
    )
