"""Background work of the journeys app: refreshing stored trends after many assessments
changed at once. The task takes the job's id and works in the system scope, because a
person's trend is computed from every organisation's assessments of them."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def refresh_trends_job(job_id: int) -> dict[str, int]:
    """Runs the refresh job and returns its counts, which the task backend keeps."""
    summary = services.run_refresh(job_id)
    return {
        "people": summary.people,
        "journeys": summary.journeys,
        "changed": summary.changed,
        "turned_down": summary.turned_down,
    }
