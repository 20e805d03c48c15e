"""What works and where referrals fail, from the referrals' closed loop, in the aggregate-only
scope: the institutions, not the people (seed 002: "shifting the integration problem from people
to the institutions").

What works compares, for each service and each domain its themes address, the progress of
people referred who attended with people referred who did not and people of the cohort never
referred to it, adjusted as docs/what-works.md explains (`effects.estimate_effect`). Where
referrals fail counts referrals by service and where they ended (with the reasons for
declines), how fast services answer, and clients' ratings; counts shown outside the people's
organisation are suppressed.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from pathmark.assessments.text import in_language
from pathmark.directory.catalogue import themes
from pathmark.directory.models import Service
from pathmark.instruments.registry import get_instrument
from pathmark.organisations.scoping import aggregate_scope
from pathmark.referrals import states
from pathmark.referrals.models import Referral

from .effects import Observation, Status, estimate_effect
from .figures import EstimateRow, RowStatus
from .selectors import (
    Filters,
    Progress,
    Reading,
    Report,
    Table,
    Viewer,
    _audit,
    _number,
    _shown_or_hidden,
    by_person,
    minimum_count,
    readings,
    status_text,
)
from .suppression import TOTAL, CountTable, SuppressedTable, suppress

NOT_ATTENDED = frozenset({states.DECLINED, states.DID_NOT_ATTEND, states.WITHDRAWN})


def _services(filters: Filters) -> list[Service]:
    services = Service.objects.prefetch_related("themes").order_by("name", "id")
    if filters.service:
        services = services.filter(pk=filters.service)
    if filters.theme:
        services = services.filter(themes__code=filters.theme).distinct()
    return list(services)


def _referrals(service_ids: list[str], filters: Filters) -> list[tuple[Any, ...]]:
    with aggregate_scope("reports: referrals by service"):
        rows = Referral.objects.filter(service_id__in=service_ids).exclude(status=states.DRAFT)
        if filters.organisation_id is not None:
            rows = rows.filter(person__organisation_id=filters.organisation_id)
        if filters.date_from is not None:
            rows = rows.filter(referred_on__gte=filters.date_from)
        if filters.date_to is not None:
            rows = rows.filter(referred_on__lte=filters.date_to)
        return list(
            rows.order_by("referred_on", "id").values_list(
                "person_id",
                "service_id",
                "status",
                "decline_reason",
                "referred_on",
                "sent_at",
                "answered_at",
                "rating",
            )
        )


# --- What works -------------------------------------------------------------------------------


def _years_since_arrival(reading: Reading) -> float | None:
    if reading.arrived is None or reading.arrived > reading.assessed_on:
        return None
    return (reading.assessed_on - reading.arrived).days / 365.25


def _around(history: list[Reading], on: date) -> tuple[Reading, Reading] | None:
    """The assessment before the referral (on or before its date) and the latest after it."""
    before = [r for r in history if r.assessed_on <= on]
    after = [r for r in history if r.assessed_on > on]
    if not before or not after:
        return None
    return before[-1], after[-1]


def _observation(attended: bool, start: Reading, end: Reading, domain: str) -> Observation | None:
    first, last = start.scores.get(domain), end.scores.get(domain)
    if first is None or last is None:
        return None
    return Observation(
        attended=attended,
        baseline=first,
        change=last - first,
        years_between=(end.assessed_on - start.assessed_on).days / 365.25,
        years_since_arrival=_years_since_arrival(start),
    )


def what_works_report(
    *, viewer: Viewer, filters: Filters, audit: bool = True, progress: Progress | None = None
) -> Report:
    instrument = get_instrument(filters.instrument)
    titles = {domain.id: in_language(domain.title) for domain in instrument.domains}
    minimum = minimum_count()
    suppressing = viewer.suppresses(filters)
    history_filters = Filters(
        instrument=filters.instrument, organisation_id=filters.organisation_id
    )
    histories = {
        series[0].person_id: series
        for series in by_person(readings(history_filters, progress=progress))
    }
    services = _services(filters)
    referred: dict[str, dict[int, tuple[str, date]]] = defaultdict(dict)
    for person_id, service_id, status, _reason, on, sent_at, _answered, _rating in _referrals(
        [s.pk for s in services], filters
    ):
        when = on or (sent_at.date() if sent_at else None)
        if when is not None:
            referred[service_id].setdefault(person_id, (status, when))
    rows: list[EstimateRow] = []
    table_rows: list[list[str]] = []
    for service in services:
        domains = sorted(service.domains().get(filters.instrument, set()))
        if filters.domain:
            domains = [d for d in domains if d == filters.domain]
        if not domains:
            continue
        mine = referred.get(service.pk, {})
        pairs: list[tuple[bool, Reading, Reading]] = []
        for person_id, (status, on) in mine.items():
            if status not in states.ATTENDED and status not in NOT_ATTENDED:
                continue  # still waiting for an answer or to start: not yet either
            around = _around(histories.get(person_id, []), on)
            if around is not None:
                pairs.append((status in states.ATTENDED, *around))
        for person_id, history in histories.items():
            if person_id in mine or len(history) < 2:
                continue
            if history[-1].assessed_on > history[0].assessed_on:
                pairs.append((False, history[0], history[-1]))
        for domain in domains:
            observations = [
                o
                for o in (_observation(a, start, end, domain) for a, start, end in pairs)
                if o is not None
            ]
            effect = estimate_effect(observations)
            hide_attended = suppressing and 0 < effect.attended < minimum
            status = RowStatus.ESTIMATED if effect.status is Status.ESTIMATED else RowStatus.TOO_FEW
            rows.append(
                EstimateRow(
                    group=service.pk,
                    group_label=service.name,
                    domain=domain,
                    domain_label=titles.get(domain, domain),
                    measure="effect",
                    count=None if hide_attended else effect.people,
                    estimate=effect.estimate,
                    low=effect.low,
                    high=effect.high,
                    unit="points",
                    status=status,
                )
            )
            table_rows.append(
                [
                    service.name,
                    titles.get(domain, domain),
                    _shown_or_hidden(None if hide_attended else effect.attended),
                    str(effect.compared),
                    _number(effect.estimate),
                    _number(effect.low),
                    _number(effect.high),
                    status_text(status),
                ]
            )
    report = Report(
        kind="what-works",
        title=_("What works: the effect of attending a service"),
        filters=filters,
        suppressing=suppressing,
        minimum=minimum,
        people=len(histories) if not suppressing or len(histories) >= minimum else None,
        rows=rows,
        tables=[
            Table(
                _("Progress of people who attended, against comparable people who did not"),
                [
                    _("Service"),
                    _("Domain"),
                    _("People who attended"),
                    _("People compared"),
                    _("Effect (points)"),
                    _("Lower end of the 95 percent interval"),
                    _("Upper end"),
                    _("Note"),
                ],
                table_rows,
            )
        ],
        intervals=[
            (f"{row.group_label} · {row.domain_label}", row.estimate, row.low, row.high)
            for row in rows
        ],
        notes=[
            _(
                "Adjusted for the starting score, the years since arrival and the years between "
                "assessments. People who attended may still differ in ways no figure records: "
                "read an effect as what went with attending, not as proof."
            )
        ],
    )
    if audit:
        _audit(viewer, report.kind, filters)
    return report


# --- Where referrals fail ---------------------------------------------------------------------

ENDINGS = (
    states.SENT,
    states.ACCEPTED,
    states.STARTED,
    states.COMPLETED,
    states.DID_NOT_ATTEND,
    states.WITHDRAWN,
)


def _ending_label(key: str) -> str:
    labels = {
        states.SENT: _("Waiting for an answer"),
        states.ACCEPTED: _("Accepted, not started"),
        states.STARTED: _("Started"),
        states.COMPLETED: _("Completed"),
        states.DID_NOT_ATTEND: _("Did not attend"),
        states.WITHDRAWN: _("Withdrawn"),
    }
    if key in labels:
        return labels[key]
    reason = key.removeprefix("declined:")
    return _("Declined: %(reason)s") % {"reason": _reason_label(reason)}


def _reason_label(reason: str) -> str:
    from pathmark.referrals.models import DeclineReason

    return str(dict(DeclineReason.choices).get(reason, reason or _("no reason given")))


def funnel_report(
    *, viewer: Viewer, filters: Filters, audit: bool = True, progress: Progress | None = None
) -> Report:
    minimum = minimum_count()
    suppressing = viewer.suppresses(filters)
    services = _services(filters)
    names = {service.pk: service.name for service in services}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    answer_days: dict[str, list[float]] = defaultdict(list)
    ratings: dict[str, list[int]] = defaultdict(list)
    for _person, service_id, status, reason, _on, sent_at, answered_at, rating in _referrals(
        list(names), filters
    ):
        column = f"declined:{reason}" if status == states.DECLINED else status
        counts[(service_id, column)] += 1
        if sent_at and answered_at:
            answer_days[service_id].append((answered_at - sent_at).total_seconds() / 86400)
        if rating is not None:
            ratings[service_id].append(rating)
    used = sorted({service for service, _column in counts}, key=lambda pk: (names[pk], pk))
    columns = list(ENDINGS) + [f"declined:{reason}" for reason in (*states.DECLINE_REASONS, "")]
    columns = [c for c in columns if any(counts.get((s, c)) for s in used)]
    table = CountTable.of(dict(counts), rows=used, columns=columns)
    result = (
        suppress(table, minimum=minimum)
        if suppressing and used
        else SuppressedTable(table, minimum, frozenset())
    )
    header = [_("Service"), _("Referrals sent")] + [_ending_label(c) for c in columns]
    lines = []
    for service in [*used, TOTAL]:
        label = _("Total") if service == TOTAL else names[service]
        line = [label, _shown_or_hidden(result.shown(service, TOTAL))]
        line += [_shown_or_hidden(result.shown(service, column)) for column in columns]
        lines.append(line)
    timing = []
    for service in used:
        days, scores = answer_days.get(service, []), ratings.get(service, [])
        enough_days = not suppressing or len(days) >= minimum
        enough_ratings = not suppressing or len(scores) >= minimum
        timing.append(
            [
                names[service],
                _shown_or_hidden(len(days) if enough_days else None),
                _number(statistics.median(days)) if days and enough_days else "",
                _shown_or_hidden(len(scores) if enough_ratings else None),
                _number(statistics.mean(scores)) if scores and enough_ratings else "",
            ]
        )
    bars = []
    for service in used:
        sent = result.shown(service, TOTAL)
        attended = [
            result.shown(service, c) for c in (states.STARTED, states.COMPLETED) if c in columns
        ]
        share = None
        if sent and all(a is not None for a in attended):
            share = round(100 * sum(a or 0 for a in attended) / sent, 1)
        bars.append((names[service], share))
    report = Report(
        kind="referrals",
        title=_("Where referrals fail"),
        filters=filters,
        suppressing=suppressing,
        minimum=minimum,
        people=None,
        tables=[
            Table(_("Referrals by service and where they ended"), header, lines),
            Table(
                _("How fast services answer, and clients' ratings"),
                [
                    _("Service"),
                    _("Referrals answered"),
                    _("Median days to answer"),
                    _("Ratings"),
                    _("Mean rating (1 to 5)"),
                ],
                timing,
            ),
        ],
        bars=bars,
        bars_title=_(
            "Share of referrals that started or were completed, per service, in percent. The "
            "same numbers are in the table that follows."
        ),
    )
    if audit:
        _audit(viewer, report.kind, filters)
    return report


def theme_choices() -> list[tuple[str, str]]:
    return [(theme.slug, in_language(dict(theme.title))) for theme in themes().themes]
