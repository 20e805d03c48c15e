"""Eligibility rules a machine can check; an unknown fact never excludes a person."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pathmark.directory.eligibility import AGE, AREA, GENDER, LANGUAGE, Eligibility


def test_no_rules_admit_everyone():
    rules = Eligibility()
    assert rules.admits_everyone
    assert rules.check(age=3, gender="man", postcode="ZZ1 1ZZ") == (frozenset(), frozenset())


def test_age_range_is_inclusive():
    rules = Eligibility(minimum_age=16, maximum_age=25)
    assert rules.check(age=16)[0] == frozenset()
    assert rules.check(age=25)[0] == frozenset()
    assert rules.check(age=26)[0] == {AGE}


def test_unknown_facts_are_reported_not_excluded():
    rules = Eligibility(genders=frozenset({"woman"}), languages=frozenset({"ar"}))
    unmet, unknown = rules.check()
    assert unmet == frozenset()
    assert unknown == {GENDER, LANGUAGE}


def test_language_rule_needs_one_shared_language():
    rules = Eligibility(languages=frozenset({"ar", "ku"}))
    assert rules.check(languages=["en", "ar"])[0] == frozenset()
    assert rules.check(languages=["ti"])[0] == {LANGUAGE}


def test_postcode_district_does_not_match_a_longer_district():
    rules = Eligibility(postcode_areas=frozenset({"NB1"}))
    assert rules.check(postcode="nb1 4aa")[0] == frozenset()
    assert rules.check(postcode="NB14 4AA")[0] == {AREA}
    assert (
        Eligibility(postcode_areas=frozenset({"NB"})).check(postcode="NB14 4AA")[0] == frozenset()
    )
    assert Eligibility(postcode_areas=frozenset({"N"})).check(postcode="NB1 4AA")[0] == {AREA}


@given(st.integers(0, 120), st.integers(0, 120), st.integers(0, 120))
def test_age_rule_matches_the_range(low, high, age):
    low, high = min(low, high), max(low, high)
    unmet, _ = Eligibility(minimum_age=low, maximum_age=high).check(age=age)
    assert (AGE in unmet) == (not low <= age <= high)
