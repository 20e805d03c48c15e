"""The ranking of "where best to refer": hard filters, the order, the shrinkage of evidence."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from pathmark.directory.eligibility import Eligibility
from pathmark.referrals.ranking import (
    EVIDENCE,
    EXCLUDED_ELIGIBILITY,
    EXCLUDED_LANGUAGE,
    EXCLUDED_NOT_FOR_GOAL,
    EXCLUDED_NOT_TAKING_REFERRALS,
    INTERPRETING,
    NEAR,
    NO_EVIDENCE,
    SPEAKS,
    Outcomes,
    Person,
    Prior,
    ServiceFacts,
    ServiceIndex,
    fit_prior,
    rank,
    reference_rank,
)

PERSON = Person(
    languages=frozenset({"ti", "ar"}),
    age=34,
    gender="woman",
    postcode="NB1 4AA",
    gaps={"language-and-communication": 40.0, "work": 20.0, "housing": 0.0},
)


def service(id: str, **facts) -> ServiceFacts:
    facts.setdefault("name", id)
    return ServiceFacts(id=id, **facts)


def ids(ranking) -> list[str]:
    return [suggestion.service.id for suggestion in ranking.suggestions]


def test_service_not_taking_referrals_is_left_out_with_its_reason():
    ranking = rank(PERSON, [service("a", taking_referrals=False)], with_excluded=True)
    assert ids(ranking) == []
    assert [r.code for r in ranking.excluded[0].reasons] == [EXCLUDED_NOT_TAKING_REFERRALS]


def test_unmet_eligibility_is_left_out_naming_the_rule():
    men_only = service("a", eligibility=Eligibility(genders=frozenset({"man"})))
    ranking = rank(PERSON, [men_only], with_excluded=True)
    assert ids(ranking) == []
    (excluded,) = ranking.excluded
    assert [(r.code, r.get("rule")) for r in excluded.reasons] == [(EXCLUDED_ELIGIBILITY, "gender")]


def test_unknown_fact_does_not_exclude_but_asks_for_a_check():
    no_age = dataclasses.replace(PERSON, age=None)
    adults = service("a", eligibility=Eligibility(minimum_age=18))
    (suggestion,) = rank(no_age, [adults]).suggestions
    assert ("check", "age") in [(r.code, r.get("rule")) for r in suggestion.reasons]


def test_no_shared_language_and_no_interpreting_is_left_out():
    french = service("a", staff_languages=frozenset({"fr"}))
    ranking = rank(PERSON, [french], with_excluded=True)
    assert ids(ranking) == []
    assert ranking.excluded[0].reasons[0].code == EXCLUDED_LANGUAGE


def test_interpreting_lets_a_service_in_without_a_shared_language():
    french = service("a", staff_languages=frozenset({"fr"}), interpreting_offered=True)
    (suggestion,) = rank(PERSON, [french]).suggestions
    assert INTERPRETING in [r.code for r in suggestion.reasons]


def test_staff_speaking_the_language_outrank_interpreting():
    speaks = service("speaks", staff_languages=frozenset({"ti"}))
    interprets = service("interprets", staff_languages=frozenset({"en"}), interpreting_offered=True)
    ranking = rank(PERSON, [interprets, speaks])
    assert ids(ranking) == ["speaks", "interprets"]
    assert (SPEAKS, "ti") in [(r.code, r.get("language")) for r in ranking.suggestions[0].reasons]


def test_a_goal_leaves_out_services_working_on_other_domains():
    goal = dataclasses.replace(PERSON, goal_domains=frozenset({"work"}))
    esol = service("esol", domains=frozenset({"language-and-communication"}))
    jobs = service("jobs", domains=frozenset({"work"}))
    ranking = rank(goal, [esol, jobs], with_excluded=True)
    assert ids(ranking) == ["jobs"]
    assert ranking.excluded[0].reasons[0].code == EXCLUDED_NOT_FOR_GOAL


def test_the_largest_gap_ranks_first():
    esol = service("esol", domains=frozenset({"language-and-communication"}))
    jobs = service("jobs", domains=frozenset({"work"}))
    housing = service("housing", domains=frozenset({"housing"}))
    ranking = rank(PERSON, [housing, jobs, esol])
    assert ids(ranking) == ["esol", "jobs", "housing"]
    assert ranking.suggestions[0].parts["need"] == 1.0
    assert ranking.suggestions[1].parts["need"] == 0.5


def test_shorter_wait_ranks_first_all_else_equal():
    slow = service("slow", usual_wait_days=60)
    quick = service("quick", usual_wait_days=3)
    assert ids(rank(PERSON, [slow, quick])) == ["quick", "slow"]


def test_service_in_the_persons_district_ranks_above_one_elsewhere():
    near = service("near", places=frozenset({"NB1"}))
    far = service("far", places=frozenset({"ZZ9"}))
    ranking = rank(PERSON, [far, near])
    assert ids(ranking) == ["near", "far"]
    assert (NEAR, "NB1") in [(r.code, r.get("place")) for r in ranking.suggestions[0].reasons]


def test_evidence_is_explained_with_its_counts():
    a = service("a")
    (suggestion,) = rank(
        PERSON, [a], evidence={"a": Outcomes(9, 12, "language-and-communication", 6)}
    ).suggestions
    (said,) = [r for r in suggestion.reasons if r.code == EVIDENCE]
    assert (said.get("improved"), said.get("attended"), said.get("months")) == (9, 12, 6)


def test_without_outcomes_the_suggestion_says_so():
    (suggestion,) = rank(PERSON, [service("a")]).suggestions
    assert NO_EVIDENCE in [r.code for r in suggestion.reasons]


def test_two_of_two_does_not_outrank_forty_five_of_sixty():
    evidence = {
        "lucky": Outcomes(2, 2),
        "proven": Outcomes(45, 60),
        "c": Outcomes(20, 60),
        "d": Outcomes(25, 60),
    }
    services = [service(name) for name in evidence]
    assert ids(rank(PERSON, services, evidence=evidence))[0] == "proven"


def test_prior_without_any_outcome_says_nothing_either_way():
    assert fit_prior([]) == Prior(0.5, 10.0)


def test_prior_mean_is_the_pooled_rate():
    prior = fit_prior([Outcomes(3, 10), Outcomes(7, 10), Outcomes(5, 10)])
    assert prior.mean == 0.5


def test_ties_are_broken_by_name_then_id():
    services = [service("b", name="Same"), service("a", name="Same"), service("c", name="Alpha")]
    assert ids(rank(PERSON, services)) == ["c", "a", "b"]


def test_limit_keeps_the_best():
    services = [service(f"s{n}", usual_wait_days=n) for n in range(30)]
    assert ids(rank(PERSON, services, limit=3)) == ["s0", "s1", "s2"]


# --- Properties --------------------------------------------------------------------------

LANGUAGES = st.sampled_from(["ar", "ti", "fa", "en", "fr", "ku"])
DOMAINS = st.sampled_from(["language-and-communication", "work", "housing", "health"])
THEMES = st.sampled_from(["english-esol", "housing", "health", "employment-and-training"])
PLACES = st.sampled_from(["NB1", "NB2", "NB", "ZZ9"])

services_strategy = st.lists(
    st.builds(
        ServiceFacts,
        id=st.uuids().map(str),
        name=st.text(min_size=1, max_size=8),
        eligibility=st.builds(
            Eligibility,
            minimum_age=st.none() | st.integers(0, 40),
            maximum_age=st.none() | st.integers(40, 99),
            genders=st.frozensets(st.sampled_from(["woman", "man"]), max_size=1),
            languages=st.frozensets(LANGUAGES, max_size=2),
            postcode_areas=st.frozensets(PLACES, max_size=1),
        ),
        taking_referrals=st.booleans(),
        staff_languages=st.frozensets(LANGUAGES, max_size=3),
        interpreting_offered=st.booleans(),
        domains=st.frozensets(DOMAINS, max_size=3),
        themes=st.frozensets(THEMES, max_size=2),
        places=st.frozensets(PLACES, max_size=2),
        online=st.booleans(),
        places_per_month=st.none() | st.integers(0, 100),
        usual_wait_days=st.none() | st.integers(0, 365),
    ),
    max_size=25,
    unique_by=lambda s: s.id,
)
people_strategy = st.builds(
    Person,
    languages=st.frozensets(LANGUAGES, max_size=3),
    age=st.none() | st.integers(0, 99),
    gender=st.sampled_from(["", "woman", "man"]),
    postcode=st.sampled_from(["", "NB1 4AA", "NB2 1BB", "ZZ9 9ZZ", "NB1"]),
    gaps=st.dictionaries(DOMAINS, st.floats(-50, 100)),
    goal_domains=st.frozensets(DOMAINS, max_size=2),
    themes=st.frozensets(THEMES, max_size=2),
)
outcomes_strategy = st.integers(0, 80).flatmap(
    lambda attended: st.builds(
        Outcomes, improved=st.integers(0, attended), attended=st.just(attended)
    )
)


@settings(max_examples=200)
@given(people_strategy, services_strategy, st.data())
def test_every_service_is_either_suggested_or_excluded_with_a_reason(person, services, data):
    evidence = {s.id: data.draw(outcomes_strategy) for s in services if data.draw(st.booleans())}
    ranking = rank(person, services, evidence=evidence, limit=None, with_excluded=True)
    suggested = set(ids(ranking))
    excluded = {e.service.id for e in ranking.excluded}
    assert suggested.isdisjoint(excluded)
    assert suggested | excluded == {s.id for s in services}
    assert all(e.reasons for e in ranking.excluded)


@settings(max_examples=200)
@given(people_strategy, services_strategy)
def test_suggested_services_pass_every_hard_filter(person, services):
    for suggestion in rank(person, services, limit=None).suggestions:
        facts = suggestion.service
        unmet, _unknown = facts.eligibility.check(
            age=person.age,
            gender=person.gender,
            languages=person.languages,
            postcode=person.postcode,
        )
        assert facts.taking_referrals and not unmet
        assert (
            facts.interpreting_offered
            or not person.languages
            or not facts.staff_languages
            or person.languages & facts.staff_languages
        )
        assert not person.goal_domains or person.goal_domains & facts.domains


@settings(max_examples=200)
@given(people_strategy, services_strategy)
def test_scores_are_between_0_and_1_and_in_order(person, services):
    suggestions = rank(person, services, limit=None).suggestions
    scores = [s.score for s in suggestions]
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= part <= 1.0 for s in suggestions for part in s.parts.values())


@settings(max_examples=100)
@given(people_strategy, services_strategy, st.randoms())
def test_the_order_of_the_directory_does_not_matter(person, services, random):
    shuffled = list(services)
    random.shuffle(shuffled)
    assert ids(rank(person, services, limit=None)) == ids(rank(person, shuffled, limit=None))


@settings(max_examples=100)
@given(people_strategy, services_strategy, st.integers(1, 10))
def test_limit_is_the_head_of_the_full_ranking(person, services, limit):
    full = ids(rank(person, services, limit=None))
    assert ids(rank(person, services, limit=limit)) == full[:limit]


@given(outcomes_strategy, st.floats(0.01, 0.99), st.floats(1, 200))
def test_shrunk_rate_lies_between_the_observed_rate_and_the_prior_mean(outcomes, mean, strength):
    shrunk = Prior(mean, strength).shrink(outcomes)
    if outcomes.attended == 0:
        assert shrunk == mean
    else:
        observed = outcomes.improved / outcomes.attended
        assert min(observed, mean) - 1e-12 <= shrunk <= max(observed, mean) + 1e-12


@given(st.integers(0, 10), st.integers(1, 10), st.floats(0.05, 0.95), st.floats(1, 50))
def test_more_people_pull_the_estimate_towards_what_was_observed(improved, extra, mean, strength):
    attended = 10
    observed = improved / attended
    prior = Prior(mean, strength)
    few = prior.shrink(Outcomes(improved, attended))
    many = prior.shrink(Outcomes(improved * (extra + 1), attended * (extra + 1)))
    assert abs(many - observed) <= abs(few - observed) + 1e-12


@settings(max_examples=200)
@given(people_strategy, services_strategy, st.data())
def test_more_improvement_never_lowers_a_services_score(person, services, data):
    if not services:
        return
    target = services[0]
    attended = data.draw(st.integers(1, 50))
    improved = data.draw(st.integers(0, attended - 1))
    prior = Prior(data.draw(st.floats(0.05, 0.95)), data.draw(st.floats(1, 100)))

    def score(outcomes: Outcomes) -> float | None:
        ranking = rank(person, [target], evidence={target.id: outcomes}, prior=prior)
        return ranking.suggestions[0].score if ranking.suggestions else None

    worse, better = score(Outcomes(improved, attended)), score(Outcomes(improved + 1, attended))
    assert worse is None or better >= worse


@settings(max_examples=200)
@given(people_strategy, services_strategy, st.integers(0, 364))
def test_a_shorter_wait_never_lowers_a_services_score(person, services, wait):
    if not services:
        return
    slow = dataclasses.replace(services[0], usual_wait_days=wait + 1)
    quick = dataclasses.replace(services[0], usual_wait_days=wait)
    (slow_ranked,) = rank(person, [slow]).suggestions or (None,)
    if slow_ranked is None:
        return
    (quick_ranked,) = rank(person, [quick]).suggestions
    assert quick_ranked.score >= slow_ranked.score


@given(st.lists(outcomes_strategy, max_size=20))
def test_the_fitted_prior_is_a_proper_beta(outcomes):
    prior = fit_prior(outcomes)
    assert 0.0 <= prior.mean <= 1.0
    assert prior.strength > 0


@settings(max_examples=300)
@given(people_strategy, services_strategy, st.data(), st.none() | st.integers(0, 12))
def test_the_vectorised_ranking_is_the_reference_to_the_last_bit(person, services, data, limit):
    """`rank` scores the whole directory with numpy; `reference_rank` applies the same rules
    one service at a time. Same suggestions, order, scores, parts, reasons and exclusions."""
    evidence = {s.id: data.draw(outcomes_strategy) for s in services if data.draw(st.booleans())}
    prior = data.draw(st.none() | st.builds(Prior, st.floats(0.01, 0.99), st.floats(1, 200)))
    expected = reference_rank(
        person, services, evidence=evidence, prior=prior, limit=limit, with_excluded=True
    )
    for ranked in (
        rank(person, services, evidence=evidence, prior=prior, limit=limit, with_excluded=True),
        rank(
            person, ServiceIndex(services, evidence), prior=prior, limit=limit, with_excluded=True
        ),
    ):
        assert ranked == expected


def test_evidence_given_with_an_index_replaces_its_own_for_the_call():
    services = [service("a", usual_wait_days=10), service("b", usual_wait_days=0)]
    index = ServiceIndex(services, {"a": Outcomes(1, 30), "b": Outcomes(29, 30)})
    assert ids(rank(PERSON, index)) == ["b", "a"]
    other = {"a": Outcomes(30, 30), "b": Outcomes(0, 30)}
    assert rank(PERSON, index, evidence=other) == reference_rank(PERSON, services, evidence=other)
    assert ids(rank(PERSON, index, evidence=other)) == ["a", "b"]
    # The index keeps its own evidence for the next call.
    assert ids(rank(PERSON, index)) == ["b", "a"]


def test_the_vectorised_ranking_is_the_reference_on_a_large_mixed_directory():
    """A seeded directory of 400 services with every kind of rule, for a few people: each
    branch of the rules is hit many times, every run (the property above samples)."""
    import random

    rng = random.Random(15)
    languages = ["ar", "ti", "fa", "en", "fr", "ku"]
    domains = ["language-and-communication", "work", "housing", "health"]
    themes = ["english-esol", "housing", "health", "employment-and-training"]
    places = ["NB1", "NB2", "NB", "ZZ9", "SX1"]
    services = []
    evidence = {}
    for n in range(400):
        eligibility = Eligibility(
            minimum_age=rng.choice([None, None, 18, 25]),
            maximum_age=rng.choice([None, None, 30, 65]),
            genders=frozenset(rng.sample(["woman", "man"], rng.choice([0, 0, 1]))),
            immigration_statuses=frozenset(
                rng.sample(["refugee-status", "asylum-seeker"], rng.choice([0, 0, 1]))
            ),
            languages=frozenset(rng.sample(languages, rng.choice([0, 0, 1]))),
            postcode_areas=frozenset(rng.sample(["NB", "NB1", "SX", "ZZ9"], rng.choice([0, 1]))),
        )
        facts = service(
            f"s{n:03d}",
            name=rng.choice(["A", "B", "C"]),  # many ties, broken by id
            eligibility=eligibility,
            taking_referrals=rng.random() < 0.9,
            staff_languages=frozenset(rng.sample(languages, rng.choice([0, 1, 2]))),
            interpreting_offered=rng.random() < 0.4,
            domains=frozenset(rng.sample(domains, rng.choice([0, 1, 2]))),
            themes=frozenset(rng.sample(themes, rng.choice([0, 1, 2]))),
            places=frozenset(rng.sample(places, rng.choice([0, 1, 2]))),
            online=rng.random() < 0.1,
            places_per_month=rng.choice([None, rng.randrange(0, 40)]),
            usual_wait_days=rng.choice([None, rng.randrange(0, 90)]),
        )
        services.append(facts)
        if rng.random() < 0.6:
            attended = rng.randrange(0, 40)
            evidence[facts.id] = Outcomes(rng.randrange(0, attended + 1), attended)
    people = [
        PERSON,
        Person(),
        Person(postcode="ZZ9 9ZZ", languages=frozenset({"fr"}), gender="man", age=70),
        Person(
            postcode="NB2 1BB",
            age=20,
            immigration_status="asylum-seeker",
            gaps={"housing": 30.0, "work": -5.0},
            goal_domains=frozenset({"housing"}),
            themes=frozenset({"housing", "english-esol"}),
        ),
        Person(postcode="NB1", gaps={"health": 10.0}, themes=frozenset({"health"})),
        # At the edges of the age rules.
        Person(age=18, gender="woman", languages=frozenset({"ar"})),
        Person(age=65, immigration_status="refugee-status", postcode="SX1 2AB"),
    ]
    index = ServiceIndex(services, evidence)
    for person in people:
        for limit in (None, 10):
            expected = reference_rank(
                person, services, evidence=evidence, limit=limit, with_excluded=True
            )
            assert rank(person, index, limit=limit, with_excluded=True) == expected
            assert expected.suggestions
