"""Host norms from a survey of the host population: each domain's (and the overall's) typical
score with its sample size and a 95 % interval, for the whole population and for each group
(age band, gender, area) with enough respondents.

The interval of a mean is Student's t interval (`statsmodels` `DescrStatsW.tconfint_mean`);
the usual range drawn as the norm's band is the 10th to 90th percentile of the respondents'
scores. Pure Python and numpy/statsmodels (no Django): the transfer app reads the file and
scores each respondent with the instrument, the journeys app stores what this returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from statsmodels.stats.weightstats import DescrStatsW

# Group columns a survey file may have, in the order a page lists them.
GROUP_KINDS = ("age_band", "gender", "area")
# A group's own norm is used only with at least this many respondents (configurable).
DEFAULT_MIN_GROUP = 30
CONFIDENCE = 0.95
USUAL_RANGE = (10, 90)


@dataclass(frozen=True)
class Respondent:
    """One surveyed resident: their scores per key (domain id or `overall`; None when the
    domain had too few answers) and their groups (kind → value, e.g. {"gender": "woman"})."""

    scores: Mapping[str, float | None]
    groups: Mapping[str, str]


@dataclass(frozen=True)
class NormEstimate:
    key: str
    group_kind: str
    """"" for the whole population."""
    group_value: str
    n: int
    value: float
    ci_low: float
    ci_high: float
    low: float
    high: float

    @property
    def is_whole_population(self) -> bool:
        return not self.group_kind


def estimate(scores: Sequence[float]) -> tuple[float, float, float, float, float]:
    """Mean, its 95 % interval, and the usual range of at least two scores."""
    values = np.asarray(scores, dtype=float)
    stats = DescrStatsW(values)
    ci_low, ci_high = stats.tconfint_mean(alpha=1 - CONFIDENCE)
    low, high = np.percentile(values, USUAL_RANGE)
    return (
        float(stats.mean),
        float(ci_low),
        float(ci_high),
        float(low),
        float(high),
    )


def estimate_norms(
    respondents: Iterable[Respondent],
    *,
    keys: Sequence[str],
    min_group: int = DEFAULT_MIN_GROUP,
) -> list[NormEstimate]:
    """Every key's norm for the whole population (from at least two respondents with a score),
    then for each group with at least `min_group` respondents scored on that key. Groups below
    the minimum are left out: the whole-population norm applies to their members."""
    if min_group < 2:
        raise ValueError("min_group must be at least 2")
    whole: dict[str, list[float]] = {key: [] for key in keys}
    grouped: dict[tuple[str, str, str], list[float]] = {}
    for respondent in respondents:
        for key in keys:
            score = respondent.scores.get(key)
            if score is None:
                continue
            whole[key].append(float(score))
            for kind in GROUP_KINDS:
                value = respondent.groups.get(kind, "")
                if value:
                    grouped.setdefault((key, kind, value), []).append(float(score))
    found = []
    for key in keys:
        if len(whole[key]) >= 2:
            found.append(NormEstimate(key, "", "", len(whole[key]), *estimate(whole[key])))
    for (key, kind, value), scores in sorted(grouped.items()):
        if len(scores) >= min_group:
            found.append(NormEstimate(key, kind, value, len(scores), *estimate(scores)))
    return found
