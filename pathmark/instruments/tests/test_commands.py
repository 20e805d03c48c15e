"""The `pathmark instruments` and `pathmark score` commands, as a user runs them."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pathmark.instruments.registry import BUILTIN_DIR

from .conftest import MINIMAL


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_validate_reports_ok_with_counts():
    path = BUILTIN_DIR / "integration-journey.yaml"
    assert run("instruments", "validate", str(path)) == (
        f"{path}: ok (integration-journey v2, subject: person, 7 domains, 28 items)\n"
    )


def test_validate_lists_every_problem_and_fails(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("version: 1", "version: 0").replace("licence: CC0\n", ""))
    good = tmp_path / "good.yaml"
    good.write_text(MINIMAL)
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 2 file"):
        call_command("instruments", "validate", str(bad), str(good), stdout=out)
    assert out.getvalue().splitlines() == [
        f"{bad}:1: licence: `licence` is missing; add it",
        f"{bad}:2: version: must be 1 or more, not 0",
        f"{good}: ok (tiny v1, subject: person, 2 domains, 6 items)",
    ]


def test_validate_a_missing_file(tmp_path):
    with pytest.raises(CommandError):
        run("instruments", "validate", str(tmp_path / "nope.yaml"))


def test_list_json():
    assert json.loads(run("instruments", "list", "--json")) == [
        {
            "slug": "indicators-of-integration",
            "version": 2,
            "subject": "person",
            "title": "Indicators of Integration",
        },
        {
            "slug": "integration-journey",
            "version": 2,
            "subject": "person",
            "title": "Integration journey",
        },
        {
            "slug": "organisational-capacity",
            "version": 1,
            "subject": "organisation",
            "title": "Organisational capacity",
        },
    ]


def test_list_text():
    lines = [line.split() for line in run("instruments", "list").splitlines()]
    assert ["integration-journey", "v2", "person", "Integration", "journey"] in lines
    assert ["organisational-capacity", "v1", "organisation", "Organisational", "capacity"] in lines


def test_validate_names_the_subject_of_the_capacity_instrument():
    path = BUILTIN_DIR / "organisational-capacity.yaml"
    assert run("instruments", "validate", str(path)) == (
        f"{path}: ok (organisational-capacity v1, subject: organisation, 7 domains, 28 items)\n"
    )


def test_show_json_gives_counted_scores(tmp_path, settings):
    settings.PATHMARK_INSTRUMENT_DIRS = [str(tmp_path)]
    (tmp_path / "tiny.yaml").write_text(MINIMAL)
    shown = json.loads(run("instruments", "show", "tiny", "--version", "1", "--json"))
    assert shown["slug"] == "tiny"
    assert shown["stages"][0] == {"id": "low", "label": "Low", "min": 0.0, "max": 50.0}
    money = shown["domains"][0]
    assert (money["id"], money["title"], money["weight"]) == ("money", "Money", 1.0)
    bills, worry = money["items"][0], money["items"][1]
    assert bills["options"][-1] == {"value": "skip", "score": None}
    # reverse-scored: the option written as 0 counts for 100
    assert worry["options"][0] == {"value": "never", "score": 100.0}


def test_show_text_mentions_every_domain():
    out = run("instruments", "show", "indicators-of-integration")
    assert "Rights and responsibilities [rights-and-responsibilities]" in out


def test_show_unknown_instrument_fails_with_one_line():
    with pytest.raises(CommandError, match="There is no instrument 'nope'"):
        run("instruments", "show", "nope")


def test_score_prints_the_result(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"money-for-bills": "agree", "worry-about-money": "agree"}))
    result = json.loads(run("score", "--instrument", "integration-journey", str(answers)))
    assert result["domains"]["economic-stability"] == 50.0
    # One domain of seven is too few for an overall score (the file asks for four).
    assert result["overall"] is None
    assert result["stage"] is None


def test_score_names_the_item_with_a_bad_answer(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"money-for-bills": "lots"}))
    with pytest.raises(CommandError, match="item money-for-bills: lots is not one of"):
        run("score", "--instrument", "integration-journey", "--version", "2", str(answers))


def test_score_rejects_a_file_that_is_not_json(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text("money-for-bills: agree")
    with pytest.raises(CommandError, match="not valid JSON"):
        run("score", "--instrument", "integration-journey", str(answers))


def test_score_needs_an_instrument(tmp_path):
    with pytest.raises(CommandError, match="--instrument"):
        run("score", str(tmp_path / "answers.json"))


@pytest.mark.django_db
def test_sync_command_reports_added_versions():
    out = run("instruments", "sync")
    assert "added integration-journey v2" in out
    assert "Nothing to add" in run("instruments", "sync")


def test_instruments_needs_a_subcommand():
    with pytest.raises(CommandError):
        run("instruments")
