"""Clients of the partnership: who they are, their household, and what they agreed to.

Everything here is special-category personal data. Each model's default manager is scoped
(see `organisations.scoping`): a person belongs to the organisation that registered them and
is visible elsewhere only through a recorded, unwithdrawn consent to share.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pathmark.core.references import person_reference
from pathmark.organisations.scoping import Scope, ScopedManager

from . import access, searchkeys


class QualificationLevel(models.TextChoices):
    NONE = "none", _("No formal qualification")
    SCHOOL = "school", _("School leaving certificate")
    VOCATIONAL = "vocational", _("Vocational or technical qualification")
    DEGREE = "degree", _("University degree")
    POSTGRADUATE = "postgraduate", _("Postgraduate degree")


class WorkSector(models.TextChoices):
    """Sectors of work, for the skills a person brings and the work they do now."""

    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    ENGINEERING = "engineering", _("Engineering and technical")
    BUSINESS = "business", _("Business and finance")
    LEGAL = "legal", _("Law")
    IT = "it", _("Information technology")
    TRADES = "trades", _("Trades and construction")
    CARE = "care", _("Social care")
    HOSPITALITY = "hospitality", _("Hospitality and retail")
    AGRICULTURE = "agriculture", _("Agriculture")
    TRANSPORT = "transport", _("Transport and delivery")
    OTHER = "other", _("Other work")


class Recognition(models.TextChoices):
    """Whether the person's profession or qualification is recognised in the UK."""

    NOT_NEEDED = "not_needed", _("Not needed for their work")
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    RECOGNISED = "recognised", _("Recognised")
    NOT_RECOGNISED = "not_recognised", _("Not recognised")


class WorkStatus(models.TextChoices):
    NOT_WORKING = "not_working", _("Not working")
    PART_TIME = "part_time", _("Working part-time")
    FULL_TIME = "full_time", _("Working full-time")
    STUDYING = "studying", _("Studying")


class AgeBand(models.TextChoices):
    UNDER_18 = "0-17", _("Under 18")
    AGE_18_30 = "18-30", _("18 to 30")
    AGE_31_45 = "31-45", _("31 to 45")
    AGE_46_64 = "46-64", _("46 to 64")
    AGE_65_PLUS = "65+", _("65 or over")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman or girl")
    MAN = "man", _("Man or boy")
    NON_BINARY = "non_binary", _("Non-binary")
    SELF_DESCRIBED = "self_described", _("Described another way")
    NOT_SAID = "not_said", _("Prefers not to say")


class ImmigrationStatus(models.Model):
    """The configurable list of immigration status categories (administrators edit it)."""

    slug = models.SlugField(max_length=60, unique=True)
    label = models.CharField(_("label"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["position", "label"]
        verbose_name = _("immigration status category")
        verbose_name_plural = _("immigration status categories")

    def __str__(self) -> str:
        return self.label


class ImmigrationStatusVersion(models.Model):
    """One saved state of a category of the partnership-wide list, kept for good: who
    changed it, when, from what to what. Only the host organisation's administrators change
    the list (see services.save_immigration_status), so every version names one of them."""

    status = models.ForeignKey(ImmigrationStatus, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    label = models.CharField(_("label"), max_length=120)
    is_active = models.BooleanField(_("in use"))
    # Empty for the first version: there was nothing before it.
    previous_label = models.CharField(_("label before"), max_length=120, blank=True)
    previous_is_active = models.BooleanField(_("in use before"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    # Kept so the history still reads after the account is gone, and for the command line.
    changed_by_username = models.CharField(max_length=150, blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["status", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["status", "number"], name="one_immigration_status_version_number"
            )
        ]
        verbose_name = _("immigration status category version")

    def __str__(self) -> str:
        return f"{self.status.slug} v{self.number}"


def _visible_people(scope: Scope) -> Q:
    return access.visible_people_q(organisation_id=scope.organisation_id, part=access.PERSON)


def visible_with_person(part: str) -> Callable[[Scope], Q]:
    """For records about one person: visible where the organisation holds a grant for that
    person covering `part` (see `people.access`)."""
    if part not in access.PARTS:
        raise access.GrantKindError(f"{part!r} is not one of {access.PARTS}.")

    def visible(scope: Scope) -> Q:
        return access.visible_people_q(
            organisation_id=scope.organisation_id, person="person", part=part
        )

    return visible


class Household(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"H-{self.pk:06d}"

    @staticmethod
    def visible_in_scope(scope: Scope) -> Q:
        return Q(organisation_id=scope.organisation_id)


class Person(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RESTRICTED = "restricted", _("Processing restricted")
        ERASED = "erased", _("Erased")
        # A tombstone: the record was a duplicate and now only points at the one kept.
        MERGED = "merged", _("Merged into another record")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("registered by organisation"),
    )
    # The person's id in a previous system (imports match on it); unique within an organisation.
    external_id = models.CharField(_("id in a previous system"), max_length=64, blank=True)
    name = models.CharField(_("name or pseudonym"), max_length=200)
    preferred_name = models.CharField(_("preferred name"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True)
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    gender_description = models.CharField(_("gender, in their words"), max_length=100, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=10, blank=True)
    country_of_origin = models.CharField(_("country of origin"), max_length=2, blank=True)
    date_of_arrival = models.DateField(_("date of arrival in the UK"), null=True, blank=True)
    immigration_status = models.ForeignKey(
        ImmigrationStatus,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("immigration status"),
    )
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    household_role = models.CharField(_("role in household"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.TextField(_("address"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    # The postcode's district ("NB1"), derived from the postcode on every save (or imported on
    # its own, without the postcode): the area the reports split by.
    postcode_district = models.CharField(
        _("postcode district"), max_length=4, blank=True, default="", editable=False
    )
    # Skills the person brings and the work they do now (the "wasted skills" report).
    qualification_level = models.CharField(
        _("highest qualification"), max_length=20, choices=QualificationLevel.choices, blank=True
    )
    qualification_subject = models.CharField(
        _("subject of that qualification"), max_length=120, blank=True
    )
    profession_sector = models.CharField(
        _("profession before arriving"), max_length=20, choices=WorkSector.choices, blank=True
    )
    profession_recognition = models.CharField(
        _("recognition of that profession in the UK"),
        max_length=20,
        choices=Recognition.choices,
        blank=True,
    )
    work_status = models.CharField(
        _("work now"), max_length=20, choices=WorkStatus.choices, blank=True
    )
    work_sector = models.CharField(
        _("sector of their work now"), max_length=20, choices=WorkSector.choices, blank=True
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The member of the organisation who follows this person's journey ("My caseload"); set by
    # the journeys app's services, which check the membership.
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("key worker"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    # Set by the privacy app's services (restriction of processing, erasure); never by a form.
    restricted_at = models.DateTimeField(_("processing restricted since"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased on"), null=True, blank=True)
    # Set by `services.merge_people` on the record that was merged away (a tombstone).
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merged_at = models.DateTimeField(_("merged on"), null=True, blank=True)
    # Derived from the names and the phone number on every save (`searchkeys`), so search is
    # tolerant of case, accents, script and a typo, and of how a number was written.
    name_key = models.CharField(max_length=600, blank=True, default="", editable=False)
    phone_key = models.CharField(max_length=40, blank=True, default="", editable=False)

    objects = ScopedManager()

    # Never readable in an aggregate-only scope (reports): these say who the person is.
    IDENTIFYING_FIELDS = (
        "name",
        "preferred_name",
        "date_of_birth",
        "external_id",
        "phone",
        "email",
        "address",
        "postcode",
        "gender_description",
        "household_role",
        "name_key",
        "phone_key",
        # Free text in the person's words about their studies; the level and sectors are not.
        "qualification_subject",
    )

    class Meta:
        ordering = ["name", "pk"]
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["organisation", "name"], name="person_org_name"),
            models.Index(fields=["organisation", "date_of_birth"], name="person_org_dob"),
            # The start page's "recently registered": the newest few, read from the index.
            models.Index(fields=["organisation", "-created_at", "-id"], name="person_org_recent"),
            models.Index(fields=["organisation", "phone_key"], name="person_org_phone"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~Q(external_id=""),
                name="person_external_id_unique_in_organisation",
            )
        ]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    visible_in_scope = staticmethod(_visible_people)

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # The keys are the names and phone in another form, not business logic: keeping them
        # here means no write of a name (form, import, erasure, merge) can leave them stale.
        self.name_key = searchkeys.name_key(self.name, self.preferred_name)
        self.phone_key = searchkeys.phone_key(self.phone)
        if self.postcode:
            # A person imported with a district but no postcode keeps the district.
            self.postcode_district = searchkeys.postcode_district(self.postcode)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "name_key", "phone_key", "postcode_district"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.name

    @property
    def reference(self) -> str:
        """A short reference safe to say aloud or write on paper instead of the name."""
        return person_reference(self.pk)


class ConsentKind(models.TextChoices):
    PROCESSING = "processing", _("To hold and use their information")
    SHARE = "share", _("To share their record with another organisation")


class ConsentMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    INTERPRETER = "interpreter", _("In person, with an interpreter")
    WRITTEN = "written", _("In writing")
    PHONE = "phone", _("By phone")


class Consent(models.Model):
    """One consent given by a person. Withdrawal sets `withdrawn_at`; rows are never deleted,
    so the history of what was agreed stays visible."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("consent to"), max_length=20, choices=ConsentKind.choices)
    shared_with = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shared with"),
    )
    purpose = models.CharField(_("what was agreed"), max_length=300)
    method = models.CharField(_("how it was given"), max_length=20, choices=ConsentMethod.choices)
    given_on = models.DateField(_("date given"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Unlike the other personal-data models, the *base* manager stays unscoped: deciding
    # which people a scope may see reads consent rows (`access._consent_condition`), and a scoped base
    # manager would make that decision depend on itself. Only that function uses it.
    objects = ScopedManager()

    class Meta:
        ordering = ["-given_on", "-pk"]
        indexes = [
            models.Index(fields=["shared_with", "kind", "withdrawn_at"], name="consent_sharing")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="processing", shared_with__isnull=True)
                | Q(kind="share", shared_with__isnull=False),
                name="share_consent_names_organisation",
            )
        ]
        verbose_name = _("consent")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.given_on})"

    visible_in_scope = staticmethod(visible_with_person(access.CONSENTS))

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


# Why a record may be the same person, as stored on a flag (codes joined by "; ") and shown.
DUPLICATE_REASONS = {
    "same name and date of birth": _("same name and date of birth"),
    "similar name and same date of birth": _("similar name and same date of birth"),
    "same name": _("same name"),
    "same phone number": _("same phone number"),
    "same e-mail address": _("same e-mail address"),
}


def reason_labels(reasons: str) -> list[str]:
    return [str(DUPLICATE_REASONS.get(code, code)) for code in reasons.split("; ") if code]


class DuplicateFlag(models.Model):
    """A possible duplicate noticed on registration, for a caseworker to decide: "not the same
    person" (remembered, so the pair is not flagged again) or merged."""

    class Outcome(models.TextChoices):
        OPEN = "", _("Not decided yet")
        DISTINCT = "distinct", _("Not the same person")
        MERGED = "merged", _("Merged")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="duplicate_flags")
    candidate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=200)
    resolved = models.BooleanField(default=False)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default="", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["person", "candidate"], name="one_flag_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} may duplicate {self.candidate_id}"

    @property
    def reason_labels(self) -> list[str]:
        return reason_labels(self.reason)

    visible_in_scope = staticmethod(visible_with_person(access.PERSON))
