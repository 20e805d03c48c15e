"""Host surveys: the answers of residents of the host society to the same questionnaire, in the
assessment import format (one row per respondent, one column per item) with optional group
columns, turned into dated host norms with sample sizes and 95 % intervals
(`journeys.survey.estimate_norms`, stored by `journeys.services.publish_host_survey`).

Every row is checked first; a file with any problem publishes nothing. The respondents'
answers are scored in memory and never stored: only the norms are kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from pathmark.instruments.scoring import ResponseError, score_responses
from pathmark.instruments.services import instrument_version_for
from pathmark.journeys.models import HostSurvey
from pathmark.journeys.services import publish_host_survey
from pathmark.journeys.survey import GROUP_KINDS, NormEstimate, Respondent, estimate_norms
from pathmark.journeys.trajectory import OVERALL
from pathmark.organisations.models import Organisation
from pathmark.people.models import AgeBand, Gender

from .formats import answer_reader
from .importing import ImportRefused, ImportResult, _answers, check_header
from .tabular import CellError, Table, read_table

# Optional columns besides the items: an id of the respondent in the survey (not stored) and
# the groups a norm may be worked out for.
SURVEY_FIXED_COLUMNS = ["respondent_id", *GROUP_KINDS]
AREA_LENGTH = 8


@dataclass
class SurveyPlan:
    result: ImportResult
    instrument: str
    respondents: list[Respondent] = field(default_factory=list)
    estimates: list[NormEstimate] = field(default_factory=list)


def plan_survey(table: Table, *, instrument: str, min_group: int) -> SurveyPlan:
    """Checks and scores every respondent, and works out the norms, without writing."""
    version = instrument_version_for(instrument)
    definition = version.instrument
    result = ImportResult(kind=f"survey:{instrument}", source=table.source, rows=len(table.rows))
    plan = SurveyPlan(result=result, instrument=instrument)
    problems = result.problems
    items = {item.id: item for item in definition.items}
    check_header(table, SURVEY_FIXED_COLUMNS + list(items), [], problems)
    if problems:
        return plan
    if not any(column in items for column in table.columns):
        problems.add(1, "", _("no item columns: give one column per item id, as in the template."))
        return plan
    readers = [
        (item_id, answer_reader(items[item_id])) for item_id in table.columns if item_id in items
    ]
    allowed = {"age_band": set(AgeBand.values), "gender": set(Gender.values)}
    for row in table.rows:
        before = problems.total
        groups: dict[str, str] = {}
        for kind in GROUP_KINDS:
            text = row.cells.get(kind, "")
            if not text:
                continue
            value = text.upper() if kind == "area" else text.lower()
            if kind in allowed and value not in allowed[kind]:
                problems.add(
                    row.number,
                    kind,
                    _("write one of %(values)s, or leave it empty.")
                    % {"values": ", ".join(sorted(allowed[kind]))},
                    text,
                )
            elif kind == "area" and (len(value) > AREA_LENGTH or " " in value):
                problems.add(
                    row.number,
                    kind,
                    _("write the first part of a postcode, such as NB1, or leave it empty."),
                    text,
                )
            else:
                groups[kind] = value
        answers = _answers(row, readers, problems)
        if problems.total > before:
            continue
        try:
            scores = score_responses(definition, answers)
        except (ResponseError, CellError) as error:
            problems.add(row.number, "", str(error))
            continue
        domain_scores = {key: value for key, value in scores.domains.items()}
        if scores.overall is None and not any(v is not None for v in domain_scores.values()):
            problems.add(
                row.number,
                "",
                _(
                    "too few answers to give any score; each domain needs its minimum number "
                    "of answers (see `pathmark instruments show %(instrument)s`)."
                )
                % {"instrument": instrument},
            )
            continue
        plan.respondents.append(Respondent({**domain_scores, OVERALL: scores.overall}, groups))
    if not problems:
        keys = [OVERALL, *(domain.id for domain in definition.domains)]
        plan.estimates = estimate_norms(plan.respondents, keys=keys, min_group=min_group)
        result.created = len(plan.respondents)
    return plan


def publish_survey_file(
    path: Path,
    *,
    by: Any,
    organisation: Organisation,
    instrument: str,
    valid_from: dt.date,
    source: str,
    label: str = "",
    min_group: int,
    is_synthetic: bool = False,
    file_name: str | None = None,
) -> tuple[HostSurvey, SurveyPlan]:
    """Reads, checks and publishes a survey file; raises `ImportRefused` (nothing written)
    when any row has a problem, `TableError` when the file cannot be read."""
    if valid_from > timezone.localdate():
        raise ValueError(_("The date the norms are in force from cannot be in the future."))
    table = read_table(path, source=file_name)
    plan = plan_survey(table, instrument=instrument, min_group=min_group)
    if plan.result.problems:
        raise ImportRefused(plan.result)
    survey = publish_host_survey(
        by=by,
        organisation=organisation,
        instrument=instrument,
        valid_from=valid_from,
        source=source,
        label=label,
        respondents=len(plan.respondents),
        min_group=min_group,
        estimates=plan.estimates,
        is_synthetic=is_synthetic,
    )
    plan.result.written = True
    return survey, plan
