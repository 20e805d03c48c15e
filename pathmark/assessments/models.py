"""Assessments: one person's answers to one version of an instrument, and the scores they gave.

Answers are special-category personal data. They live only in `Assessment.answers`: never in
audit entries, logs or messages. An assessment is visible wherever its person is visible (see
`organisations.scoping`), but only the organisation that ran it may change it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pathmark.organisations.scoping import ScopedManager
from pathmark.people import access
from pathmark.people.models import Person, visible_with_person


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", _("Completed")
    # Set aside (see `services.set_aside_assessment`): kept, shown with why, but no longer part
    # of the person's journey, trends or reports.
    WITHDRAWN = "withdrawn", _("Withdrawn by the organisation that recorded it")
    DISPUTED = "disputed", _("Disputed by the person's organisation")


SET_ASIDE = (AssessmentStatus.WITHDRAWN, AssessmentStatus.DISPUTED)


class SetAsideReason(models.TextChoices):
    IN_ERROR = "recorded_in_error", _("Recorded in error (wrong person or questionnaire)")
    WRONG_DATE = "wrong_date", _("The date is wrong")
    DUPLICATE = "duplicate", _("A duplicate of another assessment")
    NOT_AGREED = "not_agreed", _("The person does not recognise it")
    OTHER = "other", _("Another reason")


class AssessmentMode(models.TextChoices):
    CASEWORKER_LED = "caseworker_led", _("Caseworker-led")
    SELF_COMPLETED = "self_completed", _("Self-completed")
    WITH_INTERPRETER = "with_interpreter", _("With an interpreter")


class DiscardReason(models.TextChoices):
    MISTAKE = "started_by_mistake", _("Started by mistake (wrong person or questionnaire)")
    DUPLICATE = "duplicate", _("A duplicate of another draft")
    DECLINED = "person_declined", _("The person did not want to continue")
    OTHER = "other", _("Another reason")


class Assessment(models.Model):
    # PROTECT, not CASCADE: deleting a person must go through the erasure service, which
    # decides deliberately what happens to their assessments; a stray `person.delete()` must
    # not silently remove the history that journeys and funder reports are built on.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessments")
    # The organisation that ran it, which may differ from the person's own organisation when
    # the person agreed to share their record.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("run by organisation"),
    )
    # A past assessment keeps the exact version it was answered on, so its scores can always
    # be explained and recomputed even after the instrument changes.
    instrument_version = models.ForeignKey(
        "instruments.InstrumentVersion",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("instrument version"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    mode = models.CharField(_("how it was done"), max_length=20, choices=AssessmentMode.choices)
    language = models.CharField(_("language"), max_length=10)
    assessed_on = models.DateField(_("date of assessment"))
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    item_scores = models.JSONField(_("item scores"), default=dict, blank=True)
    domain_scores = models.JSONField(_("domain scores"), default=dict, blank=True)
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
    # Who set a completed assessment aside, when and why (a code: the row outlives any note).
    set_aside_at = models.DateTimeField(_("set aside on"), null=True, blank=True)
    set_aside_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_aside_reason = models.CharField(
        _("why it was set aside"), max_length=20, choices=SetAsideReason.choices, blank=True
    )

    objects = ScopedManager()

    # Answers may hold free text in the person's own words: never read in aggregate scope.
    IDENTIFYING_FIELDS = ("answers",)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        base_manager_name = "objects"
        indexes = [
            # A person's history and latest scores (the person page, journeys).
            models.Index(fields=["person", "assessed_on"], name="assessment_person_date"),
            # Cohort reports: an organisation's completed assessments over a period.
            models.Index(
                fields=["organisation", "status", "assessed_on"], name="assessment_org_status_date"
            ),
            # The start page's unfinished assessments, oldest first: few rows among many.
            models.Index(
                fields=["organisation", "created_at"],
                condition=Q(status="draft"),
                name="assessment_org_drafts",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", completed_at__isnull=True)
                | Q(
                    status__in=["completed", "withdrawn", "disputed"],
                    completed_at__isnull=False,
                ),
                name="assessment_completed_has_time",
            )
        ]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"A-{self.pk:06d}" if self.pk else "A-new"

    visible_in_scope = staticmethod(visible_with_person(access.ASSESSMENTS))

    @property
    def reference(self) -> str:
        return str(self)

    @property
    def is_draft(self) -> bool:
        return self.status == AssessmentStatus.DRAFT

    @property
    def is_completed(self) -> bool:
        return self.status == AssessmentStatus.COMPLETED

    @property
    def is_set_aside(self) -> bool:
        return self.status in SET_ASIDE
