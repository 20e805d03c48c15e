"""Journeys in words and pictures: the sentences, arrows, charts and table rows the pages show,
in the reader's language (or, for the self-reflection summary, the person's)."""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from pathmark.assessments.text import in_language, is_rtl, language_of
from pathmark.core.numbers import floatformat_in, isolated
from pathmark.instruments.definition import Instrument, Text

from .charts import LineChart, line_chart
from .trajectory import (
    OVERALL,
    Convergence,
    Direction,
    GapStory,
    HostNorm,
    Journey,
    Point,
    Series,
    Steadiness,
)

ARROWS = {
    Direction.IMPROVING: "↑",
    Direction.DECLINING: "↓",
    Direction.NO_CLEAR_CHANGE: "→",
    Direction.NOT_ENOUGH_DATA: "·",
}


# --- One language per page ------------------------------------------------------------------
# A journey page of fifteen series writes some four hundred translated phrases, four hundred
# numbers and a thousand escaped texts. Django's `gettext` and number formatting each ask
# which language is active (a context-local lookup, about as dear as the translation itself)
# and its `escape` checks every argument for lazy text. The page's functions instead learn the
# language once (`_one_language`) and keep each phrase as translated in it.


@dataclass
class _Language:
    code: str | None
    phrases: dict[str, str] = field(default_factory=dict)


_page_language: ContextVar[_Language | None] = ContextVar("journey_page_language", default=None)
_languages: dict[str | None, _Language] = {}
_PHRASES_KEPT = 5_000
F = TypeVar("F", bound=Callable[..., Any])


def _one_language(function: F) -> F:
    """Runs `function` with the active language learnt once for everything it calls here."""

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        code = get_language()
        known = _page_language.get()
        if known is not None and known.code == code:
            return function(*args, **kwargs)
        language = _languages.get(code)
        if language is None:
            language = _languages.setdefault(code, _Language(code))
        token = _page_language.set(language)
        try:
            return function(*args, **kwargs)
        finally:
            _page_language.reset(token)

    return run  # type: ignore[return-value]


def _(message: str) -> str:
    """`gettext`, kept per language for the page being written (see `_one_language`)."""
    language = _page_language.get()
    if language is None:
        return gettext(message)
    text = language.phrases.get(message)
    if text is None:
        if len(language.phrases) >= _PHRASES_KEPT:
            language.phrases.clear()
        text = language.phrases[message] = gettext(message)
    return text


def _language() -> str | None:
    language = _page_language.get()
    return get_language() if language is None else language.code


def escape(text: object) -> str:
    """Django's `escape`, without its check for lazy text: the same characters replaced."""
    return html.escape(str(text))


def conditional_escape(text: object) -> str:
    """Django's `conditional_escape`: markup as it is, anything else escaped."""
    as_html = getattr(text, "__html__", None)
    return as_html() if as_html is not None else html.escape(str(text))


def localized(value: object, decimal_places: int = -1) -> str:
    """`core.numbers.localized` in the page's language: what the template filter `number`
    writes (a number's characters need no escaping)."""
    return isolated(floatformat_in(_language(), value, decimal_places))


def points_text(value: float) -> str:
    """Whole points, or one decimal below ten, so "0.4" does not read as "0"; in the reader's
    number format ("2,5" in Arabic), as every other number on the page."""
    rounded = abs(value)
    return localized(rounded, 0) if rounded >= 10 else localized(round(rounded, 1), -1)


def needs_more_readings(series: Series) -> str:
    """The one sentence every figure that depends on a rate gives when there is none yet."""
    if len(series.points) <= 1:
        return _("needs more readings: one assessment so far")
    return _("needs more readings: assessments on one date so far")


def _own_rate_words(direction: Direction, rate: float | None) -> str:
    if direction == Direction.NOT_ENOUGH_DATA or rate is None:
        return _("not enough data yet: one assessment")
    if direction == Direction.NO_CLEAR_CHANGE:
        return _("no clear change")
    amount = points_text(rate)
    if direction == Direction.IMPROVING:
        return ngettext(
            "improving %(points)s point a year",
            "improving %(points)s points a year",
            round(abs(rate)),
        ) % {"points": amount}
    return ngettext(
        "declining %(points)s point a year", "declining %(points)s points a year", round(abs(rate))
    ) % {"points": amount}


def rate_words(series: Series) -> str:
    """Integratedness in words: "gaining 4 points a year on the host norm", "no clear change
    against the host norm", "needs more readings: one assessment so far"."""
    rate = series.integratedness_per_year
    if series.direction == Direction.NOT_ENOUGH_DATA or rate is None:
        return needs_more_readings(series)
    if not series.has_host_norm:
        return _own_rate_words(series.direction, rate)
    if series.direction == Direction.NO_CLEAR_CHANGE:
        return _("no clear change against the host norm")
    values = {"points": points_text(rate)}
    if series.direction == Direction.IMPROVING:
        return _("gaining %(points)s points a year on the host norm") % values
    return _("losing %(points)s points a year against the host norm") % values


def progress_words(series: Series) -> str:
    """The person's own change, whatever the host norm did."""
    if series.progress.per_year is None:
        return needs_more_readings(series)
    return _own_rate_words(series.progress.direction, series.progress.per_year)


def method_words(series: Series) -> str:
    return {
        "theil_sen": _("robust trend over %(count)s assessments") % {"count": len(series.points)},
        "two_point": _("change between two assessments"),
        "not_enough_data": _("needs a second assessment"),
        "no_host_norm": _("no host norm for this area"),
    }[series.method.value]


def band_words(series: Series) -> str:
    """The band of rates that count as no clear change, from the measurement error."""
    band = series.integratedness.band_per_year
    if band is None or band == 0:
        return ""
    return _("rates within ±%(points)s points a year are no clear change") % {
        "points": points_text(band)
    }


def split_words(series: Series) -> str:
    """One plain sentence splitting integratedness into the person and the host: "the gap
    narrowed 4 points a year: the person rose 2.5, the host norm fell 1.5"."""
    rate = series.integratedness_per_year
    if not series.has_host_norm:
        return _("There is no host norm for this area, so only the person's own change is shown.")
    if rate is None:
        return needs_more_readings(series)
    latest = series.latest
    below = latest is not None and (latest.gap_to_host_norm or 0) > 0
    values = {"points": points_text(rate)}
    if series.direction == Direction.NO_CLEAR_CHANGE:
        headline = _("no clear change against the host norm")
    elif below:
        headline = (
            _("the gap narrowed %(points)s points a year")
            if rate > 0
            else _("the gap widened %(points)s points a year")
        ) % values
    else:
        headline = (
            _("the lead over the host norm grew %(points)s points a year")
            if rate > 0
            else _("the lead over the host norm shrank %(points)s points a year")
        ) % values
    progress = series.progress_per_year or 0.0
    if series.progress.direction == Direction.NO_CLEAR_CHANGE:
        person = _("the person held about steady (%(signed)s)") % {"signed": signed_text(progress)}
    elif progress > 0:
        person = _("the person rose %(points)s") % {"points": points_text(progress)}
    else:
        person = _("the person fell %(points)s") % {"points": points_text(progress)}
    shift = series.host_shift_per_year
    if shift is None or shift == 0:
        host = _("the host norm did not change")
    elif shift > 0:
        host = _("the host norm rose %(points)s") % {"points": points_text(shift)}
    else:
        host = _("the host norm fell %(points)s") % {"points": points_text(shift)}
    return _("%(headline)s: %(person)s, %(host)s.") % {
        "headline": headline[:1].upper() + headline[1:],
        "person": person,
        "host": host,
    }


def signed_text(value: float) -> str:
    """ "+2,5" or "−1": the sign kept with its digits in a right-to-left sentence."""
    return isolated(("+" if value > 0 else "\u2212" if value < 0 else "") + points_text(value))


def gap_words(series: Series) -> str:
    latest = series.latest
    if latest is None or latest.host_norm is None:
        return _("no host norm for this area")
    gap = latest.gap_to_host_norm or 0.0
    norm = latest.host_norm
    values = {"gap": points_text(gap), "norm": points_text(norm.value)}
    if gap == 0:
        words = _("at the host norm (%(norm)s)") % values
    elif gap < 0:
        words = _("%(gap)s points above the host norm (%(norm)s)") % values
    else:
        words = _("%(gap)s points below the host norm (%(norm)s)") % values
    return f"{words}{norm_basis_words(norm, latest.score)}"


def group_words(group: tuple[str, str]) -> str:
    kind, value = group
    if kind == "age_band":
        return _("residents aged %(band)s") % {"band": value}
    if kind == "gender":
        return {"woman": _("women"), "man": _("men"), "non_binary": _("non-binary people")}.get(
            value, value
        )
    if kind == "area":
        return _("residents of %(area)s") % {"area": value}
    return _("all residents")


def norm_basis_words(norm: HostNorm, score: float | None) -> str:
    """What a surveyed norm rests on, and whether the score is within its uncertainty:
    "; norm of women, 212 residents surveyed, 95 % interval 61–64"."""
    if norm.n is None or norm.ci_low is None or norm.ci_high is None:
        return ""
    values = {
        "who": group_words(norm.group),
        "n": norm.n,
        "low": points_text(norm.ci_low),
        "high": points_text(norm.ci_high),
    }
    words = "; " + (
        _("norm of %(who)s, %(n)s residents surveyed, 95%% interval %(low)s–%(high)s") % values
    )
    if score is not None and norm.ci_low <= score <= norm.ci_high:
        words += "; " + _("within the norm's own uncertainty")
    return words


def projection_words(series: Series) -> str:
    projection = series.projection
    if projection.state == Convergence.NO_NORM:
        return _("no host norm to compare with")
    if projection.state == Convergence.REACHED:
        return _("has reached the host norm")
    if projection.state == Convergence.NOT_ENOUGH_DATA:
        return needs_more_readings(series)
    if projection.state == Convergence.NOT_CONVERGING:
        if projection.years is not None:
            return _("not converging: more than 20 years at the current rate")
        return _("not converging at the current rate")
    return _("at the current rate, reaches the host norm around %(when)s") % {
        "when": date_format(projection.reaches_on, "F Y")
    }


def share_words(series: Series) -> str:
    """The share of the gap closed where it means something, otherwise what happened in
    words; never a percentage outside -100 %..100 %."""
    gap = series.gap
    if gap.story == GapStory.NO_NORM:
        return _("no host norm for this area")
    if gap.story == GapStory.NOT_ENOUGH_DATA:
        return needs_more_readings(series)
    if gap.story == GapStory.SHARE_CLOSED and gap.share_closed is not None:
        if gap.share_closed < 0:
            return _("the gap grew by %(percent)s%%") % {
                "percent": localized(-gap.share_closed * 100, 0)
            }
        return _("%(percent)s%% of the gap closed") % {
            "percent": localized(gap.share_closed * 100, 0)
        }
    return {
        GapStory.MORE_THAN_DOUBLED: _("the gap is more than twice as wide as at first"),
        GapStory.NOW_AT_OR_ABOVE: _("was below the norm, now at or above it"),
        GapStory.NOW_BELOW: _("was at or above the norm, now below it"),
        GapStory.STAYED_AT_OR_ABOVE: _("at or above the norm at first and now"),
    }[gap.story]


def stability_words(series: Series) -> str:
    """How steady the journey is, in words and a number (seed 002: "the ability to maintain a
    stable level of integration")."""
    stability = series.stability
    if stability.steadiness == Steadiness.NOT_ENOUGH_DATA or stability.straying is None:
        if len(series.points) >= 2:
            return _("needs more readings: three assessments show how steady it is")
        return needs_more_readings(series)
    values = {"points": points_text(stability.straying)}
    if stability.steadiness == Steadiness.STEADY:
        return _("steady: readings stay %(points)s points from the trend on average") % values
    if stability.steadiness == Steadiness.UPS_AND_DOWNS:
        return (
            _("some ups and downs: readings stray %(points)s points from the trend on average")
            % values
        )
    return _("unsettled: readings stray %(points)s points from the trend on average") % values


@_one_language
def chart_marks(chart: LineChart) -> SafeString:
    """The marks of a journey chart as SVG (bands, norm lines, ticks, norm changes, life
    events, the score line and dots): what `_line_chart.html` draws around them. Built here
    rather than in template loops, which cost a journey page of eleven charts about a third
    of its time; the same markup, numbers written as the template writes them with
    localisation off (an `add` of a whole number as the template's filter does) and dates
    in the active language."""
    anchor = chart.label_anchor
    bottom = int(chart.plot_bottom)
    parts: list[str] = []
    add = parts.append
    for band in chart.stage_bands:
        add(
            f'<rect class="{escape(band.css)}" x="{band.x}" y="{band.y}" width="{band.width}" '
            f'height="{band.height}"/>\n  <text class="stage-label" x="{band.label_x}" '
            f'y="{band.label_y}" text-anchor="{escape(anchor)}">{escape(band.label)}</text>\n  '
        )
    for band in chart.norm_bands:
        add(
            f'<rect class="{escape(band.css)}" x="{band.x}" y="{band.y}" width="{band.width}" '
            f'height="{band.height}"/>\n  '
        )
    for segment in chart.norm_lines:
        add(
            f'<line class="{escape(segment.css)}" x1="{segment.x1}" y1="{segment.y1}" '
            f'x2="{segment.x2}" y2="{segment.y2}"/>\n  '
        )
    for tick in chart.y_ticks:
        add(
            f'<line class="grid" x1="{chart.plot_left}" x2="{chart.plot_right}" y1="{tick.y}" '
            f'y2="{tick.y}"/>\n  <text x="{chart.tick_label_x}" y="{tick.y}" dy="4" '
            f'text-anchor="{escape(chart.tick_anchor)}">{tick.value}</text>\n  '
        )
    for tick in chart.x_ticks:
        add(
            f'<line class="grid" x1="{tick.x}" x2="{tick.x}" y1="{chart.plot_bottom}" '
            f'y2="{bottom + 4}"/>\n  <text x="{tick.x}" y="{bottom + 18}" '
            f'text-anchor="middle">{_date(tick.on, "M Y")}</text>\n  '
        )
    changed = _("norms changed")
    for change in chart.norm_changes:
        add(
            f'<line class="norm-change" x1="{change.x}" x2="{change.x}" y1="{chart.plot_top}" '
            f'y2="{chart.plot_bottom}"/>\n  <text class="norm-change-label" x="{change.x}" '
            f'y="{change.label_y}" dx="3">{escape(changed)} '
            f"{_date(change.on, 'j M Y')}</text>\n  "
        )
    for event in chart.events:
        add(
            f'<line class="life-event" x1="{event.x}" x2="{event.x}" y1="{chart.plot_top}" '
            f'y2="{chart.plot_bottom}"/>\n  <circle class="life-event-marker" cx="{event.x}" '
            f'cy="{bottom - 9}" r="8"/><text class="life-event-number" x="{event.x}" '
            f'y="{bottom - 5}" text-anchor="middle">{event.number}</text>\n  '
        )
    if len(chart.dots) > 1:
        add(f'<polyline class="score-line" points="{escape(chart.line)}"/>')
    add("\n  ")
    for dot in chart.dots:
        add(f'<circle class="score-dot" cx="{dot.cx}" cy="{dot.cy}" r="4"/>\n  ')
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _day(on: date) -> str:
    return _date(on, "j M Y")


@lru_cache(maxsize=4096)
def _date_in(on: date, pattern: str, language: str | None) -> str:
    return escape(date_format(on, pattern))


def _date(on: date, pattern: str) -> str:
    """`on` in the date format `pattern` in the active language, escaped: remembered, since a
    journey page writes two hundred dates, mostly the same few."""
    return _date_in(on, pattern, _language())


def _listed(heading: str, items: list[str]) -> str:
    """`items` (markup) as a list under `heading`, then a line break; only the line break
    when there are none."""
    if not items:
        return "\n"
    listed = "".join(f"<li>{item}</li>" for item in items)
    return f"<p>{escape(heading)}</p>\n<ul>{listed}</ul>\n"


@lru_cache(maxsize=64)
def _table_head(events: bool, language: str | None) -> str:
    """The series tables' head row, the same for every table of a page in `language`."""
    cells = [
        f'<th scope="col">{escape(_("Date"))}</th>'
        f'<th scope="col" class="number">{escape(_("Score"))}</th>'
        f'<th scope="col">{escape(_("Stage"))}</th>'
        f'<th scope="col" class="number">{escape(_("Host norm on that date"))}</th>'
        f'<th scope="col" class="number">{escape(_("Against the norm"))}</th>'
    ]
    if events:
        cells.append(
            f'<th scope="col">{escape(_("Life events since the previous assessment"))}</th>'
        )
    return f"<thead><tr>{''.join(cells)}</tr></thead>\n  <tbody>\n  "


@_one_language
def series_table(view: SeriesView) -> SafeString:
    """A series' table of readings, then its changes of stage and of the host norm: what
    `_series_table.html` drew with template loops (kept in the tests as
    `series_table_template.html`), written here for the same reason as the
    chart's marks (the same markup; `test_series_table` compares the two)."""
    caption = _("%(area)s: each assessment") % {"area": conditional_escape(view.title)}
    events = bool(view.events)
    parts = [
        f'<div class="table-scroll" role="region" aria-label="{caption}" tabindex="0">'
        f'<table class="series-table">\n  <caption>{caption}</caption>\n  ',
        _table_head(events, _language()),
    ]
    add = parts.append
    for row in view.rows:
        point: Point = row["point"]  # type: ignore[assignment]
        norm, below, above = row["norm"], row["below"], row["above"]
        if below is None:
            against = "—"
        elif below > 0:  # type: ignore[operator]
            against = _("%(points)s below") % {"points": localized(below, 1)}
        elif above > 0:  # type: ignore[operator]
            against = _("%(points)s above") % {"points": localized(above, 1)}
        else:
            against = escape(_("at the norm"))
        add(
            f'<tr><th scope="row">{_day(point.assessed_on)}</th>'
            f'<td class="number">{localized(point.score, 1)}</td>'
            f"<td>{conditional_escape(row['stage'])}</td>"
            f'<td class="number">{"—" if norm is None else localized(norm, 0)}</td>'
            f'<td class="number">{against}</td>'
        )
        if events:
            found = row["events"]
            listed = "; ".join(
                f'<span class="event-number">{event["number"]}</span> '
                f'<span dir="auto">{conditional_escape(event["label"])}</span> '
                f"({_day(event['on'])})"
                for event in found  # type: ignore[attr-defined]
            )
            add(f"<td>{listed or '—'}</td>")
        add("</tr>\n  ")
    add("\n  </tbody>\n</table></div>\n")
    moves = []
    for t in view.transitions:
        tag = (
            f'<span class="tag ok">{escape(_("moved up"))}</span>'
            if t["upward"]
            else f'<span class="tag warn">{escape(_("moved down"))}</span>'
        )
        moves.append(
            f"{_day(t['on'])}: {conditional_escape(t['from'])} → "  # type: ignore[arg-type]
            f"{conditional_escape(t['to'])} {tag}"
        )
    add(_listed(_("Changes of stage:"), moves))
    changes = []
    for change in view.norm_change_rows:
        label = f" ({conditional_escape(change['label'])})" if change["label"] else ""
        text = _("From %(when)s the host norm is %(value)s") % {
            "when": _day(change["on"]),  # type: ignore[arg-type]
            "value": localized(change["value"], 0),
        }
        changes.append(f"{text}{label}")
    add(_listed(_("Host norm changes in this period:"), changes))
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


@_one_language
def summary_rows(journey: JourneyView) -> SafeString:
    """The summary table's rows, one per series (the overall, then each domain): what the
    journey page's template loop wrote, written here for the reason the charts' marks are
    (`test_journey_markup` compares the two)."""
    slug = escape(journey.journey.instrument.slug)
    parts = []
    for view in journey.all:
        series = view.series
        first, latest = series.first, series.latest
        distance = series.distance_travelled
        parts.append(
            f'<tr class="{escape(view.css)}">\n      <th scope="row" '
            f'lang="{escape(view.title_language)}"><a href="#{slug}-{escape(view.key)}">'
            f"{conditional_escape(view.title)}</a></th>\n      "
            f'<td><span class="arrow" aria-hidden="true">{escape(view.arrow)}</span> '
            f"{conditional_escape(view.words)}</td>\n      "
            f"<td>{conditional_escape(view.progress)}</td>\n      "
            f'<td class="number">{localized(first.score, 0) if first else "—"}</td>\n      '
            f'<td class="number">{localized(latest.score, 0) if latest else "—"}</td>\n      '
            f'<td class="number">{"—" if distance is None else localized(distance, 1)}</td>\n'
            f"      <td>{conditional_escape(view.latest_stage)}</td>\n      "
            f"<td>{conditional_escape(view.gap)}<br>"
            f'<span class="hint">{conditional_escape(view.share)}</span></td>\n      '
            f"<td>{conditional_escape(view.projection)}</td>\n    </tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


@_one_language
def series_sections(journey: JourneyView) -> SafeString:
    """Each series' section: its heading, rate, split, stability, chart (what
    `_line_chart.html` drew around the marks) and table; what the journey page's template
    loop wrote (`test_journey_markup` compares the two)."""
    slug = escape(journey.journey.instrument.slug)
    stability = escape(_("Stability"))
    same_numbers = escape(_("The same numbers are in the table that follows."))
    legend = (
        f'<figcaption class="legend"><span class="key key-score" aria-hidden="true"></span> '
        f"{escape(_('score'))} "
        f'<span class="key key-norm" aria-hidden="true"></span> '
        f"{escape(_('host norm and its usual range'))} "
        f'<span class="key key-change" aria-hidden="true"></span> '
        f"{escape(_('date the norms changed'))}"
    )
    event_key = (
        f' <span class="key key-event" aria-hidden="true"></span> '
        f"{escape(_('life event (numbered as in the list of life events)'))}"
    )
    parts = []
    for view in journey.all:
        key = escape(view.key)
        title = conditional_escape(view.title)
        words = conditional_escape(view.words)
        band = f"; {conditional_escape(view.band)}" if view.band else ""
        chart = view.chart
        chart_id = escape(f"{view.key}-chart-{journey.journey.instrument.slug}")
        chart_title = _(
            "%(area)s: scores from 0 to 100 over time, with the stage bands and the host norm."
        ) % {"area": title}
        parts.append(
            f'\n  <section class="series {escape(view.css)}" id="{slug}-{key}" '
            f'aria-labelledby="{slug}-{key}-heading">\n    <h3 id="{slug}-{key}-heading" '
            f'lang="{escape(view.title_language)}">{title}</h3>\n    <p class="rate">'
            f'<span class="arrow" aria-hidden="true">{escape(view.arrow)}</span> '
            f'<strong>{words}</strong> <span class="hint">'
            f"({conditional_escape(view.method)}{band})</span></p>\n    "
            f'<p class="split">{conditional_escape(view.split)}</p>\n    '
            f'<p class="stability"><strong>{stability}:</strong> '
            f"{conditional_escape(view.stability)}</p>\n    "
            f'<figure class="journey-chart">\n<svg viewBox="0 0 {chart.width} {chart.height}" '
            f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" direction="ltr" '
            f'focusable="false">\n  <title id="{chart_id}-title">{chart_title}</title>\n  '
            f'<desc id="{chart_id}-desc">{words}. {same_numbers}</desc>\n  '
            f"{view.chart_marks}\n</svg>\n{legend}"
            f"{event_key if chart.events else ''}</figcaption>\n</figure>\n\n    "
            f"{view.table}\n  </section>\n  "
        )
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


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
    band: str
    progress: str
    split: str
    gap: str
    projection: str
    share: str
    stability: str
    stage_labels: Mapping[str, str]
    norm_labels: Mapping[date, str]
    events: tuple[tuple[date, str], ...] = ()

    @property
    def css(self) -> str:
        return f"direction-{self.series.direction.value.replace('_', '-')}"

    @property
    def chart_marks(self) -> SafeString:
        return chart_marks(self.chart)

    @property
    def table(self) -> SafeString:
        return series_table(self)

    def stage_label(self, stage_id: str | None) -> str:
        return self.stage_labels.get(stage_id or "", "—")

    @property
    def latest_stage(self) -> str:
        latest = self.series.latest
        return self.stage_label(latest.stage) if latest else "—"

    @property
    def rows(self) -> list[dict[str, object]]:
        rows = []
        previous: date | None = None
        numbered = list(enumerate(sorted(self.events), start=1))
        for point in self.series.points:
            rows.append(
                {
                    "point": point,
                    "stage": self.stage_label(point.stage),
                    "below": point.points_below_host_norm,
                    "above": point.points_above_host_norm,
                    "norm": point.host_norm.value if point.host_norm else None,
                    # The life events since the previous reading: what may explain a change.
                    "events": [
                        {"number": number, "on": on, "label": label}
                        for number, (on, label) in numbered
                        if (previous is None or on > previous) and on <= point.assessed_on
                    ],
                }
            )
            previous = point.assessed_on
        return rows

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

    @property
    def summary_rows(self) -> SafeString:
        return summary_rows(self)

    @property
    def sections(self) -> SafeString:
        return series_sections(self)


@_one_language
def journey_view(
    journey: Journey,
    *,
    norms: Mapping[str, Sequence[HostNorm]],
    as_of: date,
    language: str | None = None,
    events: Sequence[tuple[date, str]] = (),
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
                events=events,
            ),
            arrow=ARROWS[series.direction],
            words=rate_words(series),
            method=method_words(series),
            band=band_words(series),
            progress=progress_words(series),
            split=split_words(series),
            gap=gap_words(series),
            projection=projection_words(series),
            share=share_words(series),
            stability=stability_words(series),
            stage_labels=stage_labels,
            norm_labels={
                norm.valid_from: in_language(norm.label, language) if norm.label else ""
                for norm in key_norms
            },
            events=tuple(sorted(events)),
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
    """The instrument's title, each domain's (and the overall's) and each stage's, in the
    reader's language."""
    domains = {domain.id: in_language(domain.title) for domain in instrument.domains}
    domains[OVERALL] = _("Overall")
    stages = {stage.id: in_language(stage.label) for stage in instrument.stages}
    return {"title": in_language(instrument.title), "domains": domains, "stages": stages}


def _domain_title(instrument: Instrument, key: str) -> Text | str:
    if key == OVERALL:
        return _("Overall")
    domain = instrument.domain(key)
    return domain.title if domain else key


# --- The self-reflection summary: plain words for the person ------------------------------


@_one_language
def reflection_words(series: Series) -> str:
    """One or two short sentences a person can read about one area of their life."""
    first, latest = series.first, series.latest
    if latest is None:
        return _("Not answered yet.")
    if first is None or len(series.points) < 2:
        return _("You have done one check so far. Next time we can see how things change.")
    values = {"first": localized(first.score, 0), "latest": localized(latest.score, 0)}
    if series.direction == Direction.IMPROVING:
        sentence = _("This has got better: from %(first)s to %(latest)s.") % values
    elif series.direction == Direction.DECLINING:
        sentence = _("This has been harder lately: from %(first)s to %(latest)s.") % values
    else:
        sentence = _("This is about the same: %(first)s before, %(latest)s now.") % values
    if latest.host_norm is not None:
        sentence += " " + _("Many people living here are around %(norm)s.") % {
            "norm": localized(latest.host_norm.value, 0)
        }
    return sentence
