"""Background tasks of an import. They take the job's id, look up its organisation, and do
their work inside that organisation's scope, as a request by its member would."""

from __future__ import annotations

from django_tasks import task

from pathmark.organisations.scoping import organisation_scope, system_scope

from . import services
from .models import ImportJob


def _scope_of(job_id: int):  # type: ignore[no-untyped-def]
    with system_scope("find the organisation of an import job"):
        organisation_id, user_id = ImportJob.objects.values_list(
            "organisation_id", "created_by_id"
        ).get(pk=job_id)
    return organisation_scope(organisation_id=organisation_id, user_id=user_id)


@task()
def check_import(job_id: int) -> None:
    with _scope_of(job_id):
        services.check_job(job_id)


@task()
def run_import(job_id: int, skip_invalid: bool) -> None:
    with _scope_of(job_id):
        services.run_job(job_id, skip_invalid)
