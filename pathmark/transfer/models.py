"""Import jobs: one uploaded file on its way from preview to the database.

A job row is what a manager watches while the import runs in the background. It holds counts
and where the problems are (row, column, what to fix), never the values from the file: the
file itself sits outside the web root and is deleted when the job ends.
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
