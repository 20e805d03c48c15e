"""The organisations of a partnership and the staff who act for them."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Retention is counted in whole years after the last contact with a client. Less than a year
# would erase people still being helped; more than 25 keeps data long past any need (a child
# registered at birth is an adult at 18; limitation periods for claims are 6-15 years).
RETENTION_YEARS_MIN = 1
RETENTION_YEARS_MAX = 25


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
        _("retention period (years after last contact)"),
        default=6,
        validators=[
            MinValueValidator(RETENTION_YEARS_MIN),
            MaxValueValidator(RETENTION_YEARS_MAX),
        ],
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Special-category data: every member signs in with a second factor unless the
    # organisation has decided otherwise (e.g. the synthetic demo).
    require_two_factor = models.BooleanField(
        _("require two-factor authentication"),
        default=True,
        help_text=_("Members must confirm each sign-in with a code from an authenticator app."),
    )
    # The organisation that runs the partnership (usually the council). Its administrators
    # add new organisations to the partnership; there is at most one.
    is_partnership_host = models.BooleanField(_("hosts the partnership"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_partnership_host"],
                condition=models.Q(is_partnership_host=True),
                name="one_partnership_host",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    retention_years__gte=RETENTION_YEARS_MIN,
                    retention_years__lte=RETENTION_YEARS_MAX,
                ),
                name="retention_years_in_range",
            ),
        ]
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
