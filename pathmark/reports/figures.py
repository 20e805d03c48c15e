"""The arithmetic of the cohort reports: which group a person falls in, the mean of a change
with its 95 % interval, and the rows every page, export and command prints.

No database here: the report selectors fetch counts and non-identifying values and hand them
over, so the figures of a page, its CSV and `pathmark reports ... --json` are one computation.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date

from scipy import stats

OVERALL = "overall"
ALL = "all"
"""The group key when a report is not split into groups."""

ESTIMATE_MINIMUM = 5
"""Fewer people than this give no mean or interval (the interval would be all noise)."""


class Dimension(enum.StrEnum):
    """What a report can be split by. None of these identifies anyone on its own, and every
    figure shown outside the people's organisation is suppressed below the minimum."""

    NONE = "none"
    ORGANISATION = "organisation"
    GENDER = "gender"
    AGE_GROUP = "age_group"
    LANGUAGE = "language"
    TIME_SINCE_ARRIVAL = "arrival"
    AREA = "area"


class AgeGroup(enum.StrEnum):
    CHILDREN = "children"
    YOUNG_ADULTS = "18-30"
    ADULTS = "adults"
    OLDER = "older"
    UNKNOWN = "unknown"


AGE_GROUP_OF_BAND = {
    "0-17": AgeGroup.CHILDREN,
    "18-30": AgeGroup.YOUNG_ADULTS,
    "31-45": AgeGroup.ADULTS,
    "46-64": AgeGroup.ADULTS,
    "65+": AgeGroup.OLDER,
}


def age_group(age_band: str) -> AgeGroup:
    return AGE_GROUP_OF_BAND.get(age_band, AgeGroup.UNKNOWN)


class ArrivalBand(enum.StrEnum):
    UNDER_1 = "under-1"
    FROM_1_TO_3 = "1-3"
    FROM_3_TO_5 = "3-5"
    OVER_5 = "5-plus"
    UNKNOWN = "unknown"


def arrival_band(arrived: date | None, on: date) -> ArrivalBand:
    if arrived is None or arrived > on:
        return ArrivalBand.UNKNOWN
    years = (on - arrived).days / 365.25
    if years < 1:
        return ArrivalBand.UNDER_1
    if years < 3:
        return ArrivalBand.FROM_1_TO_3
    if years < 5:
        return ArrivalBand.FROM_3_TO_5
    return ArrivalBand.OVER_5


class RowStatus(enum.StrEnum):
    ESTIMATED = "estimated"
    TOO_FEW = "too_few"
    """Too few people to tell."""
    SUPPRESSED = "suppressed"
    """Hidden to protect small numbers (shown outside the people's organisation)."""


@dataclass(frozen=True)
class Summary:
    count: int
    mean: float | None
    low: float | None
    high: float | None


def mean_with_interval(
    values: Sequence[float], *, confidence: float = 0.95, minimum: int = ESTIMATE_MINIMUM
) -> Summary:
    """The mean and its t interval; no mean below `minimum` values."""
    count = len(values)
    if count < max(minimum, 2):
        return Summary(count, None, None, None)
    mean = math.fsum(values) / count
    variance = math.fsum((v - mean) ** 2 for v in values) / (count - 1)
    half = float(stats.t.ppf(0.5 + confidence / 2, count - 1)) * math.sqrt(variance / count)
    return Summary(count, mean, mean - half, mean + half)


@dataclass(frozen=True)
class EstimateRow:
    """One figure with its interval: what `--json` prints per row and the tables show."""

    group: str
    """The group's key (a dimension value, `all`) or, for what works, the service id."""
    group_label: str
    domain: str
    domain_label: str
    measure: str
    count: int | None
    """None when the count itself is suppressed."""
    estimate: float | None
    low: float | None
    high: float | None
    unit: str
    status: RowStatus

    def as_json(self) -> dict[str, object]:
        row = asdict(self)
        row["status"] = self.status.value
        for key in ("estimate", "low", "high"):
            if row[key] is not None:
                row[key] = round(row[key], 2)
        return row


def estimate_row(
    *,
    group: str,
    group_label: str,
    domain: str,
    domain_label: str,
    measure: str,
    unit: str,
    summary: Summary,
    shown_count: int | None,
    suppressing: bool,
) -> EstimateRow:
    """A row from a summary: hidden when its count is suppressed, "too few" without a mean."""
    if suppressing and shown_count is None:
        status, count = RowStatus.SUPPRESSED, None
        estimate = low = high = None
    elif summary.mean is None:
        status, count = RowStatus.TOO_FEW, summary.count
        estimate = low = high = None
    else:
        status, count = RowStatus.ESTIMATED, summary.count
        estimate, low, high = summary.mean, summary.low, summary.high
    return EstimateRow(
        group, group_label, domain, domain_label, measure, count, estimate, low, high, unit, status
    )
