"""Each journey's series move into its own row (`JourneyTrend.series`) and the one-row-per-series
table goes: a rebuild of a city's trends wrote eleven rows a person, most of its time.

Trends are derived data: the stored ones are removed and a rebuild is queued (as in 0002),
so the caseload page says its figures are on their way until `pathmark journeys refresh` (or
the task worker) has worked every journey out again."""

from django.db import migrations, models


def forget_trends_and_queue_a_rebuild(apps, schema_editor):  # type: ignore[no-untyped-def]
    journey = apps.get_model("journeys", "JourneyTrend")
    summary = apps.get_model("journeys", "CaseloadSummary")
    assessment = apps.get_model("assessments", "Assessment")
    refresh = apps.get_model("journeys", "TrendRefresh")
    journey.objects.all().delete()
    summary.objects.all().delete()
    if assessment.objects.filter(status="completed").exists():
        refresh.objects.create(
            reason="stored journey trends changed shape: work out every journey again",
            rebuild=True,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
        ("journeys", "0008_interval_labels"),
    ]

    operations = [
        migrations.RunPython(forget_trends_and_queue_a_rebuild, migrations.RunPython.noop),
        migrations.DeleteModel(name="SeriesTrend"),
        migrations.AddField(
            model_name="journeytrend",
            name="series",
            field=models.JSONField(default=list, verbose_name="series"),
        ),
    ]
