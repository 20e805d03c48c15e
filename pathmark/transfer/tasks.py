"""Background tasks of imports and exports. They take the job's id, look up its
organisation, and do their work inside that organisation's scope, as a request by its member
would."""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django_tasks import task

from pathmark.directory.models import DirectoryImportJob
from pathmark.organisations.scoping import organisation_scope, system_scope

from . import services
from .models import ExportJob, ImportJob


def _scope_of(model: type[models.Model], job_id: int):  # type: ignore[no-untyped-def]
    with system_scope("find the organisation of an import or export job"):
        organisation_id, user_id = model._default_manager.values_list(
            "organisation_id", "created_by_id"
        ).get(pk=job_id)
    return organisation_scope(organisation_id=organisation_id, user_id=user_id)


# A worker has no request, so no interface language: the uploader's language travels with
# the task, and the problems it finds are written in it. None (tasks queued before this
# argument existed) falls back to LANGUAGE_CODE.


@task()
def check_import(job_id: int, language: str | None = None) -> None:
    with _scope_of(ImportJob, job_id), translation.override(language):
        services.check_job(job_id)


@task()
def run_import(job_id: int, skip_invalid: bool, language: str | None = None) -> None:
    with _scope_of(ImportJob, job_id), translation.override(language):
        services.run_job(job_id, skip_invalid)


@task()
def prepare_export(export_id: int) -> None:
    with _scope_of(ExportJob, export_id):
        services.run_export_job(export_id)


@task()
def check_directory_import(job_id: int, language: str | None = None) -> None:
    from .directory_jobs import check_directory_job

    with _scope_of(DirectoryImportJob, job_id), translation.override(language):
        check_directory_job(job_id)


@task()
def run_directory_import(job_id: int, language: str | None = None) -> None:
    from .directory_jobs import run_directory_job

    with _scope_of(DirectoryImportJob, job_id), translation.override(language):
        run_directory_job(job_id)
