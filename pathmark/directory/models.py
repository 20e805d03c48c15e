"""The partnership's directory of services, stored as Open Referral HSDS 3.0 tables.

Each model is one HSDS table (organization, service, location, ...) with the same field names
and the same string ids (UUIDs), so an HSDS package maps onto rows one to one and an export
gives the ids back unchanged. What the partnership needs and HSDS has no column for (themes,
machine-checkable eligibility, capacity, interpreting, confidentiality) are typed columns here
and travel as HSDS attributes with Pathmark's taxonomy terms (see `hsds_mapping.py`).

This is organisation-level data, not personal data, with one exception: the address of a
confidential location (a refuge, a safe house). Locations and everything that would place
them on a map (addresses, accessibility, the service-at-location links) use `ScopedManager`,
so another organisation's confidential location cannot be queried at all.
See README.md for the API other apps rely on.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pathmark.organisations.scoping import Scope, ScopedManager

from .eligibility import Eligibility


def new_id() -> str:
    return str(uuid.uuid4())


class HsdsRecord(models.Model):
    """A row of an HSDS table: its id is the HSDS id, a UUID string kept as given so an
    export returns the ids imported."""

    id = models.CharField(primary_key=True, max_length=36, default=new_id, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.id


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    DEFUNCT = "defunct", _("Defunct")
    TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("A place people go to")
    POSTAL = "postal", _("A postal address")
    VIRTUAL = "virtual", _("Online or by phone")


class DirectoryOrganisation(HsdsRecord):
    """An HSDS organization. `organisation` is the partnership member it is, when it is one
    (matched through an organization_identifier of type `pathmark_organisation`); services
    of an organisation outside the partnership are listed but edited only by import."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="directory_entries",
        verbose_name=_("partnership organisation"),
    )
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("other name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    website = models.CharField(_("website"), max_length=500, blank=True)
    tax_status = models.CharField(max_length=200, blank=True)
    tax_id = models.CharField(max_length=200, blank=True)
    year_incorporated = models.PositiveSmallIntegerField(null=True, blank=True)
    legal_status = models.CharField(_("legal status"), max_length=200, blank=True)
    logo = models.CharField(max_length=500, blank=True)
    uri = models.CharField(max_length=500, blank=True)
    # Not a foreign key in HSDS's package descriptor: a parent may be outside the package.
    parent_organization_id = models.CharField(max_length=36, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(HsdsRecord.Meta):
        ordering = ["name", "id"]
        verbose_name = _("organisation in the directory")
        verbose_name_plural = _("organisations in the directory")

    def __str__(self) -> str:
        return self.name


class OrganizationIdentifier(HsdsRecord):
    organization = models.ForeignKey(
        DirectoryOrganisation, on_delete=models.CASCADE, related_name="identifiers"
    )
    identifier_scheme = models.CharField(max_length=100, blank=True)
    identifier_type = models.CharField(max_length=100)
    identifier = models.CharField(max_length=200)

    class Meta(HsdsRecord.Meta):
        ordering = ["id"]


class Program(HsdsRecord):
    organization = models.ForeignKey(
        DirectoryOrganisation, on_delete=models.CASCADE, related_name="programs"
    )
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)

    class Meta(HsdsRecord.Meta):
        ordering = ["id"]


class Taxonomy(HsdsRecord):
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    uri = models.CharField(max_length=500, blank=True)
    version = models.CharField(max_length=100, blank=True)

    class Meta(HsdsRecord.Meta):
        ordering = ["name", "id"]
        verbose_name_plural = _("taxonomies")

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(HsdsRecord):
    code = models.CharField(max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    # Not foreign keys in HSDS's descriptor; kept as given.
    parent_id = models.CharField(max_length=36, blank=True)
    taxonomy = models.CharField(max_length=300, blank=True)
    taxonomy_detail = models.ForeignKey(
        Taxonomy, on_delete=models.PROTECT, null=True, blank=True, related_name="terms"
    )
    language = models.CharField(max_length=20, blank=True)
    term_uri = models.CharField(max_length=500, blank=True)

    class Meta(HsdsRecord.Meta):
        ordering = ["taxonomy", "code", "id"]

    def __str__(self) -> str:
        return self.name


class Service(HsdsRecord):
    """An HSDS service with the partnership's own facts beside it.

    Eligibility lists are empty when the service takes everyone: an empty
    `eligible_genders` means any gender, an empty `eligible_languages` means whatever
    language the person speaks, and so on. The age bounds are HSDS's own fields.
    """

    organization = models.ForeignKey(
        DirectoryOrganisation, on_delete=models.CASCADE, related_name="services"
    )
    program = models.ForeignKey(
        Program, on_delete=models.SET_NULL, null=True, blank=True, related_name="services"
    )
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("other name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    url = models.CharField(_("web page"), max_length=500, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    interpretation_services = models.TextField(_("interpreting, in words"), blank=True)
    application_process = models.TextField(_("how to apply"), blank=True)
    fees_description = models.TextField(_("fees"), blank=True)
    wait_time = models.CharField(_("wait, in words"), max_length=300, blank=True)
    fees = models.TextField(blank=True)
    accreditations = models.TextField(_("accreditations"), blank=True)
    eligibility_description = models.TextField(_("who it is for, in words"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    assured_date = models.DateField(null=True, blank=True)
    assurer_email = models.CharField(max_length=254, blank=True)
    licenses = models.TextField(blank=True)
    alert = models.TextField(_("alert"), blank=True)
    last_modified = models.DateTimeField(_("last changed"), null=True, blank=True)

    # --- The partnership's own facts (HSDS attributes with Pathmark taxonomy terms) ---
    themes = models.ManyToManyField(
        TaxonomyTerm, blank=True, related_name="themed_services", verbose_name=_("themes")
    )
    eligible_genders = models.JSONField(_("genders it is for"), default=list, blank=True)
    eligible_immigration_statuses = models.JSONField(
        _("immigration statuses it is for"), default=list, blank=True
    )
    # People must speak one of these (e.g. a group for Arabic speakers); codes as people's.
    eligible_languages = models.JSONField(
        _("languages a person must speak"), default=list, blank=True
    )
    # Postcode areas or districts ("NB", "NB1"); a person's postcode must start with one.
    eligible_postcode_areas = models.JSONField(_("postcode areas"), default=list, blank=True)
    places_per_month = models.PositiveIntegerField(_("places a month"), null=True, blank=True)
    taking_referrals = models.BooleanField(_("taking referrals now"), default=True)
    usual_wait_days = models.PositiveSmallIntegerField(
        _("usual wait (days)"), null=True, blank=True
    )
    response_days = models.PositiveSmallIntegerField(
        _("days to answer a referral"),
        default=5,
        help_text=_("A referral not answered within this many days is flagged to the sender."),
    )
    interpreting_offered = models.BooleanField(_("interpreting offered"), default=False)
    is_synthetic = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(HsdsRecord.Meta):
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "name"], name="directory_service_org")]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=models.F("maximum_age")),
                name="directory_service_age_range",
            )
        ]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    @property
    def staff_languages(self) -> list[str]:
        """Codes of the languages the service is delivered in (HSDS language rows)."""
        return sorted({lang.code for lang in self.languages.all() if lang.code})

    @property
    def theme_slugs(self) -> list[str]:
        """Slugs of the Pathmark themes the service addresses (see data/themes.yaml)."""
        return sorted(term.code for term in self.themes.all())

    def domains(self) -> dict[str, set[str]]:
        """Instrument slug -> the domains of that instrument the service works on."""
        from .catalogue import themes

        return themes().domains_of(self.theme_slugs)

    @property
    def is_referable(self) -> bool:
        """Active and taking referrals now."""
        return self.status == ServiceStatus.ACTIVE and self.taking_referrals

    def eligibility(self) -> Eligibility:
        return Eligibility(
            minimum_age=self.minimum_age,
            maximum_age=self.maximum_age,
            genders=frozenset(self.eligible_genders),
            immigration_statuses=frozenset(self.eligible_immigration_statuses),
            languages=frozenset(self.eligible_languages),
            postcode_areas=frozenset(self.eligible_postcode_areas),
        )


def _visible_location(scope: Scope) -> Q:
    return Q(is_confidential=False) | Q(organization__organisation_id=scope.organisation_id)


class Location(HsdsRecord):
    """An HSDS location. A confidential one (a refuge) is seen only by its own organisation:
    its services stay listed and referable, with no address."""

    location_type = models.CharField(
        _("kind of place"),
        max_length=10,
        choices=LocationType.choices,
        default=LocationType.PHYSICAL,
    )
    url = models.CharField(max_length=500, blank=True)
    organization = models.ForeignKey(
        DirectoryOrganisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="locations",
    )
    name = models.CharField(_("name"), max_length=300, blank=True)
    alternate_name = models.CharField(max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    transportation = models.TextField(_("getting there"), blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    external_identifier = models.CharField(max_length=200, blank=True)
    external_identifier_type = models.CharField(max_length=200, blank=True)
    is_confidential = models.BooleanField(
        _("confidential address"),
        default=False,
        help_text=_(
            "A refuge or safe house: the service stays listed and referable, but the address "
            "is shown and exported only within your organisation."
        ),
    )

    objects = ScopedManager()

    class Meta(HsdsRecord.Meta):
        ordering = ["name", "id"]
        base_manager_name = "objects"
        verbose_name = _("location")

    def __str__(self) -> str:
        return self.name or self.id

    @staticmethod
    def visible_in_scope(scope: Scope) -> Q:
        return _visible_location(scope)


def _visible_through_location(scope: Scope) -> Q:
    return Q(location__is_confidential=False) | Q(
        location__organization__organisation_id=scope.organisation_id
    )


def _visible_unless_location_hidden(scope: Scope) -> Q:
    return Q(location__isnull=True) | _visible_through_location(scope)


class Address(HsdsRecord):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(max_length=300, blank=True)
    address_1 = models.CharField(_("address"), max_length=300)
    address_2 = models.CharField(max_length=300, blank=True)
    city = models.CharField(_("town or city"), max_length=200)
    region = models.CharField(max_length=200, blank=True)
    state_province = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(_("postcode"), max_length=20)
    country = models.CharField(_("country"), max_length=2)
    address_type = models.CharField(max_length=20, default="physical")

    objects = ScopedManager()

    class Meta(HsdsRecord.Meta):
        ordering = ["id"]
        base_manager_name = "objects"

    @staticmethod
    def visible_in_scope(scope: Scope) -> Q:
        return _visible_through_location(scope)


class Accessibility(HsdsRecord):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    description = models.TextField(blank=True)
    details = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)

    objects = ScopedManager()

    class Meta(HsdsRecord.Meta):
        ordering = ["id"]
        base_manager_name = "objects"

    @staticmethod
    def visible_in_scope(scope: Scope) -> Q:
        return _visible_through_location(scope)


class ServiceAtLocation(HsdsRecord):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    description = models.TextField(blank=True)

    objects = ScopedManager()

    class Meta(HsdsRecord.Meta):
        ordering = ["id"]
        base_manager_name = "objects"

    @staticmethod
    def visible_in_scope(scope: Scope) -> Q:
        return _visible_through_location(scope)


class Contact(HsdsRecord):
    organization = models.ForeignKey(
        DirectoryOrganisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=300, blank=True)
    title = models.CharField(max_length=300, blank=True)
    department = models.CharField(max_length=300, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)

    objects = ScopedManager()

    class Meta(HsdsRecord.Meta):
        ordering = ["id"]
        base_manager_name = "objects"

    @staticmethod
    def visible_in_scope(scope: Scope) -> Q:
        return _visible_unless_location_hidden(scope)


class Phone(HsdsRecord):
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    organization = models.ForeignKey(
        DirectoryOrganisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="phones",
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(_("number"), max_length=100)
    extension = models.CharField(max_length=20, blank=True)
    type = models.CharField(max_length=20, blank=True)
    description = models.TextField(blank=True)

    objects = ScopedManager()

    class Meta(HsdsRecord.Meta):
        ordering = ["id"]
        base_manager_name = "objects"

    @staticmethod
    def visible_in_scope(scope: Scope) -> Q:
        return _visible_unless_location_hidden(scope)


class Schedule(HsdsRecord):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    timezone = models.CharField(max_length=20, blank=True)
    until = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    wkst = models.CharField(max_length=2, blank=True)
    freq = models.CharField(max_length=10, blank=True)
    interval = models.PositiveIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=100, blank=True)
    byweekno = models.CharField(max_length=200, blank=True)
    bymonthday = models.CharField(max_length=200, blank=True)
    byyearday = models.CharField(max_length=400, blank=True)
    description = models.TextField(_("when"), blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    schedule_link = models.CharField(max_length=500, blank=True)
    attending_type = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)

    class Meta(HsdsRecord.Meta):
        ordering = ["id"]


class ServiceArea(HsdsRecord):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="service_areas"
    )
    name = models.CharField(_("area"), max_length=300, blank=True)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=20, blank=True)
    uri = models.CharField(max_length=500, blank=True)

    class Meta(HsdsRecord.Meta):
        ordering = ["id"]


class Language(HsdsRecord):
    """A language a service (or a location, or a phone line) is delivered in by its staff."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    phone = models.ForeignKey(
        Phone, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    name = models.CharField(_("language"), max_length=200, blank=True)
    code = models.CharField(max_length=10, blank=True)
    note = models.TextField(blank=True)

    class Meta(HsdsRecord.Meta):
        ordering = ["id"]
        indexes = [models.Index(fields=["code"], name="directory_language_code")]


class CostOption(HsdsRecord):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    option = models.TextField(blank=True)
    currency = models.CharField(max_length=3, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    amount_description = models.TextField(blank=True)

    class Meta(HsdsRecord.Meta):
        ordering = ["id"]


class Funding(HsdsRecord):
    organization = models.ForeignKey(
        DirectoryOrganisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="funding",
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="funding"
    )
    source = models.TextField(blank=True)

    class Meta(HsdsRecord.Meta):
        ordering = ["id"]


class RequiredDocument(HsdsRecord):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="required_documents"
    )
    document = models.TextField(_("document"), blank=True)
    uri = models.CharField(max_length=500, blank=True)

    class Meta(HsdsRecord.Meta):
        ordering = ["id"]


class Attribute(HsdsRecord):
    """An HSDS attribute that is not one of Pathmark's own (those live in typed columns of
    Service and Location and are written back as attributes on export)."""

    link_id = models.CharField(max_length=36)
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, on_delete=models.PROTECT, related_name="attributes"
    )
    link_type = models.CharField(max_length=200, blank=True)
    link_entity = models.CharField(max_length=50, blank=True)
    value = models.TextField(blank=True)
    label = models.CharField(max_length=300, blank=True)

    class Meta(HsdsRecord.Meta):
        ordering = ["id"]
        indexes = [models.Index(fields=["link_id"], name="directory_attribute_link")]


class DirectoryImportStatus(models.TextChoices):
    CREATED = "created", _("Uploaded")
    VALIDATING = "validating", _("Checking the package")
    READY = "ready", _("Ready to import")
    IMPORTING = "importing", _("Importing")
    COMPLETE = "complete", _("Complete")
    FAILED = "failed", _("Failed")


class DirectoryImportJob(models.Model):
    """One uploaded HSDS package on its way from preview to the directory, for the host
    organisation's administrators. Holds counts and where the problems are."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=200)
    stored_file = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DirectoryImportStatus.choices,
        default=DirectoryImportStatus.CREATED,
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows done"), default=0)
    # [{"file": "services.csv", "row": 3, "field": "status", "message": "..."}]
    problems = models.JSONField(_("problems"), default=list, blank=True)
    problem_count = models.PositiveIntegerField(_("problems found"), default=0)
    # {"service": 12, "location": 3, ...}: what the package holds, for the preview.
    counts = models.JSONField(_("what it holds"), default=dict, blank=True)
    # [{"id": ..., "name": ..., "organisation": ..., "change": "new"|"changed"|"same"}]
    preview = models.JSONField(default=list, blank=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    failure = models.CharField(_("why it failed"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        base_manager_name = "objects"
        verbose_name = _("directory import")

    def __str__(self) -> str:
        return f"D-{self.pk:06d}" if self.pk else "D-new"

    @staticmethod
    def visible_in_scope(scope: Scope) -> Q:
        return Q(organisation_id=scope.organisation_id)

    @property
    def is_running(self) -> bool:
        return self.status in (
            DirectoryImportStatus.CREATED,
            DirectoryImportStatus.VALIDATING,
            DirectoryImportStatus.IMPORTING,
        )

    @property
    def percent_done(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
