"""Import jobs from the web: upload, check, confirm, run. Each step is one transaction with its
audit entry; the slow work (checking and importing) runs as a background task, queued only
once the step that asks for it has committed."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pathmark.audit.services import record
from pathmark.instruments.registry import UnknownInstrument, get_instrument
from pathmark.instruments.services import instrument_version_for
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import system_scope

from .importing import ImportRefused, ImportResult, import_table
from .models import ImportJob, ImportKind, ImportStatus
from .tabular import Table, TableError, read_table

logger = logging.getLogger(__name__)

ALLOWED_SUFFIXES = (".csv", ".xlsx")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def private_root() -> Path:
    """Where uploaded files wait for their import: outside the web root, never served."""
    root = getattr(settings, "PATHMARK_PRIVATE_MEDIA", None)
    return Path(root) if root else Path(settings.BASE_DIR) / "private"


def job_file(job: ImportJob) -> Path | None:
    return private_root() / job.stored_file if job.stored_file else None


def check_upload(upload: UploadedFile) -> str:
    """The file's suffix if it is a spreadsheet of an acceptable size; ValidationError if not."""
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError(_("Upload a .csv or .xlsx file."))
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than 20 MB. Split it into smaller files and import each.")
        )
    return suffix


@transaction.atomic
def start_import_job(
    *, by: Any, organisation: Organisation, kind: str, instrument_slug: str, upload: UploadedFile
) -> ImportJob:
    """Stores the uploaded file privately and queues the check of every row."""
    suffix = check_upload(upload)
    if kind not in ImportKind.values:
        raise ValidationError(_("Choose what the file holds."))
    if kind == ImportKind.ASSESSMENTS:
        try:
            get_instrument(instrument_slug)
        except UnknownInstrument:
            raise ValidationError(_("Choose one of the instruments listed.")) from None
    else:
        instrument_slug = ""
    stored = Path("imports") / f"{uuid.uuid4().hex}{suffix}"
    target = private_root() / stored
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with target.open("wb") as destination:
        for chunk in upload.chunks():
            destination.write(chunk)
    job = ImportJob.objects.create(
        organisation=organisation,
        created_by=by,
        kind=kind,
        instrument_slug=instrument_slug,
        file_name=Path(upload.name or "upload").name[:200],
        stored_file=str(stored),
    )
    record(
        actor=by,
        organisation=organisation,
        action="transfer.uploaded",
        target=job,
        extra={"kind": kind, "instrument": instrument_slug},
    )
    from .tasks import check_import

    transaction.on_commit(lambda: check_import.enqueue(job.pk))
    return job


@transaction.atomic
def confirm_import_job(
    *, by: Any, organisation: Organisation, job: ImportJob, skip_invalid: bool = False
) -> ImportJob:
    """Queues the import of a checked file. With problems, only when the manager chose to
    leave the rows with problems out."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk, organisation=organisation)
    if job.status != ImportStatus.READY:
        raise ValidationError(_("This import is not waiting to be confirmed."))
    if job.problem_count and not skip_invalid:
        raise ValidationError(
            _(
                "The file has problems. Correct them and upload it again, or choose to leave "
                "out the rows with problems."
            )
        )
    if job.problem_count and job.rejected_rows >= job.total_rows:
        raise ValidationError(_("Every row has a problem, so there is nothing to import."))
    job.status = ImportStatus.IMPORTING
    job.processed_rows = 0
    job.save(update_fields=["status", "processed_rows"])
    record(
        actor=by,
        organisation=organisation,
        action="transfer.confirmed",
        target=job,
        extra={"leave_out_rows_with_problems": skip_invalid},
    )
    from .tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job.pk, skip_invalid))
    return job


@transaction.atomic
def cancel_import_job(*, by: Any, organisation: Organisation, job: ImportJob) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk, organisation=organisation)
    if job.status != ImportStatus.READY:
        raise ValidationError(_("Only an import waiting to be confirmed can be cancelled."))
    _finish(job, ImportStatus.FAILED, failure=_("Cancelled; nothing was imported."))
    record(actor=by, organisation=organisation, action="transfer.cancelled", target=job)
    return job


# --- The background steps (called by tasks.py inside the organisation's scope) ----------------


def _read(job: ImportJob) -> Table:
    path = job_file(job)
    if path is None or not path.is_file():
        raise TableError(_("The uploaded file is no longer there; upload it again."))
    return read_table(path, source=job.file_name)


def _progress(job_id: int):  # type: ignore[no-untyped-def]
    def report(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(processed_rows=done, total_rows=total)

    return report


def _store_result(job: ImportJob, result: ImportResult) -> None:
    job.total_rows = result.rows
    job.processed_rows = result.rows
    job.problems = [problem.stored() for problem in result.problems.listed]
    job.problem_count = result.problems.total
    job.rejected_rows = result.rejected
    job.created = result.created
    job.updated = result.updated
    job.unchanged = result.unchanged


def _finish(job: ImportJob, status: str, *, failure: str = "") -> None:
    """Ends a job and deletes its file: nothing uploaded outlives its import."""
    path = job_file(job)
    if path is not None:
        path.unlink(missing_ok=True)
    job.stored_file = ""
    job.status = status
    job.failure = failure[:300]
    job.finished_at = timezone.now()
    job.save()


def _version(job: ImportJob):  # type: ignore[no-untyped-def]
    return (
        instrument_version_for(job.instrument_slug) if job.kind == ImportKind.ASSESSMENTS else None
    )


def check_job(job_id: int) -> None:
    """Checks every row and records what the import would do, for the preview."""
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    if job.status != ImportStatus.CREATED:
        return
    job.status = ImportStatus.VALIDATING
    job.save(update_fields=["status"])
    try:
        table = _read(job)
        ImportJob.objects.filter(pk=job.pk).update(total_rows=len(table.rows))
        result = import_table(
            by=job.created_by,
            organisation=job.organisation,
            table=table,
            kind=job.kind,
            instrument_version=_version(job),
            dry_run=True,
            progress=_progress(job.pk),
            job_id=job.pk,
        )
    except TableError as error:
        _finish(job, ImportStatus.FAILED, failure=str(error))
        return
    except Exception:
        logger.exception("checking import %s failed", job.pk)
        _finish(job, ImportStatus.FAILED, failure=_("The file could not be checked."))
        return
    _store_result(job, result)
    job.status = ImportStatus.READY
    job.save()


def run_job(job_id: int, skip_invalid: bool) -> None:
    """Imports a confirmed file in one transaction; the rows are checked again inside it."""
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    if job.status != ImportStatus.IMPORTING:
        return
    try:
        table = _read(job)
        result = import_table(
            by=job.created_by,
            organisation=job.organisation,
            table=table,
            kind=job.kind,
            instrument_version=_version(job),
            skip_invalid=skip_invalid,
            job_id=job.pk,
        )
    except ImportRefused as refused:
        _store_result(job, refused.result)
        _finish(
            job,
            ImportStatus.FAILED,
            failure=_(
                "Records changed since the file was checked, and some rows no longer fit; "
                "nothing was imported. The problems are listed below."
            ),
        )
        return
    except TableError as error:
        _finish(job, ImportStatus.FAILED, failure=str(error))
        return
    except Exception:
        logger.exception("import %s failed", job.pk)
        _finish(
            job,
            ImportStatus.FAILED,
            failure=_("Something went wrong, so nothing was imported. Try again later."),
        )
        return
    _store_result(job, result)
    _finish(job, ImportStatus.COMPLETE)


STALE_AFTER = timedelta(hours=24)


def expire_stale_jobs(*, organisation: Organisation | None = None, dry_run: bool = False) -> int:
    """Ends import jobs left unfinished for a day and deletes their uploaded files: a file
    nobody confirmed must not sit on the server indefinitely, out of reach of erasure.
    The daily retention sweep calls it."""
    cutoff = timezone.now() - STALE_AFTER
    with system_scope("expiring unfinished import jobs"):
        stale = ImportJob.objects.filter(created_at__lt=cutoff, finished_at__isnull=True)
        if organisation is not None:
            stale = stale.filter(organisation=organisation)
        if dry_run:
            return stale.count()
        count = 0
        for job in stale:
            with transaction.atomic():
                _finish(
                    job,
                    ImportStatus.FAILED,
                    failure=_("Not confirmed within a day; upload the file again."),
                )
                record(
                    actor=None, organisation=job.organisation, action="transfer.expired", target=job
                )
            count += 1
        return count
