"""The organisations of a partnership and the staff who act for them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    STATUTORY_SERVICE = "statutory_service", _("Statutory service")
    VOLUNTARY_ORGANISATION = "voluntary_organisation", _("Voluntary organisation")
    COMMUNITY_ORGANISATION = "community_organisation", _("Refugee community organisation")
    FAITH_GROUP = "faith_group", _("Faith group")
    COLLEGE = "college", _("College")
    EMPLOYER = "employer", _("Employer")


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    MANAGER = "manager", _("Manager")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


class Organisation(models.Model):
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40, choices=OrganisationKind.choices)
    retention_years = models.PositiveSmallIntegerField(
        _("retention period (years after last contact)"), default=6
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Special-category data: every member signs in with a second factor unless the
    # organisation has decided otherwise (e.g. the synthetic demo).
    require_two_factor = models.BooleanField(
        _("require two-factor authentication"),
        default=True,
        help_text=_("Members must confirm each sign-in with a code from an authenticator app."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user acting for an organisation in one role. The role decides what they may do;
    the organisation decides which records they may see."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="one_membership_per_organisation"
            )
        ]
        verbose_name = _("membership")

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"
