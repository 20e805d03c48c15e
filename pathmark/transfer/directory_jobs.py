"""HSDS packages uploaded from the web by the host organisation's administrators: upload,
check in the background (a dry run of `directory.services.import_package`), preview,
confirm, import in the background. The same job machinery as people's imports (the private
folder, the progress written to the job row, the file deleted when the job ends); the
directory's importer does the checking and writing, all or nothing."""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from pathmark.audit.services import record
from pathmark.directory import hsds
from pathmark.directory.models import DirectoryImportJob, DirectoryImportStatus
from pathmark.directory.services import ImportResult, import_package
from pathmark.organisations.models import Organisation
from pathmark.organisations.scoping import checks_organisation

from .services import _finish, _progress, job_file, private_root

logger = logging.getLogger(__name__)

ALLOWED_SUFFIXES = (".zip", ".json")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 500 * 1024 * 1024


def check_package_upload(upload: UploadedFile) -> str:
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError(
            _("Upload a .zip of the CSV files with their datapackage.json, or a .json file.")
        )
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than 50 MB."))
    return suffix


def _require_host(organisation: Organisation) -> None:
    if not organisation.is_partnership_host:
        raise ValidationError(_("Only the partnership's host organisation imports packages."))


@checks_organisation
@transaction.atomic
def start_directory_import(
    *, by: Any, organisation: Organisation, upload: UploadedFile
) -> DirectoryImportJob:
    """Stores the package privately and queues its check."""
    _require_host(organisation)
    suffix = check_package_upload(upload)
    stored = Path("directory-imports") / f"{uuid.uuid4().hex}{suffix}"
    target = private_root() / stored
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with target.open("wb") as destination:
        for chunk in upload.chunks():
            destination.write(chunk)
    job = DirectoryImportJob.objects.create(
        organisation=organisation,
        created_by=by,
        file_name=Path(upload.name or "package").name[:200],
        stored_file=str(stored),
    )
    record(actor=by, organisation=organisation, action="directory.uploaded", target=job)
    from .tasks import check_directory_import

    language = translation.get_language()
    transaction.on_commit(lambda: check_directory_import.enqueue(job.pk, language))
    return job


@checks_organisation
@transaction.atomic
def confirm_directory_import(
    *, by: Any, organisation: Organisation, job: DirectoryImportJob
) -> DirectoryImportJob:
    _require_host(organisation)
    job = DirectoryImportJob.objects.select_for_update().get(pk=job.pk, organisation=organisation)
    if job.status != DirectoryImportStatus.READY:
        raise ValidationError(_("This import is not waiting to be confirmed."))
    job.status = DirectoryImportStatus.IMPORTING
    job.processed_rows = 0
    job.save(update_fields=["status", "processed_rows"])
    record(actor=by, organisation=organisation, action="directory.upload_confirmed", target=job)
    from .tasks import run_directory_import

    language = translation.get_language()
    transaction.on_commit(lambda: run_directory_import.enqueue(job.pk, language))
    return job


@checks_organisation
@transaction.atomic
def cancel_directory_import(
    *, by: Any, organisation: Organisation, job: DirectoryImportJob
) -> DirectoryImportJob:
    job = DirectoryImportJob.objects.select_for_update().get(pk=job.pk, organisation=organisation)
    if job.status not in (DirectoryImportStatus.CREATED, DirectoryImportStatus.READY):
        raise ValidationError(_("This import can no longer be cancelled."))
    _finish(job, DirectoryImportStatus.FAILED, failure=_("Cancelled; nothing was imported."))
    record(actor=by, organisation=organisation, action="directory.upload_cancelled", target=job)
    return job


@contextmanager
def unpacked(job: DirectoryImportJob) -> Iterator[Path]:
    """The uploaded package as a path `import_package` reads: the .json file itself, or a
    zip unpacked into a private temporary folder (the folder holding datapackage.json, or
    the zip's .json documents), deleted afterwards."""
    path = job_file(job)
    if path is None or not path.is_file():
        raise hsds.PackageError(
            [hsds.Problem(job.file_name, None, "", _("The upload is no longer there."))]
        )
    if path.suffix == ".json":
        yield path
        return
    folder = Path(tempfile.mkdtemp(prefix="pathmark-hsds-"))
    try:
        try:
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
                    raise hsds.PackageError(
                        [hsds.Problem(job.file_name, None, "", _("It unpacks to over 500 MB."))]
                    )
                for member in members:
                    name = Path(member.filename)
                    if name.is_absolute() or ".." in name.parts:
                        raise hsds.PackageError(
                            [hsds.Problem(member.filename, None, "", _("Not a plain file name."))]
                        )
                    target = folder / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with archive.open(member) as source, target.open("wb") as destination:
                        shutil.copyfileobj(source, destination)
        except zipfile.BadZipFile:
            raise hsds.PackageError(
                [hsds.Problem(job.file_name, None, "", _("This is not a readable .zip file."))]
            ) from None
        descriptors = sorted(folder.rglob(hsds.DESCRIPTOR), key=lambda p: len(p.parts))
        yield descriptors[0].parent if descriptors else folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _store(job: DirectoryImportJob, result: ImportResult) -> None:
    job.total_rows = job.processed_rows = result.rows
    job.counts = result.counts
    job.preview = result.services[:500]
    job.created = result.created
    job.updated = result.updated
    job.unchanged = result.unchanged
    job.problems = []
    job.problem_count = 0


def _refused(job: DirectoryImportJob, refused: hsds.PackageError) -> None:
    job.problems = [problem.stored() for problem in refused.problems]
    job.problem_count = refused.total
    _finish(
        job,
        DirectoryImportStatus.FAILED,
        failure=_(
            "The package has problems, so nothing was imported. Correct them and upload it again."
        ),
    )


def check_directory_job(job_id: int) -> None:
    """Checks every row of the package and records what importing it would do."""
    job = DirectoryImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    if job.status != DirectoryImportStatus.CREATED:
        return
    job.status = DirectoryImportStatus.VALIDATING
    job.save(update_fields=["status"])
    try:
        with unpacked(job) as path:
            result = import_package(
                by=job.created_by,
                organisation=job.organisation,
                path=path,
                dry_run=True,
                progress=_progress(job.pk, DirectoryImportJob),
            )
    except hsds.PackageError as refused:
        _refused(job, refused)
        return
    except Exception:
        logger.exception("checking directory import %s failed", job.pk)
        _finish(job, DirectoryImportStatus.FAILED, failure=_("The package could not be checked."))
        return
    _store(job, result)
    job.status = DirectoryImportStatus.READY
    job.save()


def run_directory_job(job_id: int) -> None:
    """Imports a confirmed package in one transaction; every row is checked again."""
    job = DirectoryImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    if job.status != DirectoryImportStatus.IMPORTING:
        return
    try:
        with unpacked(job) as path:
            result = import_package(
                by=job.created_by,
                organisation=job.organisation,
                path=path,
                progress=_progress(job.pk, DirectoryImportJob),
                audit_details={"directory_import": job.pk},
            )
    except hsds.PackageError as refused:
        _refused(job, refused)
        return
    except Exception:
        logger.exception("directory import %s failed", job.pk)
        _finish(
            job,
            DirectoryImportStatus.FAILED,
            failure=_("Something went wrong, so nothing was imported. Try again later."),
        )
        return
    _store(job, result)
    _finish(job, DirectoryImportStatus.COMPLETE)
