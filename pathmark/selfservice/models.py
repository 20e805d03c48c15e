"""A client's link: a bearer secret that lets one person answer a self-assessment on their own
phone, once, and then see their own journey, without an account.

Only a hash of the secret is stored (the caseworker's screen shows the link once, as a QR code
or sends it), so a copy of the database opens no link. A link belongs to the organisation
that made it and works only while that organisation may still assess the person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathmark.organisations.scoping import Scope, ScopedManager
from pathmark.people import access
from pathmark.people.models import Person, visible_with_person


class RevokedBecause(models.TextChoices):
    REPLACED = "replaced", _("A newer link was made")
    BY_STAFF = "by_staff", _("Withdrawn by staff")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent was withdrawn")
    RESTRICTED = "restricted", _("Processing was restricted")


class Delivery(models.TextChoices):
    SCREEN = "screen", _("Shown on screen (QR code)")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")


class ClientLink(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="client_links")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # SHA-256 of the secret: the secret has 256 random bits, so a fast hash is enough (there
    # is nothing to guess that a slow one would protect).
    token_hash = models.CharField(max_length=64, unique=True)
    instrument_version = models.ForeignKey(
        "instruments.InstrumentVersion", on_delete=models.PROTECT, related_name="+"
    )
    language = models.CharField(_("language"), max_length=10)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.SCREEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The draft the answers became; it counts once a caseworker reviews and completes it.
    assessment = models.OneToOneField(
        "assessments.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_because = models.CharField(max_length=20, choices=RevokedBecause.choices, blank=True)

    objects = ScopedManager()

    class Meta:
        base_manager_name = "objects"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["person", "organisation"], name="clientlink_person_org")]
        verbose_name = _("client link")
        verbose_name_plural = _("client links")

    def __str__(self) -> str:
        return f"L-{self.pk:06d}" if self.pk else "L-new"

    @staticmethod
    def visible_in_scope(scope: Scope) -> Q:
        # Only the organisation that made a link sees it, and only while it sees the person.
        return Q(organisation_id=scope.organisation_id) & visible_with_person(access.ASSESSMENTS)(
            scope
        )

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_live(self) -> bool:
        return not (self.is_expired or self.is_revoked)
