"""Instrument versions as stored rows, so an assessment always points at the exact text it used."""

from __future__ import annotations

from functools import cached_property

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .definition import Instrument, instrument_from_definition
from .registry import definition_sha256

# Parsing takes milliseconds, hashing microseconds: share one parse between every row object
# whose stored definition is the same. Keyed by the definition's own hash, not the stored
# `sha256` column, so a definition edited in the database is never served from a stale parse.
_instruments_by_sha256: dict[str, Instrument] = {}


class InstrumentVersion(models.Model):
    """One version of one instrument file. Not personal data, so shared by all organisations."""

    slug = models.SlugField(_("slug"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200, help_text=_("In English."))
    definition = models.JSONField(_("definition"))
    sha256 = models.CharField(_("SHA-256 of the definition"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        ordering = ["slug", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "version"], name="instruments_unique_slug_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.slug} v{self.version}"

    @cached_property
    def instrument(self) -> Instrument:
        """The stored definition as an Instrument, ready for scoring and display."""
        key = definition_sha256(self.definition)
        instrument = _instruments_by_sha256.get(key)
        if instrument is None:
            instrument = instrument_from_definition(self.definition, source=str(self))
            _instruments_by_sha256[key] = instrument
        return instrument
