"""Reading instrument files: every problem is reported with its line and field."""

from __future__ import annotations

import pytest

from pathmark.instruments.definition import (
    InstrumentFileError,
    Problem,
    instrument_from_definition,
    parse_instrument,
)
from pathmark.instruments.registry import BUILTIN_DIR

from .conftest import MINIMAL


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(InstrumentFileError) as caught:
        parse_instrument(text, source="test.yaml")
    return caught.value.problems


def only_problem(text: str) -> Problem:
    problems = problems_of(text)
    assert len(problems) == 1, problems
    return problems[0]


def test_minimal_file_parses(minimal):
    assert minimal.slug == "tiny"
    assert [domain.id for domain in minimal.domains] == ["money", "home"]
    assert minimal.domain_rule == minimal.overall_rule == "weighted_mean"
    assert minimal.languages == ["en"]


@pytest.mark.parametrize("name", ["integration-journey", "indicators-of-integration"])
def test_built_in_files_are_valid(name):
    instrument = parse_instrument((BUILTIN_DIR / f"{name}.yaml").read_text(), source=name)
    assert instrument.slug == name
    assert instrument.languages == ["en", "ar"]
    assert instrument.draft_languages == ["ar"]
    assert [stage.id for stage in instrument.stages] == [
        "urgent-need",
        "getting-support",
        "building-skills",
        "mostly-independent",
        "thriving",
    ]


def test_integration_journey_has_the_seven_measures():
    instrument = parse_instrument(
        (BUILTIN_DIR / "integration-journey.yaml").read_text(), source="ij"
    )
    assert len(instrument.domains) == 7
    assert all(3 <= len(domain.items) <= 5 for domain in instrument.domains)
    assert any(item.reverse for item in instrument.items)
    assert instrument.measurement_error == 5


def test_indicators_of_integration_has_fourteen_domains_in_four_groups():
    instrument = parse_instrument(
        (BUILTIN_DIR / "indicators-of-integration.yaml").read_text(), source="ioi"
    )
    assert len(instrument.domains) == 14
    assert [group.id for group in instrument.groups] == [
        "markers-and-means",
        "social-connections",
        "facilitators",
        "foundation",
    ]
    assert instrument.licence == "Open Government Licence v3.0"


def test_bad_yaml_syntax_names_the_line():
    text = MINIMAL.replace("title: {en: Money}", "title: {en: Money")
    problem = only_problem(text)
    assert problem.field == "(syntax)"
    assert problem.line == 12
    assert "YAML syntax error" in problem.message


def test_missing_field_names_the_mapping_line():
    text = MINIMAL.replace("licence: CC0\n", "")
    assert only_problem(text) == Problem(1, "licence", "`licence` is missing; add it")


def test_duplicate_item_id_names_the_second_line_and_the_first():
    text = MINIMAL.replace("- id: rooms", "- id: bills")
    problem = only_problem(text)
    assert (problem.line, problem.field) == (37, "domains[1].items[0].id")
    assert "line 14" in problem.message


def test_score_out_of_range():
    text = MINIMAL.replace(
        "label: {en: Sometimes}, score: 50", "label: {en: Sometimes}, score: 150"
    )
    problem = only_problem(text)
    assert (problem.line, problem.field) == (19, "domains[0].items[0].options[1].score")
    assert "0-100" in problem.message


def test_empty_score_is_not_taken_as_null():
    text = MINIMAL.replace("score: null}", "score: }", 1)
    problem = only_problem(text)
    assert (problem.line, problem.field) == (21, "domains[0].items[0].options[3].score")


def test_stages_with_a_gap():
    text = MINIMAL.replace(
        "{id: high, label: {en: High}, min: 50", "{id: high, label: {en: High}, min: 60"
    )
    problem = only_problem(text)
    assert (problem.line, problem.field) == (8, "stages[1].min")
    assert "gap" in problem.message


def test_overlapping_stages():
    text = MINIMAL.replace(
        "{id: high, label: {en: High}, min: 50", "{id: high, label: {en: High}, min: 40"
    )
    problem = only_problem(text)
    assert (problem.line, problem.field) == (8, "stages[1].min")
    assert "overlaps" in problem.message


def test_stages_must_reach_100():
    text = MINIMAL.replace("min: 50, max: 100}", "min: 50, max: 90}")
    assert only_problem(text).field == "stages[1].max"


def test_unknown_key_suggests_the_right_one():
    text = MINIMAL.replace("    reverse: true", "    revers: true")
    problem = only_problem(text)
    assert (problem.line, problem.field) == (24, "domains[0].items[1].revers")
    assert "did you mean `reverse`" in problem.message


def test_extension_keys_are_allowed_and_kept():
    instrument = parse_instrument(MINIMAL + "x-reviewed-by: Amal\n", source="test.yaml")
    assert instrument.raw["x-reviewed-by"] == "Amal"


def test_missing_english_text():
    text = MINIMAL.replace("text: {en: I worry about money.}", "text: {fr: Je m'inquiète.}")
    problems = problems_of(text)
    assert [(p.line, p.field) for p in problems] == [
        (26, "domains[0].items[1].text.fr"),
        (26, "domains[0].items[1].text.en"),
    ]
    assert "English text is missing" in problems[1].message


def test_missing_translation_for_a_listed_language():
    text = MINIMAL.replace("licence: CC0\n", "licence: CC0\nlanguages: [en, ar]\n")
    problems = problems_of(text)
    assert problems[0] == Problem(
        3,
        "title.ar",
        "the `ar` translation is missing; add it, or remove `ar` from `languages`",
    )


def test_every_problem_is_reported_at_once():
    text = MINIMAL.replace("version: 1", "version: 0").replace("type: number", "type: numeric")
    fields = [problem.field for problem in problems_of(text)]
    assert fields == ["version", "domains[1].items[0].type"]


def test_error_text_lists_file_line_field_and_message():
    text = MINIMAL.replace("version: 1", "version: one")
    with pytest.raises(InstrumentFileError) as caught:
        parse_instrument(text, source="mine.yaml")
    assert str(caught.value) == "mine.yaml:2: version: must be a whole number, not 'one'"


def test_minimum_answers_cannot_exceed_scored_items():
    text = MINIMAL.replace("minimum_answers: 2", "minimum_answers: 3")
    problem = only_problem(text)
    assert (problem.line, problem.field) == (12, "domains[0].minimum_answers")
    assert "only 2 scored item" in problem.message


def test_weight_must_be_positive():
    text = MINIMAL.replace("weight: 3\n        text", "weight: 0\n        text")
    assert only_problem(text).field == "domains[0].items[1].weight"


def test_free_text_items_cannot_be_weighted():
    text = MINIMAL.replace("type: free_text\n", "type: free_text\n        weight: 2\n")
    problem = only_problem(text)
    assert problem.field == "domains[0].items[2].weight"
    assert "never scored" in problem.message


def test_minimum_rule_only_when_declared(minimal):
    assert minimal.domain_rule == "weighted_mean"
    declared = parse_instrument(MINIMAL + "domain_rule: minimum\n", source="t")
    assert declared.domain_rule == "minimum"
    assert only_problem(MINIMAL + "overall_rule: lowest\n").field == "overall_rule"


def test_number_items_need_a_range():
    text = MINIMAL.replace("        max: 4\n", "")
    assert only_problem(text) == Problem(
        37, "domains[1].items[0].max", "number items need `max:` (the answer range)"
    )


def test_yes_no_items_get_default_options(minimal):
    item = minimal.item("safe")
    assert item is not None
    assert [(o.value, o.score) for o in item.options] == [("yes", 100.0), ("no", 0.0)]


def test_yes_and_no_values_stay_text_not_booleans(minimal):
    item = minimal.item("bills")
    assert item is not None
    assert item.option("yes") is not None


def test_unknown_group_is_reported():
    text = MINIMAL.replace("    title: {en: Home}\n", "    title: {en: Home}\n    group: other\n")
    assert only_problem(text).field == "domains[1].group"


def test_overall_stage_rule_must_name_domains():
    text = MINIMAL + "overall_stage_rule: {capped_by: [home, garden]}\n"
    assert only_problem(text).field == "overall_stage_rule.capped_by[1]"


def test_stage_boundaries_are_half_open(minimal):
    assert minimal.stage_for(49.9).id == "low"
    assert minimal.stage_for(50).id == "high"
    assert minimal.stage_for(100).id == "high"


def test_empty_file():
    assert only_problem("").field == "(file)"


def test_stored_definition_reads_back_the_same(minimal):
    assert instrument_from_definition(minimal.raw, source="db") == minimal


# --- Who an instrument assesses ------------------------------------------------------------


def test_subject_defaults_to_a_person(minimal):
    assert minimal.subject == "person"


def test_subject_organisation_is_read():
    text = MINIMAL.replace("version: 1\n", "version: 1\nsubject: organisation\n")
    assert parse_instrument(text, source="t").subject == "organisation"


def test_unknown_subject_names_its_line_and_the_choices():
    text = MINIMAL.replace("version: 1\n", "version: 1\nsubject: organization\n")
    problem = only_problem(text)
    assert (problem.line, problem.field) == (3, "subject")
    assert "did you mean `organisation`?" in problem.message
    assert "use `person` (a client, the default) or `organisation`" in problem.message


def test_subject_must_be_a_word():
    text = MINIMAL.replace("version: 1\n", "version: 1\nsubject: [person]\n")
    problem = only_problem(text)
    assert (problem.line, problem.field) == (3, "subject")
    assert problem.message == "must be a non-empty piece of text"


def test_capacity_instrument_has_seven_areas_with_stages_naming_the_support():
    instrument = parse_instrument(
        (BUILTIN_DIR / "organisational-capacity.yaml").read_text(), source="oc"
    )
    assert instrument.subject == "organisation"
    assert [d.id for d in instrument.domains] == [
        "governance",
        "finance",
        "business-planning",
        "safeguarding",
        "volunteers",
        "partnerships",
        "community-voice",
    ]
    assert all(len(domain.scored_items) >= 3 for domain in instrument.domains)
    assert all(item.help for domain in instrument.domains for item in domain.scored_items)
    assert [s.label["en"] for s in instrument.stages] == [
        "Needs support to start",
        "Developing",
        "Established",
    ]
    assert instrument.languages == ["en", "ar"] and instrument.draft_languages == ["ar"]
    assert instrument.measurement_error == 8
