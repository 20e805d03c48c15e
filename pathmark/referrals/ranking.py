"""Where best to refer a person: which services may take them, and in what order.

Pure Python (no Django, no queries): the facts about the person and the services come in,
the ranked suggestions with their reasons go out. The same rules run on the "where best to
refer" page, in the tests and in `bench/matching.py`.

First the hard filters: a service is never suggested when the person fails its eligibility,
when it is not taking referrals, when nobody there speaks a language the person speaks and it
offers no interpreting, or (for a goal) when it works on none of the goal's domains. Then a
score from 0 to 1, a weighted sum of

- need: the person's largest gap to the host norm among the domains the service works on,
  relative to their largest gap anywhere (1 = it works on what they need most);
- evidence: how often similar people referred there before, who attended, improved —
  shrunk towards the rate over every service (empirical Bayes, a beta-binomial prior fitted
  by the method of moments), so 2 of 2 does not outrank 45 of 60;
- fit: the themes asked for, and the place (the person's postcode district or area, or online);
- capacity: places a month and the usual wait;
- language: staff who speak the person's language rank above interpreting.

Reasons are data (`Reason(code, values)`), not sentences, so the page can say them in the
reader's language; `referrals/explaining.py` turns them into words.

`rank` scores a whole directory at once with numpy over a `ServiceIndex` (the services'
facts as arrays, built once and kept by the caller, or built for the call);
`reference_rank` applies the same rules one service at a time in plain Python, and the tests
hold the two to the same suggestions, scores (to the last bit), reasons and exclusions.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import takewhile

import numpy as np
import numpy.typing as npt

from pathmark.directory.eligibility import Eligibility, _in_area, normalise_postcode

# How much each part counts; they add up to 1, so a score is between 0 and 1.
WEIGHTS: Mapping[str, float] = {
    "need": 0.35,
    "evidence": 0.25,
    "fit": 0.15,
    "capacity": 0.15,
    "language": 0.10,
}
# A wait of this many days halves the wait part of capacity.
HALF_SCORE_WAIT_DAYS = 14.0
# This many places a month or more counts as plenty.
PLENTY_OF_PLACES = 20
# Interpreting is good; staff who speak the language are better.
INTERPRETING_ONLY = 0.6
# Without any outcome anywhere, evidence says nothing either way.
NO_EVIDENCE_RATE = 0.5
# The prior's weight in pseudo-people when the outcomes cannot estimate it (too few
# services, or no spread beyond chance), and its bounds.
DEFAULT_PRIOR_STRENGTH = 10.0
MIN_PRIOR_STRENGTH = 1.0
MAX_PRIOR_STRENGTH = 200.0

# Why a service was left out.
EXCLUDED_ELIGIBILITY = "eligibility"
EXCLUDED_NOT_TAKING_REFERRALS = "not_taking_referrals"
EXCLUDED_LANGUAGE = "language"
EXCLUDED_NOT_FOR_GOAL = "not_for_goal"

# Why a service was suggested (or what to check).
SPEAKS = "speaks"
INTERPRETING = "interpreting"
THEME = "theme"
WORKS_ON_GAP = "works_on_gap"
EVIDENCE = "evidence"
NO_EVIDENCE = "no_evidence"
WAIT = "wait"
PLACES = "places"
NEAR = "near"
ONLINE = "online"
CHECK = "check"


@dataclass(frozen=True)
class Reason:
    """One reason, as a code and the values its sentence needs."""

    code: str
    values: tuple[tuple[str, str | int | float], ...] = ()

    def get(self, name: str) -> str | int | float | None:
        for key, value in self.values:
            if key == name:
                return value
        return None


def reason(code: str, **values: str | int | float) -> Reason:
    return Reason(code, tuple(values.items()))


@dataclass(frozen=True)
class Person:
    """What the ranking knows about the person (nothing that names them)."""

    languages: frozenset[str] = frozenset()
    age: int | None = None
    gender: str = ""
    immigration_status: str = ""
    postcode: str = ""
    # Domain id -> points below the host norm (0 when at or above it), of one instrument.
    gaps: Mapping[str, float] = field(default_factory=dict)
    # For a goal: its domains (a service must work on one) and the themes asked for.
    goal_domains: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ServiceFacts:
    """What the ranking knows about a service (from the directory)."""

    id: str
    name: str
    eligibility: Eligibility = Eligibility()
    taking_referrals: bool = True
    staff_languages: frozenset[str] = frozenset()
    interpreting_offered: bool = False
    # Domains of the person's instrument that the service's themes work on.
    domains: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()
    # Postcode districts ("NB1") or areas ("NB") where it is delivered; online if remote.
    places: frozenset[str] = frozenset()
    online: bool = False
    places_per_month: int | None = None
    usual_wait_days: int | None = None
    # Worked out once from the above: whether any rule restricts who it takes, and the
    # capacity part of the score (the same for every person).
    open_to_all: bool = field(init=False, repr=False, compare=False)
    capacity: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        wait, places = self.usual_wait_days, self.places_per_month
        capacity = 0.5 * (
            0.5 if wait is None else HALF_SCORE_WAIT_DAYS / (HALF_SCORE_WAIT_DAYS + wait)
        ) + 0.5 * (0.5 if places is None else min(1.0, places / PLENTY_OF_PLACES))
        object.__setattr__(self, "open_to_all", self.eligibility.admits_everyone)
        object.__setattr__(self, "capacity", capacity)


@dataclass(frozen=True)
class Outcomes:
    """Similar people previously referred to a service who attended, and how many of them
    improved in `domain` within `months` of the referral."""

    improved: int
    attended: int
    domain: str = ""
    months: int = 6

    def __post_init__(self) -> None:
        if self.attended < 0 or not 0 <= self.improved <= self.attended:
            raise ValueError("improved must be between 0 and attended")


@dataclass(frozen=True)
class Prior:
    """The beta prior every service's evidence is shrunk towards: the rate over every
    service (`mean`) and how many people's worth of weight it carries (`strength`)."""

    mean: float
    strength: float

    def shrink(self, outcomes: Outcomes | None) -> float:
        """The posterior mean rate: the observed rate pulled towards the prior's mean, the
        more so the fewer people it rests on."""
        if outcomes is None or not outcomes.attended:
            return self.mean
        return (outcomes.improved + self.strength * self.mean) / (outcomes.attended + self.strength)


def fit_prior(outcomes: Iterable[Outcomes]) -> Prior:
    """A beta prior from every service's outcomes, by the method of moments: the pooled rate
    as the mean, and a strength from how much the services' rates spread beyond what chance
    alone would give. Little spread means services differ little, so a strong pull."""
    rows = [row for row in outcomes if row.attended > 0]
    attended = sum(row.attended for row in rows)
    if not attended:
        return Prior(NO_EVIDENCE_RATE, DEFAULT_PRIOR_STRENGTH)
    mean = sum(row.improved for row in rows) / attended
    if len(rows) < 3 or mean in (0.0, 1.0):
        return Prior(mean, DEFAULT_PRIOR_STRENGTH)
    # Weighted variance of the rates, and the share of it that binomial noise explains.
    variance = sum(row.attended * (row.improved / row.attended - mean) ** 2 for row in rows)
    variance /= attended
    noise = mean * (1 - mean) * len(rows) / attended
    spread = variance - noise
    if spread <= 0:
        return Prior(mean, MAX_PRIOR_STRENGTH)
    strength = mean * (1 - mean) / spread - 1
    return Prior(mean, min(MAX_PRIOR_STRENGTH, max(MIN_PRIOR_STRENGTH, strength)))


@dataclass(frozen=True)
class Suggestion:
    service: ServiceFacts
    score: float
    parts: Mapping[str, float]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Excluded:
    service: ServiceFacts
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Ranking:
    suggestions: tuple[Suggestion, ...]
    excluded: tuple[Excluded, ...]
    prior: Prior


def _district_and_area(postcode: str) -> tuple[str, str]:
    """NB1 4AA -> ("NB1", "NB"); a postcode without its inward part gives what it can."""
    code = normalise_postcode(postcode)
    district = code[:-3] if len(code) >= 5 else code
    area = "".join(takewhile(str.isalpha, district))
    return district, area


class _Matcher:
    """Everything about the person that every service is compared against, worked out once,
    with per-person memos for facts many services share (the same themes, the same rules)."""

    def __init__(
        self, person: Person, evidence: Mapping[str, Outcomes], prior: Prior | None
    ) -> None:
        self.person = person
        self.evidence = evidence
        self.prior = prior if prior is not None else fit_prior(evidence.values())
        self.gaps = person.gaps
        self.largest_gap = max((gap for gap in person.gaps.values() if gap > 0), default=0.0)
        self.district, self.area = _district_and_area(person.postcode)
        self._eligibility: dict[Eligibility, tuple[frozenset[str], frozenset[str]]] = {}
        self._need: dict[frozenset[str], float] = {}
        self._themes: dict[frozenset[str], float] = {}
        self._place: dict[frozenset[str], float] = {}

    # --- hard filters ---

    def check(self, eligibility: Eligibility) -> tuple[frozenset[str], frozenset[str]]:
        found = self._eligibility.get(eligibility)
        if found is None:
            person = self.person
            found = eligibility.check(
                age=person.age,
                gender=person.gender,
                immigration_status=person.immigration_status,
                languages=person.languages,
                postcode=person.postcode,
            )
            self._eligibility[eligibility] = found
        return found

    def exclusions(self, service: ServiceFacts) -> list[Reason]:
        found: list[Reason] = []
        if not service.taking_referrals:
            found.append(reason(EXCLUDED_NOT_TAKING_REFERRALS))
        if not service.open_to_all:
            unmet, _unknown = self.check(service.eligibility)
            if unmet:
                found.extend(reason(EXCLUDED_ELIGIBILITY, rule=rule) for rule in sorted(unmet))
        if (
            not service.interpreting_offered
            and self.person.languages
            and service.staff_languages
            and self.person.languages.isdisjoint(service.staff_languages)
        ):
            found.append(reason(EXCLUDED_LANGUAGE))
        if self.person.goal_domains and self.person.goal_domains.isdisjoint(service.domains):
            found.append(reason(EXCLUDED_NOT_FOR_GOAL))
        return found

    # --- the parts of the score, each from 0 to 1 ---

    def need(self, domains: frozenset[str]) -> float:
        found = self._need.get(domains)
        if found is None:
            if not self.largest_gap:
                found = 0.0
            else:
                gaps = self.gaps
                counted = domains & self.person.goal_domains or domains
                found = max((gaps.get(domain, 0.0) for domain in counted), default=0.0)
                found = max(0.0, found) / self.largest_gap
            self._need[domains] = found
        return found

    def theme_fit(self, themes: frozenset[str]) -> float:
        wanted = self.person.themes
        if not wanted:
            return 0.0
        found = self._themes.get(themes)
        if found is None:
            found = len(wanted & themes) / len(wanted)
            self._themes[themes] = found
        return found

    def place_fit(self, places: frozenset[str], online: bool) -> float:
        if online:
            return 1.0
        found = self._place.get(places)
        if found is None:
            if self.district and self.district in places:
                found = 1.0
            elif self.area and self.area in places:
                found = 0.75
            elif self.area and any(place.startswith(self.area) for place in places):
                found = 0.5
            elif not places or not self.area:
                found = 0.25  # unknown either side: neither near nor far
            else:
                found = 0.0
            self._place[places] = found
        return found

    def language(self, service: ServiceFacts) -> float:
        languages = self.person.languages
        if languages and not languages.isdisjoint(service.staff_languages):
            return 1.0
        if service.interpreting_offered:
            return INTERPRETING_ONLY
        # No staff languages recorded, or nothing known about the person's: say nothing.
        return 0.5

    def score(self, service: ServiceFacts) -> tuple[float, float, float, float, float, float]:
        need = self.need(service.domains)
        evidence = self.prior.shrink(self.evidence.get(service.id))
        fit = 0.5 * self.theme_fit(service.themes) + 0.5 * self.place_fit(
            service.places, service.online
        )
        capacity = service.capacity
        language = self.language(service)
        total = (
            WEIGHTS["need"] * need
            + WEIGHTS["evidence"] * evidence
            + WEIGHTS["fit"] * fit
            + WEIGHTS["capacity"] * capacity
            + WEIGHTS["language"] * language
        )
        return total, need, evidence, fit, capacity, language

    def suggestion(self, service: ServiceFacts) -> Suggestion:
        total, need, evidence, fit, capacity, language = self.score(service)
        parts = {
            "need": need,
            "evidence": evidence,
            "fit": fit,
            "capacity": capacity,
            "language": language,
        }
        return Suggestion(service, total, parts, self.reasons(service))

    # --- reasons, for the suggestions shown only ---

    def reasons(self, service: ServiceFacts) -> tuple[Reason, ...]:
        found: list[Reason] = []
        spoken = sorted(self.person.languages & service.staff_languages)
        if spoken:
            found.extend(reason(SPEAKS, language=code) for code in spoken[:2])
        elif service.interpreting_offered:
            found.append(reason(INTERPRETING))
        found.extend(reason(THEME, theme=slug) for slug in sorted(service.themes))
        domains = service.domains & self.person.goal_domains or service.domains
        gaps = [(self.gaps.get(domain, 0.0), domain) for domain in domains]
        gap, domain = max(gaps, default=(0.0, ""))
        if gap > 0:
            found.append(reason(WORKS_ON_GAP, domain=domain, gap=round(gap)))
        outcomes = self.evidence.get(service.id)
        if outcomes is not None and outcomes.attended:
            found.append(
                reason(
                    EVIDENCE,
                    improved=outcomes.improved,
                    attended=outcomes.attended,
                    domain=outcomes.domain,
                    months=outcomes.months,
                )
            )
        else:
            found.append(reason(NO_EVIDENCE))
        if service.online:
            found.append(reason(ONLINE))
        elif self.district and self.district in service.places:
            found.append(reason(NEAR, place=self.district))
        elif self.area and self.area in service.places:
            found.append(reason(NEAR, place=self.area))
        if service.usual_wait_days is not None:
            found.append(reason(WAIT, days=service.usual_wait_days))
        if service.places_per_month is not None:
            found.append(reason(PLACES, places=service.places_per_month))
        if not service.open_to_all:
            _unmet, unknown = self.check(service.eligibility)
            found.extend(reason(CHECK, rule=rule) for rule in sorted(unknown))
        return tuple(found)


def reference_rank(
    person: Person,
    services: Sequence[ServiceFacts],
    *,
    evidence: Mapping[str, Outcomes] | None = None,
    prior: Prior | None = None,
    limit: int | None = 10,
    with_excluded: bool = False,
) -> Ranking:
    """The rules of `rank` one service at a time, in plain Python: the reference the tests
    hold the vectorised `rank` to (the same suggestions, scores, parts and reasons)."""
    matcher = _Matcher(person, evidence or {}, prior)
    scored: list[tuple[float, str, str, int]] = []
    excluded: list[Excluded] = []
    for index, service in enumerate(services):
        why = matcher.exclusions(service)
        if why:
            if with_excluded:
                excluded.append(Excluded(service, tuple(why)))
            continue
        scored.append((-matcher.score(service)[0], service.name, service.id, index))
    best = sorted(scored) if limit is None else heapq.nsmallest(limit, scored)
    return Ranking(
        tuple(matcher.suggestion(services[index]) for _score, _name, _id, index in best),
        tuple(excluded),
        matcher.prior,
    )


# --- The same rules over a whole directory at once (numpy) ----------------------------------

Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]


def _vocabulary(sets: Iterable[frozenset[str]]) -> dict[str, int]:
    return {value: position for position, value in enumerate(sorted(set().union(*sets)))}


def _matrix(rows: Sequence[frozenset[str]], vocabulary: Mapping[str, int]) -> Bools:
    """One row per service, one column per value: whether the service's set holds it."""
    matrix = np.zeros((len(rows), len(vocabulary)), dtype=np.bool_)
    cells = [(row, vocabulary[value]) for row, values in enumerate(rows) for value in values]
    if cells:
        positions = np.array(cells, dtype=np.intp)
        matrix[positions[:, 0], positions[:, 1]] = True
    return matrix


def _column(matrix: Bools, vocabulary: Mapping[str, int], values: Iterable[str]) -> Bools:
    """Whether each row holds any of `values` (none known to the vocabulary: no row does)."""
    wanted = np.zeros(len(vocabulary), dtype=np.bool_)
    for value in values:
        position = vocabulary.get(value)
        if position is not None:
            wanted[position] = True
    return _rows_any(matrix & wanted)


def _rows_any(matrix: Bools) -> Bools:
    """Whether each row has any True (typed as the array it always is for a 2-D matrix)."""
    found: Bools = np.asarray(matrix.any(axis=1), dtype=np.bool_)
    return found


def _optional(values: Iterable[int | None]) -> Floats:
    return np.array([np.nan if value is None else value for value in values], dtype=np.float64)


class ServiceIndex:
    """A directory's facts as arrays, with the evidence of past referrals and the prior
    fitted from it: built once (`ServiceIndex(services, evidence)`), then `rank` scores every
    service for a person with whole-array operations. Holds no one's personal data."""

    def __init__(
        self, services: Sequence[ServiceFacts], evidence: Mapping[str, Outcomes] | None = None
    ) -> None:
        self.services = tuple(services)
        self.evidence: Mapping[str, Outcomes] = dict(evidence or {})
        self.prior = fit_prior(self.evidence.values())
        services = self.services
        self.taking: Bools = np.array([s.taking_referrals for s in services], dtype=np.bool_)
        self.open_to_all: Bools = np.array([s.open_to_all for s in services], dtype=np.bool_)
        self.capacity: Floats = np.array([s.capacity for s in services], dtype=np.float64)
        self.interpreting: Bools = np.array(
            [s.interpreting_offered for s in services], dtype=np.bool_
        )
        self.online: Bools = np.array([s.online for s in services], dtype=np.bool_)
        self.languages = _vocabulary(s.staff_languages for s in services)
        self.staff = _matrix([s.staff_languages for s in services], self.languages)
        self.has_staff: Bools = _rows_any(self.staff)
        self.domain_names = _vocabulary(s.domains for s in services)
        self.domains = _matrix([s.domains for s in services], self.domain_names)
        self.theme_names = _vocabulary(s.themes for s in services)
        self.themes = _matrix([s.themes for s in services], self.theme_names)
        self.place_names = _vocabulary(s.places for s in services)
        self.places = _matrix([s.places for s in services], self.place_names)
        self.has_places: Bools = _rows_any(self.places)
        self.outcomes = self.evidence_arrays(self.evidence)
        # Eligibility, rule by rule, for the services that restrict who they take.
        rules = [s.eligibility for s in services]
        self.minimum_age = _optional(rule.minimum_age for rule in rules)
        self.maximum_age = _optional(rule.maximum_age for rule in rules)
        self.genders_known = _vocabulary(rule.genders for rule in rules)
        self.genders = _matrix([rule.genders for rule in rules], self.genders_known)
        self.statuses_known = _vocabulary(rule.immigration_statuses for rule in rules)
        self.statuses = _matrix([rule.immigration_statuses for rule in rules], self.statuses_known)
        self.eligible_languages_known = _vocabulary(rule.languages for rule in rules)
        self.eligible_languages = _matrix(
            [rule.languages for rule in rules], self.eligible_languages_known
        )
        self.areas_known = _vocabulary(rule.postcode_areas for rule in rules)
        self.areas = _matrix([rule.postcode_areas for rule in rules], self.areas_known)

    def __len__(self) -> int:
        return len(self.services)

    def evidence_arrays(self, evidence: Mapping[str, Outcomes]) -> tuple[Bools, Floats, Floats]:
        """(has outcomes, improved, attended) per service, from `evidence` by service id."""
        outcomes = [evidence.get(s.id) for s in self.services]
        return (
            np.array([row is not None and row.attended > 0 for row in outcomes], dtype=np.bool_),
            np.array([row.improved if row is not None else 0 for row in outcomes], dtype=float),
            np.array([row.attended if row is not None else 0 for row in outcomes], dtype=float),
        )

    def _unmet(self, person: Person) -> Bools:
        """Services whose eligibility the person fails on some rule (unknown facts never
        exclude), as `Eligibility.check` decides one service at a time."""
        unmet = np.zeros(len(self.services), dtype=np.bool_)
        if person.age is not None:
            with np.errstate(invalid="ignore"):
                unmet |= self.minimum_age > person.age
                unmet |= self.maximum_age < person.age
        if person.gender:
            restricted = _rows_any(self.genders)
            unmet |= restricted & ~_column(self.genders, self.genders_known, [person.gender])
        if person.immigration_status:
            restricted = _rows_any(self.statuses)
            unmet |= restricted & ~_column(
                self.statuses, self.statuses_known, [person.immigration_status]
            )
        if person.languages:
            restricted = _rows_any(self.eligible_languages)
            unmet |= restricted & ~_column(
                self.eligible_languages, self.eligible_languages_known, person.languages
            )
        code = normalise_postcode(person.postcode)
        if code:
            restricted = _rows_any(self.areas)
            inside = [area for area in self.areas_known if _in_area(code, area)]
            unmet |= restricted & ~_column(self.areas, self.areas_known, inside)
        return unmet

    def scores(
        self,
        person: Person,
        prior: Prior,
        outcomes: tuple[Bools, Floats, Floats] | None = None,
    ) -> tuple[Bools, Floats, Floats, Floats, Floats, Floats, Floats]:
        """(kept by the hard filters, total, need, evidence, fit, capacity, language) for
        every service, each computed as `_Matcher.score` computes it, operation for
        operation, so the numbers are the same to the last bit."""
        count = len(self.services)
        spoken = _column(self.staff, self.languages, person.languages)
        keep = self.taking & ~self._unmet(person)
        if person.languages:
            keep &= self.interpreting | ~self.has_staff | spoken
        if person.goal_domains:
            keep &= _column(self.domains, self.domain_names, person.goal_domains)

        positive = [gap for gap in person.gaps.values() if gap > 0]
        largest = max(positive, default=0.0)
        if largest:
            gaps = np.array(
                [person.gaps.get(domain, 0.0) for domain in self.domain_names], dtype=np.float64
            )
            counted = self.domains
            if person.goal_domains:
                in_goal = np.array(
                    [domain in person.goal_domains for domain in self.domain_names],
                    dtype=np.bool_,
                )
                # domains & goal_domains, or all the service's domains when they miss the goal.
                counted = np.where(
                    _rows_any(self.domains & in_goal)[:, None], self.domains & in_goal, counted
                )
            reach = np.where(counted, gaps, -np.inf).max(axis=1, initial=-np.inf)
            need: Floats = np.maximum(0.0, reach) / largest
        else:
            need = np.zeros(count, dtype=np.float64)

        has_evidence, improved, attended = outcomes or self.outcomes
        evidence: Floats = np.where(
            has_evidence,
            (improved + prior.strength * prior.mean) / (attended + prior.strength),
            prior.mean,
        )

        if person.themes:
            wanted = np.array(
                [theme in person.themes for theme in self.theme_names], dtype=np.float64
            )
            theme_fit: Floats = (self.themes @ wanted) / len(person.themes)
        else:
            theme_fit = np.zeros(count, dtype=np.float64)
        district, area = _district_and_area(person.postcode)
        in_district = (
            _column(self.places, self.place_names, [district])
            if district
            else np.zeros(count, dtype=np.bool_)
        )
        if area:
            in_area = _column(self.places, self.place_names, [area])
            near = _column(
                self.places, self.place_names, [p for p in self.place_names if p.startswith(area)]
            )
            unknown = ~self.has_places
        else:
            in_area = near = np.zeros(count, dtype=np.bool_)
            unknown = np.ones(count, dtype=np.bool_)
        place_fit: Floats = np.select(
            [self.online, in_district, in_area, near, unknown], [1.0, 1.0, 0.75, 0.5, 0.25], 0.0
        )
        fit: Floats = 0.5 * theme_fit + 0.5 * place_fit

        shares = spoken if person.languages else np.zeros(count, dtype=np.bool_)
        language: Floats = np.select([shares, self.interpreting], [1.0, INTERPRETING_ONLY], 0.5)
        total: Floats = (
            WEIGHTS["need"] * need
            + WEIGHTS["evidence"] * evidence
            + WEIGHTS["fit"] * fit
            + WEIGHTS["capacity"] * self.capacity
            + WEIGHTS["language"] * language
        )
        return keep, total, need, evidence, fit, self.capacity, language


def rank(
    person: Person,
    services: Sequence[ServiceFacts] | ServiceIndex,
    *,
    evidence: Mapping[str, Outcomes] | None = None,
    prior: Prior | None = None,
    limit: int | None = 10,
    with_excluded: bool = False,
) -> Ranking:
    """The services that may take `person`, best first (ties by name, then id), at most
    `limit` of them (None for all), each with its reasons; with `with_excluded`, also the
    services left out and why. `evidence` maps service ids to the outcomes of similar
    people; `prior` is fitted from it unless given.

    `services` is a list of facts, or a `ServiceIndex` built once from them (and usually
    their evidence) and kept: then only the person's side is worked out per call. Evidence
    given with an index replaces the index's own for this call (the outcomes of people
    similar to this person, say)."""
    outcomes = None
    if isinstance(services, ServiceIndex):
        index = services
        if evidence is not None and evidence != index.evidence:
            outcomes = index.evidence_arrays(evidence)
            if prior is None:
                prior = fit_prior(evidence.values())
        else:
            evidence = index.evidence
    else:
        index = ServiceIndex(services, evidence)
        evidence = index.evidence
    prior = prior if prior is not None else index.prior
    keep, total, need, evidence_part, fit, capacity, language = index.scores(
        person, prior, outcomes
    )
    candidates = np.flatnonzero(keep)
    if limit is not None and len(candidates) > limit:
        if limit <= 0:
            candidates = candidates[:0]
        else:
            # Everything scoring at least the limit-th best score, so ties are all kept.
            threshold = np.partition(-total[candidates], limit - 1)[limit - 1]
            candidates = candidates[-total[candidates] <= threshold]
    facts = index.services
    order = sorted(
        (-float(total[i]), facts[i].name, facts[i].id, int(i)) for i in candidates.tolist()
    )
    if limit is not None:
        order = order[: max(limit, 0)]
    matcher = _Matcher(person, evidence, prior)
    suggestions = tuple(
        Suggestion(
            facts[i],
            float(total[i]),
            {
                "need": float(need[i]),
                "evidence": float(evidence_part[i]),
                "fit": float(fit[i]),
                "capacity": float(capacity[i]),
                "language": float(language[i]),
            },
            matcher.reasons(facts[i]),
        )
        for _score, _name, _id, i in order
    )
    excluded: tuple[Excluded, ...] = ()
    if with_excluded:
        excluded = tuple(
            Excluded(facts[i], tuple(matcher.exclusions(facts[i])))
            for i in np.flatnonzero(~keep).tolist()
        )
    return Ranking(suggestions, excluded, prior)
