"""Integratedness becomes relative to the host norm: stored trends gain the person's own rate
and the norm's, and record the norms they were computed against. Every stored trend was
computed under the older rule, so a rebuild is queued (`pathmark journeys refresh` runs it)."""

from django.db import migrations, models


def queue_rebuild(apps, schema_editor):  # type: ignore[no-untyped-def]
    trend = apps.get_model("journeys", "JourneyTrend")
    refresh = apps.get_model("journeys", "TrendRefresh")
    if trend.objects.exists():
        refresh.objects.create(
            reason="integratedness is now relative to the host norm: work out every journey again",
            rebuild=True,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("journeys", "0003_caseload_summaries"),
    ]

    operations = [
        migrations.AddField(
            model_name="journeytrend",
            name="norms_digest",
            field=models.CharField(blank=True, max_length=64, verbose_name="host norms used"),
        ),
        migrations.AddField(
            model_name="seriestrend",
            name="host_shift_per_year",
            field=models.FloatField(null=True, verbose_name="host norm shift per year"),
        ),
        migrations.AddField(
            model_name="seriestrend",
            name="progress_per_year",
            field=models.FloatField(null=True, verbose_name="progress per year"),
        ),
        migrations.RunPython(queue_rebuild, migrations.RunPython.noop),
    ]
