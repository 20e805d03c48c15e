"""Import and export jobs: one uploaded file on its way from preview to the database, and one
organisation's records on their way out as a zip.

A job row is what a manager watches while the work runs in the background. It holds counts and
where the problems are (row, column, what to fix), never the values from a file: the files
themselves sit outside the web root and are deleted when the job ends (an import's) or a day
after it ends (an export's).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pathmark.organisations.scoping import Scope, ScopedManager


class ImportKind(models.TextChoices):
    PEOPLE = "people", _("People")
    ASSESSMENTS = "assessments", _("Assessments")


class ImportStatus(models.TextChoices):
    CREATED = "created", _("Uploaded")
    VALIDATING = "validating", _("Checking the file")
    READY = "ready", _("Ready to import")
    IMPORTING = "importing", _("Importing")
    COMPLETE = "complete", _("Complete")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("what it imports"), max_length=20, choices=ImportKind.choices)
    instrument_slug = models.SlugField(_("instrument"), max_length=100, blank=True)
    file_name = models.CharField(_("file name"), max_length=200)
    # Relative to PATHMARK_PRIVATE_MEDIA; emptied once the file is deleted.
    stored_file = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.CREATED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows done"), default=0)
    # [{"row": 3, "column": "gender", "message": "..."}]: where and what, never the value.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    problem_count = models.PositiveIntegerField(_("problems found"), default=0)
    rejected_rows = models.PositiveIntegerField(_("rows rejected"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    failure = models.CharField(_("why it failed"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        base_manager_name = "objects"
        indexes = [models.Index(fields=["organisation", "-created_at"], name="import_job_org_time")]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"I-{self.pk:06d}" if self.pk else "I-new"

    @staticmethod
    def visible_in_scope(scope: Scope) -> Q:
        return Q(organisation_id=scope.organisation_id)

    @property
    def is_running(self) -> bool:
        return self.status in (
            ImportStatus.CREATED,
            ImportStatus.VALIDATING,
            ImportStatus.IMPORTING,
        )

    @property
    def percent_done(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Preparing")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
    DISCARDED = "discarded", _("Deleted")


EXPORT_UNDER_WAY = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class ExportJob(models.Model):
    """One export of an organisation's records: prepared in the background into a zip outside
    the web root, downloadable by its managers for a day, then deleted. The row stays, with
    its counts and who asked, once the file is gone."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    # Relative to PATHMARK_PRIVATE_MEDIA; set when the export starts (the zip is written
    # beside it under a `.part` name until complete) and emptied once the file is deleted.
    stored_file = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows done"), default=0)
    people = models.PositiveIntegerField(_("people"), default=0)
    assessments = models.PositiveIntegerField(_("assessments"), default=0)
    # [{"name": "people.csv", "rows": 120}, ...]: file names and counts, never contents.
    files = models.JSONField(_("files"), default=list, blank=True)
    failure = models.CharField(_("why it failed"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        base_manager_name = "objects"
        indexes = [models.Index(fields=["organisation", "-created_at"], name="export_job_org_time")]
        constraints = [
            # Two managers pressing at once get the same export, not two copies of every record.
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status__in=EXPORT_UNDER_WAY),
                name="one_export_under_way_per_organisation",
            )
        ]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"E-{self.pk:06d}" if self.pk else "E-new"

    @staticmethod
    def visible_in_scope(scope: Scope) -> Q:
        return Q(organisation_id=scope.organisation_id)

    @property
    def is_running(self) -> bool:
        return self.status in EXPORT_UNDER_WAY

    @property
    def percent_done(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
