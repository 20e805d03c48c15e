"""Background work of the reports app: a report run takes its id and reads in the
aggregate-only scope its selectors enter themselves."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def build_report(run_id: int) -> None:
    services.run_report(run_id)
