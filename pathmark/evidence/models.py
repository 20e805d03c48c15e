"""The partnership's evidence bank: local interventions and projects, as seed 001 collects
them, with their funding and the evidence submitted for them. No one's personal data: an
intervention describes work, not people, so every member of the partnership may read it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InterventionType(models.TextChoices):
    BASIC_ASSISTANCE = "basic_assistance", _("Basic assistance: English and how systems work")
    COMMUNITY_TRUST = "community_trust", _("Community acceptance and trust")
    SCHOOL = "school", _("School integration")
    PRE_SCHOOL = "pre_school", _("Pre-school")
    AGES_18_30 = "ages_18_30", _("Ages 18 to 30")
    WOMEN_AND_GIRLS = "women_and_girls", _("Women and girls")
    OTHER = "other", _("Other")


class PlaceCharacteristic(models.TextChoices):
    HIGH_IMMIGRATION = "high_immigration", _("High immigration")
    NEW_IMMIGRATION = "new_immigration", _("New immigration")
    RURAL = "rural", _("Rural")
    WALES = "wales", _("Wales")
    SCOTLAND = "scotland", _("Scotland")
    NORTHERN_IRELAND = "northern_ireland", _("Northern Ireland")


class HardToReach(models.TextChoices):
    WOMEN_AT_HOME = "women_at_home", _("Women who rarely leave home")
    NO_ENGLISH = "no_english", _("People with no English")
    OLDER = "older", _("Older people")
    YOUNG = "young", _("Young people not in education or work")
    DISABLED = "disabled", _("Disabled people")
    UNDOCUMENTED = "insecure_status", _("People with insecure immigration status")
    ISOLATED = "isolated", _("People living far from services")


class Intervention(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="interventions"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what it does"))
    # Theme slugs of the partnership's taxonomy (directory/data/themes.yaml).
    themes = models.JSONField(_("themes"), default=list, blank=True)
    intervention_type = models.CharField(
        _("kind of intervention"), max_length=30, choices=InterventionType.choices
    )
    place = models.CharField(_("place"), max_length=200)
    place_characteristics = models.JSONField(_("the place is"), default=list, blank=True)
    reaches = models.TextField(_("who it reaches"), blank=True)
    hard_to_reach = models.JSONField(_("hard-to-reach groups it reaches"), default=list, blank=True)
    # When the intervention is a service of the directory, Pathmark's own outcome figures for
    # it are shown beside the evidence submitted.
    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service in the directory"),
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("intervention")

    def __str__(self) -> str:
        return self.title


class Funding(models.Model):
    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="funding")
    funder = models.CharField(_("funder"), max_length=200)
    amount = models.DecimalField(_("amount (£)"), max_digits=12, decimal_places=2)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("funding")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="evidence_funding_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="evidence_funding_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder}: {self.amount}"


class EvidenceKind(models.TextChoices):
    TEXT = "text", _("A written account")
    LINK = "link", _("A link")
    FILE = "file", _("A file")


class EvidenceItem(models.Model):
    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    # A file is kept under PATHMARK_PRIVATE_MEDIA (outside the web root) and served only by
    # the download view, to members of the partnership.
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    stored_as = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("evidence")

    def __str__(self) -> str:
        return self.title
