"""Reports over large cohorts, worked out in the background and kept for reuse: a row per run
with its progress, and the finished figures (aggregates already suppressed as they will be
shown, never an identity)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    COMPLETE = "complete", _("Complete")
    FAILED = "failed", _("Failed")


class ReportRun(models.Model):
    # What was asked, by whom, for which organisation's members (the figures are suppressed
    # for them): `key` says it all, so a finished run answers the same question again until
    # the data it was made from changes (`fingerprint`).
    key = models.CharField(max_length=64)
    kind = models.CharField(_("report"), max_length=20)
    filters = models.JSONField(default=dict)
    language = models.CharField(max_length=10)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("assessments"), default=0)
    done = models.PositiveIntegerField(_("assessments read"), default=0)
    result = models.JSONField(null=True, blank=True)
    failure = models.CharField(_("why it failed"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "key", "status"], name="reports_run_key")]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")

    def __str__(self) -> str:
        return f"report run {self.pk} ({self.kind}, {self.status})"

    @property
    def share_done(self) -> float:
        return self.done / self.total if self.total else 0.0
