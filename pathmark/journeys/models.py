"""Stored journey trends: what the caseload page needs of each person's journey, kept so that
the page reads a few indexed queries instead of recomputing every journey on each view.

A trend depends only on the person's completed assessments, the instrument versions they
used and the instrument's host norms (never on today's date), so it is recomputed when those
change (`services.refresh_trends`; a rebuild after new norms) and is otherwise exact. Each row records what it was computed
from, so a stale row can be told from a fresh one. Trends are personal data derived from the
assessments: scoped like them, visible exactly where the person is, erased with the person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pathmark.organisations.scoping import Scope, ScopedManager
from pathmark.people import access
from pathmark.people.models import visible_with_person

from .trajectory import Direction

DIRECTION_CHOICES = [
    (Direction.IMPROVING.value, _("improving")),
    (Direction.DECLINING.value, _("declining")),
    (Direction.NO_CLEAR_CHANGE.value, _("no clear change")),
    (Direction.NOT_ENOUGH_DATA.value, _("not enough data")),
]


def visible_with_their_person(scope: Scope) -> Q:
    """`people.models.visible_with_person` for rows that keep a copy of their person's
    organisation (a person never changes organisation): visible exactly where the person is.

    The same rule, split in two so the caseload's queries can be answered from an index: a
    person is always visible to the organisation that registered them, which the copied
    column answers; and the people of other organisations this scope may see come from the
    other access grants (`people.access`), whatever kinds are registered."""
    return Q(organisation_id=scope.organisation_id) | access.other_organisations_q(
        organisation_id=scope.organisation_id, person="person", part=access.ASSESSMENTS
    )


SERIES_FIELDS = (
    "key",
    "integratedness_per_year",
    "direction",
    "fall",
    "progress_per_year",
    "host_shift_per_year",
)
"""The values of each entry of `JourneyTrend.series`, in order."""


class JourneyTrend(models.Model):
    """One person's journey on one instrument, as the caseload sees it: each series' rates and
    direction, whether it turned down (for the worklist) and the fingerprint of the assessments
    it was computed from."""

    # CASCADE: derived data has no life of its own. People are never deleted in practice
    # (erasure blanks them, and removes their trends through the privacy registry).
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # A copy of the person's organisation, so that an organisation's caseload is one range
    # of an index (see `visible_with_their_person`).
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Not indexed alone: every query of trends starts with the person or the organisation
    # (the indexes below), and each index costs a rebuild's every insert.
    instrument = models.SlugField(_("instrument"), max_length=100, db_index=False)
    # The version whose domains and measurement error describe the whole series: that of the
    # latest assessment, as on the person page. (Versions are never deleted, so PROTECT needs
    # no index to look for the trends that use one.)
    instrument_version = models.ForeignKey(
        "instruments.InstrumentVersion",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    rule = models.PositiveSmallIntegerField(_("trend rule version"))
    # The fingerprint of the completed assessments the trend was computed from.
    assessments = models.PositiveIntegerField(_("completed assessments"))
    newest_assessment_id = models.BigIntegerField()
    newest_change_at = models.DateTimeField()
    latest_on = models.DateField(_("latest assessment"))
    turned_down = models.BooleanField(_("turned down"))
    steepest_drop = models.FloatField(_("steepest fall"), null=True)
    # The series (`overall` or domain ids) that fell by at least the measurement error
    # between their last two readings, in the instrument's order.
    fell = models.JSONField(default=list)
    # The fingerprint of the instrument's host norms the trend was computed against
    # (`selectors.norms_digests`): integratedness is relative to them.
    norms_digest = models.CharField(_("host norms used"), max_length=64, blank=True)
    # Each series (the overall, then each domain scored, in the instrument's order) as
    # `[key, integratedness per year, direction, fall, progress per year, host shift per
    # year]` (`SERIES_FIELDS`): the rate of the person's score minus the host norm in force at
    # each date (the headline), the direction of that rate, the (negative) change relative to
    # the host norm between the last two readings when it is at least the measurement error,
    # and the person's own rate and the host norm's over the same dates. One row per journey
    # rather than one per series: a city's rebuild writes 100,000 rows, not 1,100,000, and the
    # caseload reads them once into a summary (`CaseloadSummary`) kept until a trend changes.
    series = models.JSONField(_("series"), default=list)
    computed_at = models.DateTimeField(_("computed at"))

    objects = ScopedManager()

    class Meta:
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "instrument"], name="journeys_trend_person_instrument"
            )
        ]
        # Each index starts with the organisation, so one organisation's caseload is one
        # range of it, read in the order the query wants, without touching the table.
        indexes = [
            # People per instrument (GROUP BY instrument); the rule of each trend.
            models.Index(
                fields=["organisation", "instrument", "person", "rule"],
                name="journeys_trend_instrument",
            ),
            # People with a journey (COUNT DISTINCT person, in index order).
            models.Index(fields=["organisation", "person"], name="journeys_trend_people"),
            # The worklist: ORDER BY steepest_drop, person, instrument ... LIMIT.
            models.Index(
                fields=["organisation", "turned_down", "steepest_drop", "person", "instrument"],
                name="journeys_trend_worklist",
            ),
        ]
        verbose_name = _("journey trend")
        verbose_name_plural = _("journey trends")

    def __str__(self) -> str:
        return f"P-{self.person_id:06d} {self.instrument}"

    visible_in_scope = staticmethod(visible_with_their_person)


class RefreshStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    COMPLETE = "complete", _("Complete")
    FAILED = "failed", _("Failed")


class TrendRefresh(models.Model):
    """A recomputation of stored trends in the background or from the command line: what the
    caseload page shows while it runs, or when it failed. Holds ids and counts only."""

    # Whose caseload it refreshes (the organisation that asked, or the one named on the
    # command line); null for the whole partnership.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("why"), max_length=200)
    # The people to refresh when they were named (assessments changed); emptied when the
    # refresh ends. Empty for a rebuild, which takes every person of `organisation` (or all).
    person_ids = models.JSONField(default=list, blank=True)
    rebuild = models.BooleanField(default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=RefreshStatus.choices, default=RefreshStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("people"), default=0)
    done = models.PositiveIntegerField(_("people done"), default=0)
    journeys = models.PositiveIntegerField(_("journeys written"), default=0)
    changed = models.PositiveIntegerField(_("journeys that had changed"), default=0)
    failure = models.CharField(_("why it failed"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "organisation"], name="journeys_refresh_status")]
        verbose_name = _("trend refresh")
        verbose_name_plural = _("trend refreshes")

    def __str__(self) -> str:
        return f"trend refresh {self.pk} ({self.status})"

    @property
    def share_done(self) -> float:
        return self.done / self.total if self.total else 0.0


class TrendGeneration(models.Model):
    """A counter that every write of stored trends moves on, in the same transaction: a
    caseload summary made from older trends names an older generation, so it is never taken
    for a current one (even when it was made while the trends were being written)."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("trend generation")

    def __str__(self) -> str:
        return f"trend generation {self.value}"


def _summary_of_the_scope(scope: Scope) -> Q:
    return Q(organisation_id=scope.organisation_id)


class CaseloadSummary(models.Model):
    """The caseload page's figures for one organisation, worked out from the stored trends once
    and shown again while nothing they depend on has changed (`key`: the trends' generation,
    the people of other organisations shared with it, the trend rule, the instrument versions
    and the day). Counts, quartiles and the worklist's person ids: scoped to its organisation,
    and the worklist's people are still read through their own scope."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=64)
    figures = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    # For `services.trends_changed` alone, which forgets every organisation's summary when a
    # trend changes, whichever scope the change was made in. (ruff takes the scoped manager
    # above for a field.)
    unscoped = models.Manager()  # noqa: DJ012

    class Meta:
        base_manager_name = "objects"
        default_manager_name = "objects"
        verbose_name = _("caseload summary")
        verbose_name_plural = _("caseload summaries")

    def __str__(self) -> str:
        return f"caseload summary of organisation {self.organisation_id}"

    visible_in_scope = staticmethod(_summary_of_the_scope)


class WorklistReview(models.Model):
    """A key worker's note that they have looked at a journey on the worklist. The journey
    leaves the worklist of this organisation until it falls again: the review names the newest
    assessment it saw, and a later assessment that still turns the journey down brings it back.
    Personal data about the person (the note): scoped and erased with them."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    instrument = models.SlugField(_("instrument"), max_length=100)
    newest_assessment_id = models.BigIntegerField()
    note = models.TextField(_("note"), blank=True, max_length=2000)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"))

    objects = ScopedManager()

    class Meta:
        base_manager_name = "objects"
        indexes = [
            # The worklist's "not yet reviewed" test: one probe per candidate journey.
            models.Index(
                fields=["organisation", "person", "instrument", "newest_assessment_id"],
                name="journeys_review_lookup",
            ),
        ]
        verbose_name = _("worklist review")
        verbose_name_plural = _("worklist reviews")

    def __str__(self) -> str:
        return f"review of P-{self.person_id:06d} {self.instrument}"

    visible_in_scope = staticmethod(_summary_of_the_scope)


class HostSurvey(models.Model):
    """One dated version of an instrument's host norms, worked out from a survey of the host
    population that the partnership's host organisation uploaded (`survey.estimate_norms`).
    It is in force from `valid_from` until a later version; earlier versions stay in force for
    earlier dates. Aggregates only: the respondents' answers are not kept."""

    instrument = models.SlugField(_("instrument"), max_length=100)
    valid_from = models.DateField(_("in force from"))
    label = models.CharField(_("what changed"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=300)
    respondents = models.PositiveIntegerField(_("respondents"))
    min_group = models.PositiveIntegerField(_("smallest group with its own norm"))
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "valid_from"], name="journeys_survey_instrument_date"
            )
        ]
        ordering = ["instrument", "valid_from"]
        verbose_name = _("host survey")
        verbose_name_plural = _("host surveys")

    def __str__(self) -> str:
        return f"{self.instrument} survey from {self.valid_from}"


class SurveyNorm(models.Model):
    """One key's norm in one survey, for the whole population (`group_kind` "") or a group."""

    survey = models.ForeignKey(HostSurvey, on_delete=models.CASCADE, related_name="norms")
    key = models.CharField(_("domain"), max_length=100)
    group_kind = models.CharField(_("group"), max_length=20, blank=True)
    group_value = models.CharField(_("group value"), max_length=40, blank=True)
    n = models.PositiveIntegerField(_("respondents"))
    value = models.FloatField(_("mean score"))
    ci_low = models.FloatField(_("interval (95%), low"))
    ci_high = models.FloatField(_("interval (95%), high"))
    low = models.FloatField(_("usual range, low"))
    high = models.FloatField(_("usual range, high"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "key", "group_kind", "group_value"],
                name="journeys_survey_norm_key",
            )
        ]
        verbose_name = _("survey norm")
        verbose_name_plural = _("survey norms")

    def __str__(self) -> str:
        return f"{self.key} {self.group_kind}={self.group_value}: {self.value:.1f}"


class LifeEventKind(models.TextChoices):
    """What happened in a person's life that may explain a change on their journey. Which of
    these a partnership offers is `PATHMARK_LIFE_EVENTS` (all by default)."""

    MOVED_HOME = "moved_home", _("Moved home")
    STARTED_WORK = "started_work", _("Started work")
    LOST_JOB = "lost_job", _("Lost a job")
    STARTED_COURSE = "started_course", _("Started a course")
    STATUS_DECIDED = "status_decided", _("Immigration status decided")
    FAMILY_ARRIVED = "family_arrived", _("Family arrived")
    FAMILY_SEPARATED = "family_separated", _("Separated from family")
    HEALTH_CRISIS = "health_crisis", _("Health crisis")
    BEREAVEMENT = "bereavement", _("Bereavement")
    OTHER = "other", _("Something else")


class LifeEvent(models.Model):
    """A dated event in a person's life, entered by a caseworker, drawn on every chart of their
    journey so that a fall is read with its cause. Personal data: visible where the person's
    assessments are, erased with the person."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by organisation"),
    )
    occurred_on = models.DateField(_("date"))
    kind = models.CharField(_("what happened"), max_length=30, choices=LifeEventKind.choices)
    note = models.CharField(_("in a few words"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        base_manager_name = "objects"
        indexes = [models.Index(fields=["person", "occurred_on"], name="journeys_event_person")]
        ordering = ["occurred_on", "pk"]
        verbose_name = _("life event")
        verbose_name_plural = _("life events")

    def __str__(self) -> str:
        return f"P-{self.person_id:06d} {self.kind} {self.occurred_on}"

    visible_in_scope = staticmethod(visible_with_person(access.ASSESSMENTS))
