"""Reading the evidence bank, which every member of the partnership may do: it describes
work, not people. Pathmark's own outcome figures for an intervention that is a directory
service come from the reports app, suppressed as every report is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet

from pathmark.organisations.scoping import aggregate_scope
from pathmark.referrals.models import Referral
from pathmark.reports.referral_selectors import funnel_report, what_works_report
from pathmark.reports.selectors import Filters, Report, Viewer

from . import shortlist
from .models import EvidenceItem, Funding, Intervention

DEFAULT_CRITERIA = Path(__file__).resolve().parent / "data" / "case-study-criteria.yaml"


@dataclass(frozen=True)
class Search:
    text: str = ""
    theme: str = ""
    intervention_type: str = ""
    place_characteristic: str = ""
    organisation_id: int | None = None


def interventions(search: Search | None = None) -> QuerySet[Intervention]:
    found = Intervention.objects.select_related("organisation", "service").annotate(
        evidence_count=Count("evidence", distinct=True)
    )
    if search is None:
        return found
    if search.text:
        found = found.filter(
            Q(title__icontains=search.text)
            | Q(description__icontains=search.text)
            | Q(place__icontains=search.text)
            | Q(reaches__icontains=search.text)
        )
    if search.intervention_type:
        found = found.filter(intervention_type=search.intervention_type)
    if search.organisation_id is not None:
        found = found.filter(organisation_id=search.organisation_id)
    # JSON lists: filtered in Python, the same on SQLite and PostgreSQL (the bank is small).
    if search.theme or search.place_characteristic:
        keep = [
            i.pk
            for i in found
            if (not search.theme or search.theme in i.themes)
            and (
                not search.place_characteristic
                or search.place_characteristic in i.place_characteristics
            )
        ]
        found = found.filter(pk__in=keep)
    return found


def intervention(pk: int) -> Intervention:
    """One intervention with its funding and evidence; `Intervention.DoesNotExist` if none."""
    return (
        Intervention.objects.select_related("organisation", "service")
        .prefetch_related(
            Prefetch("funding", queryset=Funding.objects.order_by("starts_on", "pk")),
            Prefetch(
                "evidence",
                queryset=EvidenceItem.objects.select_related("added_by").order_by("added_at", "pk"),
            ),
        )
        .get(pk=pk)
    )


def evidence_item(pk: int) -> EvidenceItem:
    return EvidenceItem.objects.select_related("intervention").get(pk=pk)


def outcome_figures(item: Intervention, *, viewer: Viewer) -> list[Report]:
    """For an intervention that is a directory service: its referral funnel and what works,
    as the reports show them to this viewer (small numbers hidden outside the organisation
    that owns the people)."""
    if item.service_id is None:
        return []
    filters = Filters(service=item.service_id)
    return [
        funnel_report(viewer=viewer, filters=filters, audit=False),
        what_works_report(viewer=viewer, filters=filters, audit=False),
    ]


@cache
def _criteria_from(path: str, mtime: float) -> tuple[shortlist.Criterion, ...]:
    return shortlist.parse_criteria(Path(path).read_text(encoding="utf-8"), source=path)


def criteria() -> tuple[shortlist.Criterion, ...]:
    """The case-study criteria: PATHMARK_CASE_STUDY_CRITERIA, or the file shipped."""
    path = Path(getattr(settings, "PATHMARK_CASE_STUDY_CRITERIA", "") or DEFAULT_CRITERIA)
    return _criteria_from(str(path), path.stat().st_mtime)


def months_funded(funding: list[Funding], today: date) -> int:
    days = 0
    for row in funding:
        end = min(row.ends_on or today, today)
        days += max((end - row.starts_on).days, 0)
    return days // 30


def facts_of(item: Intervention, *, today: date, has_outcome_figures: bool) -> shortlist.Facts:
    return shortlist.Facts(
        id=item.pk,
        title=item.title,
        evidence_items=len(item.evidence.all()),
        has_outcome_figures=has_outcome_figures,
        hard_to_reach=frozenset(item.hard_to_reach),
        place_characteristics=frozenset(item.place_characteristics),
        funded_months=months_funded(list(item.funding.all()), today),
    )


def case_study_shortlist(*, today: date) -> tuple[list[shortlist.Scored], dict[int, Any]]:
    """Every intervention scored against the criteria, best first, with the interventions by
    id. An intervention has outcome figures when it is a directory service that referrals
    have reached (the reports then have something to say about it)."""
    found = list(
        Intervention.objects.select_related("organisation").prefetch_related("funding", "evidence")
    )
    services = {i.service_id for i in found if i.service_id}
    with aggregate_scope("evidence bank: which services have referral outcomes"):
        referred = set(
            Referral.objects.filter(service_id__in=services)
            .values_list("service_id", flat=True)
            .distinct()
        )
    scored = shortlist.shortlist(
        [facts_of(i, today=today, has_outcome_figures=i.service_id in referred) for i in found],
        criteria(),
    )
    return scored, {i.pk: i for i in found}
