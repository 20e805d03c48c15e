"""Staff accounts and their sessions. Clients are `people.Person` records, not users."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathmark.organisations.models import Role


class User(AbstractUser):
    """A member of staff of one or more partnership organisations."""

    email = models.EmailField(_("e-mail address"), blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=10, default="en")
    # Goes up with every change of the account's state (switched off or on, a membership
    # added, changed or ended, a password set, two-factor reset). Set-password links carry
    # it, so any such change spends every link made before it (see links.py).
    state_version = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class UserSession(AbstractBaseSession):
    """A server-side session that knows whose it is, so every session of one user can be
    ended at once (sign out everywhere, deactivation, a reset of two-factor)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sessions",
    )

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):  # type: ignore[no-untyped-def]
        from .sessions import SessionStore

        return SessionStore


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn by the organisation")
    EXPIRED = "expired", _("Expired without an answer")


class Invitation(models.Model):
    """An organisation's offer of a membership to someone who already has an account. The
    membership starts only when the account holder accepts, signed in with their own second
    factor: an administrator of one organisation never gives another organisation's member a
    membership (and so a way to their account) by typing an e-mail address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(status="pending"),
                name="one_pending_invitation_per_organisation",
            )
        ]
        verbose_name = _("invitation")

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation} ({self.role}, {self.status})"

    @property
    def expires_at(self) -> datetime:
        """After this moment the invitation can no longer be accepted
        (PATHMARK_INVITATION_DAYS after it was sent)."""
        return self.created_at + timedelta(days=settings.PATHMARK_INVITATION_DAYS)

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at
