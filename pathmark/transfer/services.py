"""Import and export jobs from the web. Imports: upload, check, confirm, run; exports: prepare,
download, discard. Each step is one transaction with its audit entry; the slow work
(checking, importing, writing the export) runs as a background task, queued only once the step
that asks for it has committed."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pathmark.audit.services import record
from pathmark.core.uploads import too_large_message, upload_limit
from pathmark.directory.models import DirectoryImportJob
from pathmark.instruments.registry import UnknownInstrument, get_instrument
from pathmark.instruments.services import instrument_version_for
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import checks_organisation, system_scope

from .exporting import ExportCancelled, ExportedFile, export_to_zip, plan_export
from .importing import ImportRefused, ImportResult, import_table
from .models import EXPORT_UNDER_WAY, ExportJob, ExportStatus, ImportJob, ImportKind, ImportStatus
from .tabular import Table, TableError, check_workbook, read_table

logger = logging.getLogger(__name__)

ALLOWED_SUFFIXES = (".csv", ".xlsx")


def _limits() -> dict[str, int]:
    """The reading limits of an import (settings.py says why each exists)."""
    return {
        "max_rows": settings.PATHMARK_IMPORT_MAX_ROWS,
        "max_uncompressed": settings.PATHMARK_IMPORT_MAX_UNCOMPRESSED_BYTES,
    }


def private_root() -> Path:
    """Where uploaded files wait for their import and exports wait for their download:
    outside the web root, never served by the web server (a download goes through a view
    that checks who is asking)."""
    root = getattr(settings, "PATHMARK_PRIVATE_MEDIA", None)
    return Path(root) if root else Path(settings.BASE_DIR) / "private"


def job_file(job: ImportJob | DirectoryImportJob) -> Path | None:
    return private_root() / job.stored_file if job.stored_file else None


def check_upload(upload: UploadedFile) -> str:
    """The file's suffix if it is a spreadsheet of an acceptable size; ValidationError if not.

    Only what costs nothing is checked in the request: the size (already counted as it
    arrived, `core.uploads`) and, for a workbook, the sizes its zip directory declares. Every
    row is read by the background check (`check_job`), which stops at the row limit."""
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError(_("Upload a .csv or .xlsx file."))
    if upload.size is not None and upload.size > upload_limit():
        raise ValidationError(too_large_message())
    if suffix == ".xlsx":
        try:
            check_workbook(
                upload.file,
                source=Path(upload.name or "upload").name,
                max_uncompressed=settings.PATHMARK_IMPORT_MAX_UNCOMPRESSED_BYTES,
            )
        except TableError as error:
            raise ValidationError(str(error)) from None
        finally:
            upload.seek(0)
    return suffix


@checks_organisation
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

    language = translation.get_language()
    transaction.on_commit(lambda: check_import.enqueue(job.pk, language))
    return job


@checks_organisation
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

    language = translation.get_language()
    transaction.on_commit(lambda: run_import.enqueue(job.pk, skip_invalid, language))
    return job


@checks_organisation
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
    return read_table(path, source=job.file_name, **_limits())


def _progress(job_id: int, model: type[ImportJob | DirectoryImportJob] = ImportJob):  # type: ignore[no-untyped-def]
    """Writes a job's progress to its row as the work goes on (people, assessment and
    directory imports alike), for the page that watches it."""

    def report(done: int, total: int) -> None:
        model.objects.filter(pk=job_id).update(processed_rows=done, total_rows=total)

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


def _finish(job: ImportJob | DirectoryImportJob, status: str, *, failure: str = "") -> None:
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
EXPORT_KEPT_FOR = timedelta(hours=24)


@checks_organisation
def expire_stale_jobs(*, organisation: Organisation | None = None, dry_run: bool = False) -> int:
    """Ends import jobs left unfinished for a day and deletes their uploaded files, and
    deletes each export a day after it was ready (or a day after it began, if it never
    finished): no copy of the records may sit on the server indefinitely, out of reach of
    erasure. The daily retention sweep calls it. Returns the number of jobs ended (imports
    and exports)."""
    now = timezone.now()
    cutoff = now - STALE_AFTER
    with system_scope("expiring unfinished import jobs and old export files"):
        stale = ImportJob.objects.filter(created_at__lt=cutoff, finished_at__isnull=True)
        old_exports = ExportJob.objects.filter(
            Q(status=ExportStatus.READY, expires_at__lte=now)
            | Q(status__in=EXPORT_UNDER_WAY, created_at__lt=cutoff)
        )
        if organisation is not None:
            stale = stale.filter(organisation=organisation)
            old_exports = old_exports.filter(organisation=organisation)
        if dry_run:
            return stale.count() + old_exports.count()
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
        for pk in old_exports.values_list("pk", flat=True):
            count += _expire_export(pk, now=now, cutoff=cutoff)
        return count


# --- Exports ----------------------------------------------------------------------------------


class ExportUnavailable(LookupError):
    """The export is not (or no longer) there to download."""


def export_file(job: ExportJob) -> Path | None:
    return private_root() / job.stored_file if job.stored_file else None


def _partial(path: Path) -> Path:
    """Where the zip is written until it is complete, so no half file is ever downloaded."""
    return path.with_name(path.name + ".part")


def _end_export(job: ExportJob, status: str, *, failure: str = "") -> None:
    """Ends an export and deletes its file (and any half-written one)."""
    path = export_file(job)
    if path is not None:
        # Deleted at once, not after commit: should the transaction then fail, the row
        # points at a missing file (which a download answers with 404), never the reverse.
        path.unlink(missing_ok=True)
        _partial(path).unlink(missing_ok=True)
    job.stored_file = ""
    job.status = status
    job.failure = failure[:300]
    if job.finished_at is None:
        job.finished_at = timezone.now()
    job.save()


def _expire_export(pk: int, *, now: datetime, cutoff: datetime) -> int:
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("organisation").get(pk=pk)
        # Checked again under the lock: the job may have finished or been deleted since.
        if job.status == ExportStatus.READY and job.expires_at and job.expires_at <= now:
            _end_export(job, ExportStatus.EXPIRED)
        elif job.status in EXPORT_UNDER_WAY and job.created_at < cutoff:
            _end_export(
                job,
                ExportStatus.FAILED,
                failure=_("Not finished within a day; prepare a new export."),
            )
        else:
            return 0
        record(
            actor=None,
            organisation=job.organisation,
            action="transfer.export_expired",
            target=job,
        )
        return 1


@checks_organisation
def export_under_way(organisation: Organisation) -> ExportJob | None:
    return ExportJob.objects.filter(organisation=organisation, status__in=EXPORT_UNDER_WAY).first()


@checks_organisation
@transaction.atomic
def start_export_job(*, by: Any, organisation: Organisation) -> tuple[ExportJob, bool]:
    """Queues an export of every person and assessment of the organisation, or returns the
    one already under way (with False): one export at a time per organisation."""
    running = export_under_way(organisation)
    if running is not None:
        return running, False
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(organisation=organisation, created_by=by)
    except IntegrityError:
        # Another manager asked at the same moment; the database let only theirs in.
        running = export_under_way(organisation)
        if running is None:
            raise
        return running, False
    record(actor=by, organisation=organisation, action="transfer.export_requested", target=job)
    from .tasks import prepare_export

    transaction.on_commit(lambda: prepare_export.enqueue(job.pk))
    return job, True


@checks_organisation
@transaction.atomic
def discard_export_job(*, by: Any, organisation: Organisation, job: ExportJob) -> ExportJob:
    """Deletes an export's file now, rather than after its day. An export still being
    prepared stops at its next chunk of rows."""
    job = ExportJob.objects.select_for_update().get(pk=job.pk, organisation=organisation)
    if job.status not in (*EXPORT_UNDER_WAY, ExportStatus.READY):
        raise ValidationError(_("This export has already ended; there is no file to delete."))
    _end_export(job, ExportStatus.DISCARDED)
    record(actor=by, organisation=organisation, action="transfer.export_discarded", target=job)
    return job


@checks_organisation
def discard_exports_holding_erased_person(*, by: Any, organisation: Organisation) -> int:
    """An export made (or being made) before an erasure would still hold the erased person
    for up to a day; erasure ends every such export of the organisation at once. Called
    inside the erasure's transaction."""
    jobs = ExportJob.objects.select_for_update().filter(
        organisation=organisation, status__in=(*EXPORT_UNDER_WAY, ExportStatus.READY)
    )
    count = 0
    for job in jobs:
        _end_export(job, ExportStatus.DISCARDED)
        record(
            actor=by,
            organisation=organisation,
            action="transfer.export_discarded",
            target=job,
            extra={"because": "person_erased"},
        )
        count += 1
    return count


@checks_organisation
def open_export(*, by: Any, organisation: Organisation, job: ExportJob) -> BinaryIO:
    """The finished zip, opened for reading, with the download audited. Raises
    ExportUnavailable when it is not ready, has expired or was deleted."""
    path = export_file(job)
    if (
        job.organisation_id != organisation.pk
        or job.status != ExportStatus.READY
        or job.expires_at is None
        or job.expires_at <= timezone.now()
        or path is None
    ):
        raise ExportUnavailable
    try:
        # Opened before the audit entry, so an entry is never written for a file that is
        # gone; once open, it can be read to the end even if the sweep deletes it meanwhile.
        stream = path.open("rb")
    except FileNotFoundError:
        raise ExportUnavailable from None
    record(
        actor=by,
        organisation=organisation,
        action="transfer.export_downloaded",
        target=job,
        extra={"people": job.people, "assessments": job.assessments},
    )
    return stream


def run_export_job(job_id: int) -> None:
    """Writes the export's zip (called by tasks.py inside the organisation's scope)."""
    stored = Path("exports") / f"{uuid.uuid4().hex}.zip"
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), stored_file=str(stored)
    )
    if not claimed:
        return  # deleted before it began, or run already
    job = ExportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    target = private_root() / stored
    partial = _partial(target)
    try:
        partial.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        plan = plan_export(job.organisation)
        ExportJob.objects.filter(pk=job_id).update(total_rows=plan.total_rows)
        files = export_to_zip(
            partial,
            by=job.created_by,
            organisation=job.organisation,
            plan=plan,
            progress=_export_progress(job_id),
            audit_details={"export": job_id},
        )
    except ExportCancelled:
        return  # deleted while it ran; export_to_zip removed the half-written zip
    except Exception:
        logger.exception("export %s failed", job_id)
        _fail_export(job_id, _("Something went wrong, so no file was kept. Try again later."))
        return
    try:
        _complete_export(job, files, partial, target)
    except Exception:
        logger.exception("export %s could not be completed", job_id)
        _fail_export(job_id, _("Something went wrong, so no file was kept. Try again later."))


def _export_progress(job_id: int):  # type: ignore[no-untyped-def]
    def report(done: int, total: int) -> None:
        still_running = ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING).update(
            processed_rows=done, total_rows=total
        )
        if not still_running:
            raise ExportCancelled

    return report


def _fail_export(job_id: int, failure: str) -> None:
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("organisation").get(pk=job_id)
        if job.status not in EXPORT_UNDER_WAY:
            return  # deleted meanwhile, and its files with it
        _end_export(job, ExportStatus.FAILED, failure=failure)
        record(
            actor=None, organisation=job.organisation, action="transfer.export_failed", target=job
        )


def _complete_export(
    job: ExportJob, files: list[ExportedFile], partial: Path, target: Path
) -> None:
    with transaction.atomic():
        # Under the row's lock, so a manager deleting the export at this moment either
        # finds it ready (and deletes the file) or makes this step drop it.
        locked = ExportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ExportStatus.RUNNING:
            partial.unlink(missing_ok=True)
            return
        partial.replace(target)
        finished = timezone.now()
        locked.status = ExportStatus.READY
        locked.files = [{"name": f.name, "rows": f.rows} for f in files]
        locked.people = files[0].rows
        locked.assessments = sum(f.rows for f in files[1:])
        locked.processed_rows = locked.total_rows = locked.people + locked.assessments
        locked.file_size = target.stat().st_size
        locked.finished_at = finished
        locked.expires_at = finished + EXPORT_KEPT_FOR
        locked.save()
        record(
            actor=job.created_by,
            organisation=job.organisation,
            action="transfer.exported",
            target=locked,
            extra={"files": {f.name: f.rows for f in files}},
        )


def exports_forget_erased_person(*, person: Any, by: Any) -> tuple[str, int]:
    """Receiver of `privacy.hooks.person_erased`."""
    return "transfer.exports", discard_exports_holding_erased_person(
        by=by, organisation=person.organisation
    )


@checks_organisation
def sweep_stale_files(*, organisation: Organisation | None, dry_run: bool) -> tuple[str, int]:
    """Receiver of `privacy.hooks.retention_sweep`."""
    return "transfer.stale_files", expire_stale_jobs(organisation=organisation, dry_run=dry_run)
