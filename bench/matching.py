"""How fast "where best to refer" ranks a directory for one person, beside numpy's limit.

Builds a synthetic directory (5,000 services by default, with the mix of eligibility rules,
languages, themes, places, capacity and evidence a partnership's directory has) and ranks it
for one person with `pathmark.referrals.ranking.rank` over a `ServiceIndex` built once (the
directory's facts as arrays, as a cache keeps them), beside `reference_rank` (the same rules
one service at a time). Then scores the very same features with the plain vectorised numpy
below (arrays built once too), which is the limit for this work in Python, and checks that
all three give the same ten services in the same order. Limits: under 20 ms, and within 3×
of the numpy scoring.

    .venv/bin/python bench/matching.py                   # 5,000 services
    .venv/bin/python bench/matching.py --services 20000

No database: the ranking is pure and so is this benchmark.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pathmark.directory.eligibility import Eligibility  # noqa: E402
from pathmark.referrals.ranking import (  # noqa: E402
    HALF_SCORE_WAIT_DAYS,
    INTERPRETING_ONLY,
    PLENTY_OF_PLACES,
    WEIGHTS,
    Outcomes,
    Person,
    Prior,
    ServiceFacts,
    ServiceIndex,
    fit_prior,
    rank,
    reference_rank,
)

LANGUAGES = ["en", "ar", "ti", "fa", "ku", "so", "uk", "ps", "am", "fr", "ur", "prs"]
DOMAINS = [
    "work",
    "housing",
    "education",
    "health-and-social-care",
    "leisure",
    "social-bonds",
    "social-bridges",
    "social-links",
    "language-and-communication",
    "culture",
    "digital-skills",
    "safety",
    "stability",
    "rights-and-responsibilities",
]
THEMES = {
    "english-esol": ["language-and-communication"],
    "understanding-how-things-work": ["rights-and-responsibilities", "culture"],
    "employment-and-training": ["work", "education"],
    "housing": ["housing", "stability"],
    "health": ["health-and-social-care"],
    "benefits-and-money": ["stability"],
    "legal-advice": ["rights-and-responsibilities", "stability"],
    "children-and-young-people": ["education", "social-bonds"],
    "women-and-girls": ["safety", "social-bonds"],
    "mentoring-and-befriending": ["social-bridges", "social-bonds"],
    "volunteering": ["social-bridges", "social-links"],
    "digital-skills": ["digital-skills"],
    "trust-between-communities": ["social-bridges", "safety"],
}
PLACES = ["NB1", "NB2", "NB3", "NB4", "NB5", "NB", "SX1", "SX2"]
GENDERS = ["woman", "man"]


def directory(count: int, seed: int) -> tuple[list[ServiceFacts], dict[str, Outcomes]]:
    rng = random.Random(seed)
    services = []
    evidence = {}
    for n in range(count):
        themes = frozenset(rng.sample(sorted(THEMES), rng.choice([1, 1, 2, 3])))
        domains = frozenset(domain for theme in themes for domain in THEMES[theme])
        restricted = rng.random() < 0.3
        eligibility = (
            Eligibility(
                minimum_age=rng.choice([None, 16, 18, 25]),
                maximum_age=rng.choice([None, None, 25, 65]),
                genders=frozenset(rng.sample(GENDERS, rng.choice([0, 0, 1]))),
                languages=frozenset(rng.sample(LANGUAGES, rng.choice([0, 0, 0, 1]))),
                postcode_areas=frozenset(
                    rng.sample(["NB", "NB1", "NB2", "SX"], rng.choice([0, 1]))
                ),
            )
            if restricted
            else Eligibility()
        )
        service = ServiceFacts(
            id=f"service-{n:05d}",
            name=f"Service {n:05d}",
            eligibility=eligibility,
            taking_referrals=rng.random() < 0.85,
            staff_languages=frozenset(rng.sample(LANGUAGES, rng.choice([0, 1, 1, 2, 3]))),
            interpreting_offered=rng.random() < 0.4,
            domains=domains,
            themes=themes,
            places=frozenset(rng.sample(PLACES, rng.choice([0, 1, 1, 2]))),
            online=rng.random() < 0.15,
            places_per_month=rng.choice([None, rng.randrange(0, 60)]),
            usual_wait_days=rng.choice([None, rng.randrange(0, 120)]),
        )
        services.append(service)
        if rng.random() < 0.6:
            attended = rng.randrange(1, 80)
            evidence[service.id] = Outcomes(
                rng.randrange(0, attended + 1), attended, rng.choice(sorted(domains)), 6
            )
    return services, evidence


PERSON = Person(
    languages=frozenset({"ti", "ar"}),
    age=34,
    gender="woman",
    postcode="NB1 4AA",
    gaps={domain: float((7 * i) % 45) for i, domain in enumerate(DOMAINS)},
    themes=frozenset({"english-esol", "employment-and-training"}),
)


class NumpyDirectory:
    """The same features as arrays (built once, as a cache would keep them), scored for one
    person with whole-array operations: the ranking's rules, vectorised."""

    def __init__(self, services: Sequence[ServiceFacts], evidence: dict[str, Outcomes]) -> None:
        n = len(services)
        self.services = services
        self.taking = np.array([s.taking_referrals for s in services])
        nan = float("nan")
        self.min_age = np.array(
            [
                nan if s.eligibility.minimum_age is None else s.eligibility.minimum_age
                for s in services
            ]
        )
        self.max_age = np.array(
            [
                nan if s.eligibility.maximum_age is None else s.eligibility.maximum_age
                for s in services
            ]
        )
        self.gender_any = np.array([not s.eligibility.genders for s in services])
        self.genders = {
            g: np.array([g in s.eligibility.genders for s in services]) for g in GENDERS
        }
        self.eligible_any_language = np.array([not s.eligibility.languages for s in services])
        self.eligible_languages = np.array(
            [[lang in s.eligibility.languages for lang in LANGUAGES] for s in services]
        )
        self.area_any = np.array([not s.eligibility.postcode_areas for s in services])
        area_vocabulary = sorted({a for s in services for a in s.eligibility.postcode_areas})
        self.area_vocabulary = {a: i for i, a in enumerate(area_vocabulary)}
        self.areas = np.array(
            [[a in s.eligibility.postcode_areas for a in area_vocabulary] for s in services]
        ).reshape(n, len(area_vocabulary))
        self.staff = np.array([[lang in s.staff_languages for lang in LANGUAGES] for s in services])
        self.has_staff_languages = self.staff.any(axis=1)
        self.interpreting = np.array([s.interpreting_offered for s in services])
        self.domains = np.array([[d in s.domains for d in DOMAINS] for s in services])
        theme_names = sorted(THEMES)
        self.theme_index = {t: i for i, t in enumerate(theme_names)}
        self.themes = np.array([[t in s.themes for t in theme_names] for s in services])
        self.place_index = {p: i for i, p in enumerate(PLACES)}
        self.places = np.array([[p in s.places for p in PLACES] for s in services])
        self.has_places = self.places.any(axis=1)
        self.online = np.array([s.online for s in services])
        wait = np.array([nan if s.usual_wait_days is None else s.usual_wait_days for s in services])
        wait_part = np.where(
            np.isnan(wait), 0.5, HALF_SCORE_WAIT_DAYS / (HALF_SCORE_WAIT_DAYS + wait)
        )
        places_pm = np.array(
            [nan if s.places_per_month is None else s.places_per_month for s in services]
        )
        places_part = np.where(
            np.isnan(places_pm), 0.5, np.minimum(1.0, places_pm / PLENTY_OF_PLACES)
        )
        self.capacity = 0.5 * wait_part + 0.5 * places_part
        self.improved = np.array(
            [evidence[s.id].improved if s.id in evidence else 0 for s in services]
        )
        self.attended = np.array(
            [evidence[s.id].attended if s.id in evidence else 0 for s in services]
        )
        self.has_evidence = np.array([s.id in evidence for s in services])
        self.names = np.array([s.name for s in services])
        self.ids = np.array([s.id for s in services])

    def rank(self, person: Person, prior: Prior, limit: int) -> list[str]:
        age = person.age
        eligible = (np.isnan(self.min_age) | (self.min_age <= age)) & (
            np.isnan(self.max_age) | (self.max_age >= age)
        )
        eligible &= self.gender_any | self.genders[person.gender]
        spoken = np.array([lang in person.languages for lang in LANGUAGES])
        eligible &= self.eligible_any_language | (self.eligible_languages & spoken).any(axis=1)
        district = person.postcode.replace(" ", "")[:-3]
        area = "".join(c for c in district if c.isalpha())
        in_area = np.zeros(len(self.services), dtype=bool)
        for code in (district, area):
            if code in self.area_vocabulary:
                in_area |= self.areas[:, self.area_vocabulary[code]]
        eligible &= self.area_any | in_area
        shares = (self.staff & spoken).any(axis=1)
        language_ok = self.interpreting | ~self.has_staff_languages | shares
        keep = self.taking & eligible & language_ok

        gaps = np.array([max(0.0, person.gaps.get(d, 0.0)) for d in DOMAINS])
        largest = gaps.max()
        need = (self.domains * gaps).max(axis=1) / largest if largest else np.zeros(len(gaps))
        wanted = np.array([t in person.themes for t in self.theme_index])
        theme_fit = (self.themes & wanted).sum(axis=1) / wanted.sum()
        in_district = self.places[:, self.place_index[district]]
        in_area_place = self.places[:, self.place_index[area]]
        prefix = np.array([p.startswith(area) for p in PLACES])
        near_area = (self.places & prefix).any(axis=1)
        place_fit = np.select(
            [self.online, in_district, in_area_place, near_area, ~self.has_places],
            [1.0, 1.0, 0.75, 0.5, 0.25],
            0.0,
        )
        fit = 0.5 * theme_fit + 0.5 * place_fit
        evidence = np.where(
            self.has_evidence,
            (self.improved + prior.strength * prior.mean) / (self.attended + prior.strength),
            prior.mean,
        )
        language = np.select([shares, self.interpreting], [1.0, INTERPRETING_ONLY], 0.5)
        score = (
            WEIGHTS["need"] * need
            + WEIGHTS["evidence"] * evidence
            + WEIGHTS["fit"] * fit
            + WEIGHTS["capacity"] * self.capacity
            + WEIGHTS["language"] * language
        )
        candidates = np.flatnonzero(keep)
        # Best first, ties by name then id, as the pure ranking orders them.
        top = candidates[
            np.argpartition(-score[candidates], min(limit, len(candidates) - 1))[: limit * 4]
        ]
        order = np.lexsort((self.ids[top], self.names[top], -score[top]))
        return [str(i) for i in self.ids[top[order]][:limit]]


def timed(function: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of one call. On a machine shared with other work
    the CPU time moves far less than the wall-clock time."""
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, numpy {np.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=5000, help="services in the directory")
    parser.add_argument("--repeats", type=int, default=31, help="timed runs (median reported)")
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    services, evidence = directory(options.services, options.seed)
    prior = fit_prior(evidence.values())

    started = time.perf_counter()
    index = ServiceIndex(services, evidence)
    indexing = time.perf_counter() - started
    ranked = rank(PERSON, index, prior=prior, limit=10)
    reference = reference_rank(PERSON, services, evidence=evidence, prior=prior, limit=10)
    if ranked != reference:
        sys.exit("The ranking and its reference disagree; fix before timing.")
    started = time.perf_counter()
    arrays = NumpyDirectory(services, evidence)
    building = time.perf_counter() - started
    vectorised = arrays.rank(PERSON, prior, 10)
    same = [s.service.id for s in ranked.suggestions] == vectorised
    if not same:
        sys.exit("The numpy scoring and the ranking disagree on the ten best; fix before timing.")

    pure = timed(lambda: rank(PERSON, index, prior=prior, limit=10), options.repeats)
    fitted = timed(lambda: rank(PERSON, index, limit=10), options.repeats)
    once = timed(
        lambda: rank(PERSON, services, evidence=evidence, prior=prior, limit=10),
        max(3, options.repeats // 4),
    )
    slow = timed(
        lambda: reference_rank(PERSON, services, evidence=evidence, prior=prior, limit=10),
        max(3, options.repeats // 4),
    )
    limit = timed(lambda: arrays.rank(PERSON, prior, 10), options.repeats)
    kept = len(rank(PERSON, index, prior=prior, limit=None).suggestions)
    print("                                          wall ms    CPU ms   limit")
    for label, (wall, cpu), bound in (
        ("ranking, index kept (prior given)", pure, f"{min(20.0, 3 * limit[1] * 1000):.2f}"),
        ("ranking, index kept (its own prior)", fitted, ""),
        ("ranking, index built for the call", once, ""),
        ("reference, one service at a time", slow, ""),
        ("numpy scoring, arrays prebuilt", limit, ""),
    ):
        print(f"{label:<40} {wall * 1000:8.2f}  {cpu * 1000:8.2f}  {bound:>6}")
    print(f"building the ServiceIndex once           {indexing * 1000:8.2f}")
    print(f"numpy: building the arrays once          {building * 1000:8.2f}")
    ratio = pure[1] / limit[1]
    print(f"ratio ranking / numpy (CPU)              {ratio:8.1f} x  (limit 3.0 x)")
    print(
        f"{options.services:,} services, {kept:,} pass the hard filters, top 10 identical; "
        f"median of {options.repeats} runs; {machine()}"
    )
    within = pure[1] * 1000 < 20.0 and ratio <= 3.0
    print("within the limits" if within else "OVER THE LIMITS")


if __name__ == "__main__":
    main()
