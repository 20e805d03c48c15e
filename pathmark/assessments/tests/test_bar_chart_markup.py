"""The bar chart and the score table written in Python are the markup their template loops
wrote (the templates kept beside this test as they were), in both directions and languages,
scored or not."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from django.template import Context, Engine
from django.utils import translation

from pathmark.assessments.charts import domain_bar_chart
from pathmark.assessments.presentation import bar_chart, score_table
from pathmark.assessments.selectors import AssessmentResult, DomainScore

ENGINE = Engine(
    loaders=[
        (
            "django.template.loaders.locmem.Loader",
            {
                "chart": (Path(__file__).parent / "bar_chart_template.html").read_text("utf-8"),
                "table": (Path(__file__).parent / "score_table_template.html").read_text("utf-8"),
            },
        )
    ],
    libraries={
        "i18n": "django.templatetags.i18n",
        "l10n": "django.templatetags.l10n",
        "numbers": "pathmark.core.templatetags.numbers",
    },
)

LABELS = [
    "Work",
    "Housing & home",
    "<Health>",
    "Langue française",
    "العمل",
    "A very long name of an area that does not fit the label column at all",
]


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("rtl", [False, True])
def test_the_chart_is_what_the_template_drew(language, rtl):
    rng = random.Random(f"{language}{rtl}")
    template = ENGINE.get_template("chart")
    with translation.override(language):
        for count in range(1, 16):
            rows = [
                (
                    rng.choice(LABELS),
                    rng.choice([None, 0, 100, 37.5, -3.0, 140.0, rng.uniform(0, 100)]),
                )
                for _ in range(count)
            ]
            chart = domain_bar_chart(rows, rtl=rtl)
            chart_id = rng.choice(["chart-A-0001", 'x"<y>'])
            expected = template.render(Context({"chart": chart, "chart_id": chart_id}))
            assert bar_chart(chart, chart_id) == expected


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_score_table_is_what_the_template_drew(language):
    rng = random.Random(language)
    template = ENGINE.get_template("table")
    with translation.override(language):
        for count in range(1, 16):
            domains = tuple(
                DomainScore(
                    id=f"d{index}",
                    title=rng.choice(LABELS),
                    language=rng.choice(["en", "ar", 'x"y']),
                    score=rng.choice([None, 0.0, 100.0, 37.5, -3.0, rng.uniform(0, 100)]),
                )
                for index in range(count)
            )
            overall = rng.choice([None, 55.25, 0.0])
            result = AssessmentResult(None, "", domains, overall, "", "", None)  # type: ignore[arg-type]
            caption = rng.choice(["Scores by area, Integration Journey", "<b>&</b>"])
            context = {"result": result, "caption": caption}
            assert score_table(result, caption) == template.render(Context(context))


def test_another_chart_names_itself_and_its_bars_without_a_score():
    """The capacity page's chart of needs uses the same drawing with its own title (markup
    from a template, kept as it is; text escaped) and its own word for a bar with no score."""
    from django.utils.safestring import mark_safe

    chart = domain_bar_chart([("Governance", 40.0), ("Finance", None)])
    drawn = bar_chart(
        chart, "needs-chart", mark_safe("Share <i>needing</i> support"), "no & scores"
    )
    assert '<title id="needs-chart-title">Share <i>needing</i> support</title>' in drawn
    assert ">no &amp; scores</text>" in drawn and "not scored" not in drawn
    assert "Domain scores" not in bar_chart(chart, "x", "A & B") and "A &amp; B" in bar_chart(
        chart, "x", "A & B"
    )
