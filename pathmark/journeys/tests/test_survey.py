"""Host norms from a survey of the host population: the estimates and their intervals, group
norms, publishing a file (all-or-nothing, host organisation only) and what journeys use."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from pathmark.audit.models import AuditEvent
from pathmark.demo.survey import synthetic_survey_csv
from pathmark.instruments.services import instrument_version_for
from pathmark.journeys.models import HostSurvey, SurveyNorm, TrendRefresh
from pathmark.journeys.norms import HostNorms
from pathmark.journeys.registry import norms_in_force_for
from pathmark.journeys.selectors import norms_by_key, person_groups
from pathmark.journeys.services import publish_host_survey
from pathmark.journeys.survey import Respondent, estimate_norms
from pathmark.journeys.trajectory import HostNorm
from pathmark.organisations.scoping import organisation_scope

# --- The estimates (pure) --------------------------------------------------------------------


def test_whole_population_and_groups_with_enough_respondents():
    rng = random.Random(1)
    respondents = [
        Respondent({"overall": rng.gauss(60, 10)}, {"gender": "woman" if n % 4 else "man"})
        for n in range(100)
    ]
    found = {
        (e.group_kind, e.group_value): e
        for e in estimate_norms(respondents, keys=["overall"], min_group=30)
    }
    assert set(found) == {("", ""), ("gender", "woman")}  # 75 women, 25 men: below 30
    whole = found["", ""]
    assert whole.n == 100
    assert whole.ci_low < whole.value < whole.ci_high
    assert whole.low < whole.value < whole.high


def test_a_key_without_two_scores_has_no_norm():
    respondents = [Respondent({"overall": 50.0, "work": None}, {}) for _ in range(3)]
    keys = {e.key for e in estimate_norms(respondents, keys=["overall", "work"])}
    assert keys == {"overall"}


def test_the_intervals_hold_the_true_mean_in_at_least_90_percent_of_groups():
    """Repeated synthetic surveys with known true means per group: the 95 % intervals must
    hold the truth in at least 90 % of (draw, group) cases."""
    rng = random.Random(2026)
    truths = {"a": 55.0, "b": 62.0, "c": 70.0}
    held = total = 0
    for _draw in range(150):
        respondents = []
        for group, mean in truths.items():
            for _ in range(rng.randint(30, 80)):
                score = min(100.0, max(0.0, rng.gauss(mean, 12)))
                respondents.append(Respondent({"overall": score}, {"area": group}))
        for estimate in estimate_norms(respondents, keys=["overall"], min_group=30):
            if not estimate.group_kind:
                continue
            total += 1
            held += estimate.ci_low <= truths[estimate.group_value] <= estimate.ci_high
    assert total == 450
    assert held / total >= 0.90, held / total


# --- Choosing a person's norm (pure) ---------------------------------------------------------


def test_a_group_norm_is_used_where_it_is_in_force_else_the_whole_population():
    whole = (HostNorm(date(2019, 1, 1), 60.0), HostNorm(date(2024, 1, 1), 58.0))
    women = (HostNorm(date(2019, 1, 1), 57.0, group=("gender", "woman")),)
    norms = HostNorms(
        instrument="x",
        source="",
        description=None,
        versions=(),
        by_key={"overall": whole},
        groups={("gender", "woman"): {"overall": women}},
    )
    chosen = norms.for_groups({"gender": "woman"})["overall"]
    # The group's 2019 norm until a newer whole-population version, which then applies.
    assert [(n.valid_from, n.value) for n in chosen] == [
        (date(2019, 1, 1), 57.0),
        (date(2024, 1, 1), 58.0),
    ]
    assert norms.for_groups({"gender": "man"})["overall"] == whole
    assert norms.for_groups({})["overall"] == whole


def test_person_groups_take_the_outward_postcode():
    assert person_groups("18-30", "woman", "nb1 2ab") == {
        "age_band": "18-30",
        "gender": "woman",
        "area": "NB1",
    }
    assert person_groups("", "", "") == {}


# --- Publishing ------------------------------------------------------------------------------


def survey_file(tmp_path: Path, *, respondents: int = 120, seed: int = 7) -> Path:
    instrument = instrument_version_for("integration-journey").instrument
    path = tmp_path / "survey.csv"
    path.write_text(
        synthetic_survey_csv(
            instrument,
            true_means={domain.id: 65.0 for domain in instrument.domains},
            respondents=respondents,
            seed=seed,
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def host(world):  # type: ignore[no-untyped-def]
    world.org_b.is_partnership_host = True
    world.org_b.save()
    return world.org_b


def test_the_command_publishes_norms_with_sample_sizes_and_intervals(host, tmp_path, capsys):
    call_command(
        "host-survey",
        str(survey_file(tmp_path)),
        "--instrument",
        "integration-journey",
        "--valid-from",
        "2024-01-01",
        "--source",
        "Test survey",
        "--label",
        "New survey",
    )
    survey = HostSurvey.objects.get()
    assert survey.respondents == 120 and survey.organisation == host
    overall = SurveyNorm.objects.get(survey=survey, key="overall", group_kind="")
    assert overall.n == 120
    assert overall.ci_low < overall.value < overall.ci_high
    norms = norms_in_force_for("integration-journey")
    assert norms is not None
    in_force = norms.in_force(date(2024, 6, 1))["overall"]
    assert in_force.n == 120 and in_force.value == overall.value
    # The built-in file no longer applies once the partnership has measured its own.
    assert norms.in_force(date(2023, 6, 1)) == {}
    assert AuditEvent.objects.filter(action="journey.norms_published").count() == 1
    assert TrendRefresh.objects.filter(rebuild=True).exists()
    assert "Published host norms from 120 respondents" in capsys.readouterr().out


def test_a_file_with_a_problem_publishes_nothing(host, tmp_path):
    path = survey_file(tmp_path)
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    broken = lines[3].split(",")
    broken[header.index("gender")] = "robot"
    broken[header.index("age_band")] = "ancient"
    lines[3] = ",".join(broken)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match="2 problems"):
        call_command(
            "host-survey",
            str(path),
            "--instrument",
            "integration-journey",
            "--valid-from",
            "2024-01-01",
            "--source",
            "x",
        )
    assert not HostSurvey.objects.exists()


def test_a_second_survey_of_the_same_date_is_refused(host, tmp_path):
    arguments = [
        "--instrument",
        "integration-journey",
        "--valid-from",
        "2024-01-01",
        "--source",
        "x",
    ]
    call_command("host-survey", str(survey_file(tmp_path)), *arguments)
    with pytest.raises(CommandError, match="already a survey"):
        call_command("host-survey", str(survey_file(tmp_path, seed=8)), *arguments)
    assert HostSurvey.objects.count() == 1


def test_only_the_host_organisation_publishes_norms(world):
    with (
        organisation_scope(
            organisation_id=world.org_a.pk, user_id=world.a_manager.pk, role="administrator"
        ),
        pytest.raises(ValidationError, match="host organisation"),
    ):
        publish_host_survey(
            by=world.a_manager,
            organisation=world.org_a,
            instrument="integration-journey",
            valid_from=date(2024, 1, 1),
            source="x",
            respondents=0,
            min_group=30,
            estimates=[],
        )
    assert not HostSurvey.objects.exists()


def test_a_person_in_a_group_with_its_own_norm_is_compared_with_it(host, tmp_path):
    call_command(
        "host-survey",
        str(survey_file(tmp_path, respondents=400)),
        "--instrument",
        "integration-journey",
        "--valid-from",
        "2024-01-01",
        "--source",
        "x",
    )
    group = norms_by_key("integration-journey", {"area": "NB5"})["overall"][0]
    whole = norms_by_key("integration-journey")["overall"][0]
    assert group.group == ("area", "NB5") and whole.group == ("", "")
    assert group.n < whole.n == 400
    # An area the survey did not reach has no norm of its own.
    assert norms_by_key("integration-journey", {"area": "ZZ9"})["overall"][0] == whole
