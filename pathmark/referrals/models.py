"""Referrals: a person sent from one organisation to a service of the directory, with the
consent to share that goes with it, and every change of state as an event row.

The receiving organisation sees a referral (and, through the `referral` access grant, the
person) only while it is open; the sending organisation sees its own referrals for as long as
it sees the person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pathmark.organisations.scoping import Scope, ScopedManager
from pathmark.people import access
from pathmark.people.models import ConsentMethod

from . import states


class Status(models.TextChoices):
    DRAFT = states.DRAFT, _("Draft")
    SENT = states.SENT, _("Sent")
    ACCEPTED = states.ACCEPTED, _("Accepted")
    DECLINED = states.DECLINED, _("Declined")
    STARTED = states.STARTED, _("Started")
    COMPLETED = states.COMPLETED, _("Completed")
    DID_NOT_ATTEND = states.DID_NOT_ATTEND, _("Did not attend")
    WITHDRAWN = states.WITHDRAWN, _("Withdrawn")


class DeclineReason(models.TextChoices):
    NO_CAPACITY = states.NO_CAPACITY, _("No places at the moment")
    LANGUAGE = states.LANGUAGE, _("We cannot offer it in their language")
    ELIGIBILITY = states.ELIGIBILITY, _("The person is not eligible")
    TRAVEL = states.TRAVEL, _("Too far to travel")
    CHILDCARE = states.CHILDCARE, _("Childcare is needed")
    OTHER = states.OTHER, _("Another reason")


def _visible_referrals(scope: Scope) -> Q:
    """The sender's referrals of people it sees; the receiver's while they are open."""
    sender = Q(organisation_id=scope.organisation_id) & access.visible_people_q(
        organisation_id=scope.organisation_id, person="person", part=access.PERSON
    )
    receiver = Q(
        receiving_organisation_id=scope.organisation_id,
        status__in=states.OPEN,
        consent_given_on__isnull=False,
    )
    return sender | receiver


class Referral(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="referrals")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("referred by"),
    )
    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("service"),
    )
    # The partnership organisation running the service when the referral was made; None for a
    # service outside the partnership (the referral is then sent by other means and recorded).
    receiving_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_received",
        verbose_name=_("referred to"),
    )
    # The plan action this referral carries out, when it was sent from a plan.
    plan_action = models.ForeignKey(
        "plans.Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("plan action"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    decline_reason = models.CharField(
        _("why it was declined"), max_length=16, choices=DeclineReason.choices, blank=True
    )
    # What the referral is for, so outcomes can be read in that domain later.
    instrument = models.CharField(max_length=80, blank=True)
    domain = models.CharField(_("area it is for"), max_length=80, blank=True)
    note = models.TextField(_("message to the service"), blank=True)

    # The person's consent to share their record with the receiving organisation for this
    # referral: when, how, and what it covers beyond who they are and how to reach them.
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_method = models.CharField(
        _("how consent was given"), max_length=20, choices=ConsentMethod.choices, blank=True
    )
    consent_covers_assessments = models.BooleanField(
        _("share their assessment results too"), default=False
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    referred_on = models.DateField(_("referred on"), null=True, blank=True)
    status_on = models.DateField(_("status since"), null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the sender was last e-mailed that the service had not answered in time. A reminder
    # later than `sent_at` covers this overdue spell: `remind_overdue` sends one per spell.
    overdue_reminded_at = models.DateTimeField(null=True, blank=True)

    rating = models.PositiveSmallIntegerField(_("the person's rating"), null=True, blank=True)
    rating_comment = models.TextField(_("the person's comment"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The *base* manager stays unscoped, as Consent's does: the `referral` access grant
    # reads referral rows to decide which people a scope sees (`grants.py`).
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["receiving_organisation", "status"], name="referral_inbox"),
            models.Index(fields=["organisation", "status"], name="referral_sent"),
            models.Index(fields=["service", "status"], name="referral_service"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="referral_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(status=states.DECLINED) | Q(decline_reason=""),
                name="referral_reason_only_when_declined",
            ),
        ]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    visible_in_scope = staticmethod(_visible_referrals)

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"R-{self.pk:06d}" if self.pk else "R-new"

    @property
    def is_open(self) -> bool:
        return self.status in states.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status in states.CLOSED


def _visible_events(scope: Scope) -> Q:
    return Q(referral__organisation_id=scope.organisation_id) | Q(
        referral__receiving_organisation_id=scope.organisation_id,
        referral__status__in=states.OPEN,
        referral__consent_given_on__isnull=False,
    )


class ReferralEvent(models.Model):
    """One change of a referral's state: from, to, when, by whom, for which organisation."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    reason = models.CharField(max_length=16, choices=DeclineReason.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["at", "pk"]
        base_manager_name = "objects"
        verbose_name = _("referral event")

    visible_in_scope = staticmethod(_visible_events)

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"
