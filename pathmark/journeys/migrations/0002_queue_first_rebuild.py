"""Queues the first working-out of every stored journey trend on a database that already holds
completed assessments (an upgrade), so the caseload page says its figures are on their way
rather than showing an empty caseload; `pathmark journeys refresh` runs the queued job."""

from django.db import migrations


def queue_first_rebuild(apps, schema_editor):  # type: ignore[no-untyped-def]
    assessment = apps.get_model("assessments", "Assessment")
    refresh = apps.get_model("journeys", "TrendRefresh")
    if assessment.objects.filter(status="completed").exists():
        refresh.objects.create(
            reason="stored journey trends are new: work out every journey once",
            rebuild=True,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
        ("journeys", "0001_initial"),
    ]

    operations = [migrations.RunPython(queue_first_rebuild, migrations.RunPython.noop)]
