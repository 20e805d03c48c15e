"""Journeys in words and pictures: the sentences, arrows, charts and table rows the pages show,
in the reader's language (or, for the self-reflection summary, the person's)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from pathmark.assessments.text import in_language, is_rtl, language_of
from pathmark.instruments.definition import Instrument, Text

from .charts import LineChart, line_chart
from .trajectory import OVERALL, Convergence, Direction, HostNorm, Journey, Series

ARROWS = {
    Direction.IMPROVING: "↑",
    Direction.DECLINING: "↓",
    Direction.NO_CLEAR_CHANGE: "→",
    Direction.NOT_ENOUGH_DATA: "·",
}


def points_text(value: float) -> str:
    """Whole points, or one decimal below ten, so "0.4" does not read as "0"."""
    rounded = abs(value)
    return f"{rounded:.0f}" if rounded >= 10 else f"{rounded:.1f}".rstrip("0").rstrip(".")


def rate_words(series: Series) -> str:
    """ "improving 12 points a year", "no clear change", "not enough data yet"."""
    rate = series.integratedness_per_year
    if series.direction == Direction.NOT_ENOUGH_DATA or rate is None:
        return _("not enough data yet: one assessment")
    if series.direction == Direction.NO_CLEAR_CHANGE:
        return _("no clear change")
    amount = points_text(rate)
    if series.direction == Direction.IMPROVING:
        return ngettext(
            "improving %(points)s point a year",
            "improving %(points)s points a year",
            round(abs(rate)),
        ) % {"points": amount}
    return ngettext(
        "declining %(points)s point a year", "declining %(points)s points a year", round(abs(rate))
    ) % {"points": amount}


def method_words(series: Series) -> str:
    return {
        "theil_sen": _("robust trend over %(count)s assessments") % {"count": len(series.points)},
        "two_point": _("change between two assessments"),
        "not_enough_data": _("needs a second assessment"),
    }[series.method.value]


def gap_words(series: Series) -> str:
    latest = series.latest
    if latest is None or latest.gap_to_host_norm is None:
        return _("no host norm for this area")
    gap = latest.gap_to_host_norm
    if gap <= 0:
        return _("at or above the host norm (%(norm)s)") % {
            "norm": points_text(latest.host_norm.value)
        }  # type: ignore[union-attr]
    return _("%(gap)s points below the host norm (%(norm)s)") % {
        "gap": points_text(gap),
        "norm": points_text(latest.host_norm.value),  # type: ignore[union-attr]
    }


def closing_words(series: Series) -> str:
    closing = series.gap_closing_per_year
    if closing is None:
        return "—"
    if closing == 0:
        return _("not changing")
    values = {"points": points_text(closing)}
    count = round(abs(closing))
    if closing > 0:
        return (
            ngettext("closing %(points)s point a year", "closing %(points)s points a year", count)
            % values
        )
    return (
        ngettext("widening %(points)s point a year", "widening %(points)s points a year", count)
        % values
    )


def projection_words(series: Series) -> str:
    projection = series.projection
    if projection.state == Convergence.NO_NORM:
        return _("no host norm to compare with")
    if projection.state == Convergence.REACHED:
        return _("has reached the host norm")
    if projection.state == Convergence.NOT_CONVERGING:
        if projection.years is not None:
            return _("not converging: more than 20 years at the current rate")
        return _("not converging at the current rate")
    return _("at the current rate, reaches the host norm around %(when)s") % {
        "when": date_format(projection.reaches_on, "F Y")
    }


def share_words(series: Series) -> str:
    share = series.share_of_gap_closed
    if share is None:
        return "—"
    return _("%(percent)s%% of the gap closed") % {"percent": f"{share * 100:.0f}"}


@dataclass(frozen=True)
class SeriesView:
    key: str
    title: str
    title_language: str
    series: Series
    chart: LineChart
    arrow: str
    words: str
    method: str
    gap: str
    closing: str
    projection: str
    share: str
    stage_labels: Mapping[str, str]
    norm_labels: Mapping[date, str]

    @property
    def css(self) -> str:
        return f"direction-{self.series.direction.value.replace('_', '-')}"

    def stage_label(self, stage_id: str | None) -> str:
        return self.stage_labels.get(stage_id or "", "—")

    @property
    def latest_stage(self) -> str:
        latest = self.series.latest
        return self.stage_label(latest.stage) if latest else "—"

    @property
    def rows(self) -> list[dict[str, object]]:
        return [
            {
                "point": point,
                "stage": self.stage_label(point.stage),
                "gap": point.gap_to_host_norm,
                "norm": point.host_norm.value if point.host_norm else None,
            }
            for point in self.series.points
        ]

    @property
    def transitions(self) -> list[dict[str, object]]:
        return [
            {
                "on": transition.assessed_on,
                "from": self.stage_label(transition.from_stage),
                "to": self.stage_label(transition.to_stage),
                "upward": transition.upward,
            }
            for transition in self.series.transitions
        ]

    @property
    def norm_change_rows(self) -> list[dict[str, object]]:
        return [
            {
                "on": norm.valid_from,
                "value": norm.value,
                "label": self.norm_labels.get(norm.valid_from, ""),
            }
            for norm in self.series.norm_changes
        ]


@dataclass(frozen=True)
class JourneyView:
    journey: Journey
    title: str
    overall: SeriesView
    domains: tuple[SeriesView, ...]
    stage_legend: tuple[tuple[str, str], ...]

    @property
    def all(self) -> tuple[SeriesView, ...]:
        return (self.overall, *self.domains)


def journey_view(
    journey: Journey,
    *,
    norms: Mapping[str, Sequence[HostNorm]],
    as_of: date,
    language: str | None = None,
) -> JourneyView:
    language = language or get_language() or "en"
    instrument = journey.instrument
    stage_labels = {stage.id: in_language(stage.label, language) for stage in instrument.stages}
    rtl = is_rtl(language)

    def view(series: Series, title: Text | str) -> SeriesView:
        text = title if isinstance(title, str) else in_language(title, language)
        title_language = language if isinstance(title, str) else language_of(title, language)
        key_norms = norms.get(series.key, ())
        return SeriesView(
            key=series.key,
            title=text,
            title_language=title_language,
            series=series,
            chart=line_chart(
                series.points,
                norms=key_norms,
                stages=instrument.stages,
                stage_labels=[stage_labels[stage.id] for stage in instrument.stages],
                as_of=as_of,
                rtl=rtl,
            ),
            arrow=ARROWS[series.direction],
            words=rate_words(series),
            method=method_words(series),
            gap=gap_words(series),
            closing=closing_words(series),
            projection=projection_words(series),
            share=share_words(series),
            stage_labels=stage_labels,
            norm_labels={
                norm.valid_from: in_language(norm.label, language) if norm.label else ""
                for norm in key_norms
            },
        )

    return JourneyView(
        journey=journey,
        title=in_language(instrument.title, language),
        overall=view(journey.overall, _("Overall")),
        domains=tuple(
            view(series, _domain_title(instrument, series.key)) for series in journey.domains
        ),
        stage_legend=tuple((stage.id, stage_labels[stage.id]) for stage in instrument.stages),
    )


def instrument_titles(instrument: Instrument) -> dict[str, object]:
    """The instrument's title and each domain's (and the overall's), in the reader's language."""
    domains = {domain.id: in_language(domain.title) for domain in instrument.domains}
    domains[OVERALL] = _("Overall")
    return {"title": in_language(instrument.title), "domains": domains}


def _domain_title(instrument: Instrument, key: str) -> Text | str:
    if key == OVERALL:
        return _("Overall")
    domain = instrument.domain(key)
    return domain.title if domain else key


# --- The self-reflection summary: plain words for the person ------------------------------


def reflection_words(series: Series) -> str:
    """One or two short sentences a person can read about one area of their life."""
    first, latest = series.first, series.latest
    if latest is None:
        return _("Not answered yet.")
    if first is None or len(series.points) < 2:
        return _("You have done one check so far. Next time we can see how things change.")
    values = {"first": f"{first.score:.0f}", "latest": f"{latest.score:.0f}"}
    if series.direction == Direction.IMPROVING:
        sentence = _("This has got better: from %(first)s to %(latest)s.") % values
    elif series.direction == Direction.DECLINING:
        sentence = _("This has been harder lately: from %(first)s to %(latest)s.") % values
    else:
        sentence = _("This is about the same: %(first)s before, %(latest)s now.") % values
    if latest.host_norm is not None:
        sentence += " " + _("Many people living here are around %(norm)s.") % {
            "norm": f"{latest.host_norm.value:.0f}"
        }
    return sentence
