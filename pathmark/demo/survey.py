"""A synthetic survey of the host population, for the demo and the tests: residents answering
the same questionnaire as newcomers, generated around known true means, written as the
spreadsheet a partnership would upload. SYNTHETIC: no real person's answers.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Mapping
from datetime import date

from pathmark.instruments.definition import Instrument
from pathmark.people.models import AgeBand, Gender

# Spread of residents' latent levels around the true mean of each domain (score points).
SPREAD = 15.0
AREAS = ("NB1", "NB2", "NB3", "NB4", "NB5")
# How a group's true level differs from the population's (score points): enough that group
# norms show, small enough to be plausible.
GROUP_EFFECTS = {
    ("age_band", AgeBand.AGE_65_PLUS.value): -4.0,
    ("age_band", AgeBand.AGE_18_30.value): 2.0,
    ("gender", Gender.WOMAN.value): -1.5,
    ("area", "NB5"): -5.0,
}


def respondent_answers(
    rng: random.Random, instrument: Instrument, levels: Mapping[str, float]
) -> dict[str, str]:
    """One respondent's answers as spreadsheet cells: for each item, the option whose score is
    nearest the respondent's level in that domain."""
    cells: dict[str, str] = {}
    for domain in instrument.domains:
        level = levels.get(domain.id, 50.0)
        for item in domain.items:
            if item.type == "free_text":
                continue
            if item.type == "number":
                if item.number_min is None or item.number_max is None:
                    continue
                share = min(max(level / 100, 0.0), 1.0)
                cells[item.id] = str(
                    round(item.number_min + share * (item.number_max - item.number_min))
                )
                continue
            noisy = level + rng.gauss(0, 8)
            scored = [
                (abs((item.option_score(option) or 0) - noisy), option.value)
                for option in item.options
                if item.option_score(option) is not None
            ]
            if scored:
                cells[item.id] = min(scored)[1]
    return cells


def synthetic_survey_csv(
    instrument: Instrument,
    *,
    true_means: Mapping[str, float],
    respondents: int,
    seed: int,
) -> str:
    """The survey file: one row per respondent with their groups and answers. `true_means`
    gives each domain's population mean level (domains not named: 60)."""
    rng = random.Random(seed)
    items = [
        item.id
        for domain in instrument.domains
        for item in domain.items
        if item.type != "free_text"
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["respondent_id", "age_band", "gender", "area", *items])
    bands = [band.value for band in AgeBand if band != AgeBand.UNDER_18]
    genders = [Gender.WOMAN.value, Gender.MAN.value]
    for number in range(1, respondents + 1):
        groups = {
            "age_band": rng.choice(bands),
            "gender": rng.choice(genders),
            "area": rng.choice(AREAS),
        }
        shift = sum(GROUP_EFFECTS.get((kind, value), 0.0) for kind, value in groups.items())
        person = rng.gauss(0, SPREAD * 0.6)
        levels = {
            domain.id: true_means.get(domain.id, 60.0) + shift + person + rng.gauss(0, SPREAD * 0.8)
            for domain in instrument.domains
        }
        cells = respondent_answers(rng, instrument, levels)
        writer.writerow(
            [f"S{number:05d}", groups["age_band"], groups["gender"], groups["area"]]
            + [cells.get(item, "") for item in items]
        )
    return out.getvalue()


# The demo's surveys: each instrument surveyed four times, from the same true levels as the
# illustrative norm files they replace: during the pandemic health, leisure and social contact
# fell for everyone; in the cost-of-living crisis, money, work and housing did. Each entry:
# date, label, shift of the affected domains (others move a quarter of it), words naming them.
PANDEMIC = ("health", "leisure", "bonds", "bridges", "social")
COST_OF_LIVING = ("work", "econom", "housing", "money", "circumstances")
DEMO_SURVEYS = [
    (date(2019, 1, 1), "First host survey (synthetic)", 0.0, ()),
    (date(2020, 3, 23), "Survey during pandemic restrictions (synthetic)", -8.0, PANDEMIC),
    (date(2022, 4, 1), "Survey after partial recovery (synthetic)", -2.0, PANDEMIC),
    (date(2025, 4, 1), "Cost-of-living survey (synthetic)", -5.0, COST_OF_LIVING),
]
