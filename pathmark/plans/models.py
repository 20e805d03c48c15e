"""Personal Integration Plans: what a person and their caseworker agree to work on next.

A plan is drafted from a completed assessment (`drafting.py` chooses the priorities), edited
by the caseworkers of the organisation that holds it, agreed by the client (`Agreement`), and
reviewed (`Review`) against the next assessment. Every change raises `Plan.version` and leaves a
`PlanChange` row (who, when, what it was before and after): the version is the optimistic lock
that keeps two caseworkers from overwriting each other, the rows are the plan's history.

Plans are personal data about one person: every model here is scoped with the person's access
grants for the `plans` part (`people.access`), and only the plan's own organisation changes it.
See README.md for what the referrals app may rely on.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pathmark.organisations.scoping import Scope, ScopedManager
from pathmark.people import access
from pathmark.people.models import ConsentMethod


def _visible_through(person: str) -> Callable[[Scope], Q]:
    """Rows about one person (reached through `person`, a path to the Person foreign key),
    visible where the scope's organisation holds a grant covering plans."""

    def visible(scope: Scope) -> Q:
        return access.visible_people_q(
            organisation_id=scope.organisation_id, person=person, part=access.PLANS
        )

    return visible


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AGREED = "agreed", _("Agreed")
    CLOSED = "closed", _("Closed")


class ActionKind(models.TextChoices):
    REFERRAL = "referral", _("A referral to a service")
    CASEWORKER_TASK = "caseworker_task", _("A task for the caseworker")
    CLIENT_STEP = "client_step", _("A step the client takes")


class Plan(models.Model):
    # PROTECT: a person leaves only through the erasure service, which removes their plans.
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="plans")
    # The organisation that holds the plan (the caseworker's when it was drafted); only it
    # changes the plan. Others the person shares their record with may read it.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("held by organisation"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("drafted from assessment"),
    )
    # The optimistic lock: every change checks the version it was made on and raises it.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        base_manager_name = "objects"
        indexes = [models.Index(fields=["person", "created_at"], name="plan_person_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="plan_closed_has_time",
            )
        ]
        verbose_name = _("personal integration plan")
        verbose_name_plural = _("personal integration plans")

    def __str__(self) -> str:
        return f"PIP-{self.pk:06d}" if self.pk else "PIP-new"

    visible_in_scope = staticmethod(_visible_through("person"))

    @property
    def reference(self) -> str:
        return str(self)

    @property
    def is_open(self) -> bool:
        return self.status != PlanStatus.CLOSED


class Goal(models.Model):
    """One priority of the plan: a domain of an instrument, with what the person aims for."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    instrument_slug = models.SlugField(_("questionnaire"), max_length=100)
    domain_id = models.CharField(_("domain"), max_length=100)
    # 1 is the first priority.
    priority = models.PositiveSmallIntegerField(_("priority"), default=1)
    # The domain's score on the assessment the goal was drafted from (0-100), if any.
    baseline_score = models.FloatField(_("score when drafted"), null=True, blank=True)
    target_text = models.TextField(_("what the person aims for"), blank=True)
    target_score = models.FloatField(_("target score (0-100)"), null=True, blank=True)
    review_date = models.DateField(_("review by"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["plan", "priority", "pk"]
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=Q(target_score__isnull=True)
                | Q(target_score__gte=0, target_score__lte=100),
                name="goal_target_score_range",
            )
        ]
        verbose_name = _("goal")

    def __str__(self) -> str:
        return f"{self.instrument_slug}/{self.domain_id}"

    visible_in_scope = staticmethod(_visible_through("plan__person"))


class Action(models.Model):
    """One thing to do towards a goal: a referral to a service (the referrals app sends it),
    a task for the caseworker, or a step the client takes."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("kind"), max_length=20, choices=ActionKind.choices)
    text = models.TextField(_("what to do"))
    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_actions",
        verbose_name=_("service"),
    )
    due_date = models.DateField(_("due by"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["goal", "order", "pk"]
        base_manager_name = "objects"
        verbose_name = _("action")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"

    visible_in_scope = staticmethod(_visible_through("goal__plan__person"))

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class Agreement(models.Model):
    """The client's agreement to one version of the plan: who agreed, when, how."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="agreements")
    plan_version = models.PositiveIntegerField(_("version agreed"))
    agreed_on = models.DateField(_("date agreed"))
    method = models.CharField(_("how it was agreed"), max_length=20, choices=ConsentMethod.choices)
    # Blank when the client agreed themselves; else who agreed for or with them.
    agreed_by = models.CharField(
        _("agreed by, if not the client"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty when the client agreed themselves."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-agreed_on", "-pk"]
        base_manager_name = "objects"
        verbose_name = _("agreement")

    def __str__(self) -> str:
        return f"{self.plan} v{self.plan_version} ({self.agreed_on})"

    visible_in_scope = staticmethod(_visible_through("plan__person"))


class Review(models.Model):
    """A review of the plan: progress in words, and the assessment that measured it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("date of review"))
    progress_notes = models.TextField(_("progress"))
    next_assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_reviews",
        verbose_name=_("assessment at this review"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        base_manager_name = "objects"
        verbose_name = _("review")

    def __str__(self) -> str:
        return f"{self.plan} review {self.reviewed_on}"

    visible_in_scope = staticmethod(_visible_through("plan__person"))


class PlanChange(models.Model):
    """One change to a plan: the version it made, who made it and when, and each field's
    value before and after (`changes`: a list of {"what", "before", "after"}, in words).
    Holds the plan's own text, so it is personal data and goes with the plan on erasure; the
    audit log says only that a change happened."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("change"), max_length=40)
    changes = models.JSONField(default=list, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["plan", "-version", "-pk"]
        base_manager_name = "objects"
        indexes = [models.Index(fields=["plan", "version"], name="plan_change_version")]
        verbose_name = _("change to a plan")

    def __str__(self) -> str:
        return f"{self.plan} v{self.version}: {self.kind}"

    visible_in_scope = staticmethod(_visible_through("plan__person"))
