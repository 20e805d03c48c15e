"""Host-norm files: the illustrative ones load, later versions carry earlier values over, and
every mistake names its line."""

from __future__ import annotations

from datetime import date

import pytest

from pathmark.journeys.norms import NormsFileError, parse_norms
from pathmark.journeys.registry import all_host_norms, host_norms_for

KNOWN = {"integration-journey": {"economic-stability", "health-wellbeing"}}

GOOD = """\
instrument: integration-journey
source: test values
versions:
  - valid_from: 2019-01-01
    norms:
      overall: {value: 60, low: 50, high: 70}
      health-wellbeing: {value: 70}
  - valid_from: 2020-03-23
    norms:
      health-wellbeing: {value: 55}
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(NormsFileError) as caught:
        parse_norms(text, source="norms.yaml", known=KNOWN)
    return str(caught.value).splitlines()


def test_built_in_norms_files_load_for_both_instruments(db):
    assert set(all_host_norms()) == {"integration-journey", "indicators-of-integration"}


def test_built_in_norms_say_they_are_illustrative(db):
    assert "Illustrative" in host_norms_for("integration-journey").source


def test_built_in_norms_shift_with_the_pandemic(db):
    norms = host_norms_for("integration-journey")
    before = norms.in_force(date(2020, 3, 22))["health-wellbeing"].value
    after = norms.in_force(date(2020, 3, 23))["health-wellbeing"].value
    assert after < before


def test_a_later_version_carries_over_what_it_does_not_list():
    norms = parse_norms(GOOD, source="norms.yaml", known=KNOWN)
    in_force = norms.in_force(date(2021, 1, 1))
    assert in_force["overall"].value == 60
    assert in_force["health-wellbeing"].value == 55
    assert norms.versions[1].changed == ("health-wellbeing",)


def test_nothing_is_in_force_before_the_first_version():
    norms = parse_norms(GOOD, source="norms.yaml", known=KNOWN)
    assert norms.in_force(date(2018, 12, 31)) == {}


def test_a_bad_date_names_its_line():
    text = GOOD.replace("2020-03-23", "2020-13-01")
    assert problems_of(text) == [
        "norms.yaml:8: versions[1].valid_from: must be a date written as YYYY-MM-DD, not '2020-13-01'"
    ]


def test_versions_out_of_order_name_the_earlier_line():
    text = GOOD.replace("2020-03-23", "2018-01-01")
    (problem,) = problems_of(text)
    assert problem.startswith("norms.yaml:8: versions[1].valid_from:")
    assert "line 4" in problem


def test_an_unknown_domain_names_its_line():
    text = GOOD.replace("health-wellbeing: {value: 55}", "health-wellbing: {value: 55}")
    (problem,) = problems_of(text)
    assert problem.startswith("norms.yaml:10: versions[1].norms.health-wellbing:")


def test_an_unknown_instrument_is_refused():
    text = GOOD.replace("instrument: integration-journey", "instrument: no-such-thing")
    (problem,) = problems_of(text)
    assert problem.startswith("norms.yaml:1: instrument: there is no instrument `no-such-thing`")


def test_a_value_outside_its_usual_range_is_refused():
    text = GOOD.replace("{value: 60, low: 50, high: 70}", "{value: 80, low: 50, high: 70}")
    (problem,) = problems_of(text)
    assert problem.startswith("norms.yaml:6: versions[0].norms.overall:")


def test_a_score_above_100_is_refused():
    text = GOOD.replace("{value: 55}", "{value: 120}")
    (problem,) = problems_of(text)
    assert "norms.yaml:10: versions[1].norms.health-wellbeing.value" in problem


def test_a_misspelt_key_is_suggested():
    text = GOOD.replace("    norms:\n      health", "    norm:\n      health")
    assert any("did you mean `norms`" in problem for problem in problems_of(text))
