"""Organisational capacity: an organisation's self-assessments of its own capacity.

Not personal data: the answers describe the organisation (its committee, its accounts, its
volunteers), so rows are not scoped like people's. Who may read them is decided in
`selectors.py`: the organisation itself, and the partnership host's support roles for
completed results. They are kept apart from funding (seed 000: "We separate support from
funding"): nothing in reports, the funder report or the evidence bank reads this table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CapacityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", _("Completed")


class CapacityAssessment(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="capacity_assessments",
        verbose_name=_("organisation assessed"),
    )
    # The exact version answered, so a result can always be explained and rescored.
    instrument_version = models.ForeignKey(
        "instruments.InstrumentVersion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("instrument version"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CapacityStatus.choices, default=CapacityStatus.DRAFT
    )
    language = models.CharField(_("language"), max_length=10)
    assessed_on = models.DateField(_("date of assessment"))
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    item_scores = models.JSONField(_("item scores"), default=dict, blank=True)
    domain_scores = models.JSONField(_("domain scores"), default=dict, blank=True)
    # The stage of each area (domain id → stage id): the support it needs, stored with the
    # scores so the partnership page filters on it without parsing the instrument.
    domain_stages = models.JSONField(_("stage of each area"), default=dict, blank=True)
    overall_score = models.FloatField(_("overall score"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=60, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        indexes = [
            # An organisation's history, and the latest completed result of each organisation.
            models.Index(
                fields=["organisation", "status", "assessed_on"], name="capacity_org_status_date"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", completed_at__isnull=True)
                | Q(status="completed", completed_at__isnull=False),
                name="capacity_completed_has_time",
            )
        ]
        verbose_name = _("capacity assessment")
        verbose_name_plural = _("capacity assessments")

    def __str__(self) -> str:
        return f"C-{self.pk:06d}" if self.pk else "C-new"

    @property
    def is_draft(self) -> bool:
        return self.status == CapacityStatus.DRAFT
