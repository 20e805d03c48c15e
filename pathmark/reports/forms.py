"""The filters every report page takes (a GET form, so a report is a link to share)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pathmark.assessments.text import in_language
from pathmark.directory.catalogue import themes
from pathmark.directory.models import Service
from pathmark.instruments.registry import get_instrument, list_instruments
from pathmark.organisations.models import Organisation

from .figures import OVERALL, Dimension
from .selectors import DEFAULT_INSTRUMENT, DIMENSION_LABELS, Filters

COHORT_FIELDS = ("instrument", "organisation", "date_from", "date_to", "group_by", "domain")
WHAT_WORKS_FIELDS = (
    "instrument",
    "organisation",
    "date_from",
    "date_to",
    "domain",
    "service",
    "theme",
)
REFERRAL_FIELDS = ("organisation", "date_from", "date_to", "service", "theme")
PERIOD_FIELDS = ("organisation", "date_from", "date_to")


class ReportFiltersForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Questionnaire"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=_("The whole partnership"),
    )
    date_from = forms.DateField(
        label=_("Assessed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Assessed until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    group_by = forms.ChoiceField(
        label=_("Split by"),
        required=False,
        choices=[(d.value, DIMENSION_LABELS[d]) for d in Dimension],
    )
    domain = forms.ChoiceField(label=_("Domain"), required=False)
    service = forms.ChoiceField(label=_("Service in the directory"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)

    def __init__(self, *args: Any, only: tuple[str, ...] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if only is not None:
            for name in list(self.fields):
                if name not in only:
                    del self.fields[name]
        if "service" in self.fields:
            self.fields["service"].choices = [("", _("Every service"))] + list(
                Service.objects.order_by("name").values_list("id", "name")
            )
        if "theme" in self.fields:
            self.fields["theme"].choices = [("", _("Every theme"))] + [
                (theme.slug, in_language(dict(theme.title))) for theme in themes().themes
            ]
        instruments = list_instruments()
        if "instrument" not in self.fields:
            return
        self.fields["instrument"].choices = [(i.slug, in_language(i.title)) for i in instruments]
        domains = {(OVERALL, str(_("Overall")))}
        for instrument in instruments:
            domains |= {(d.id, in_language(d.title)) for d in instrument.domains}
        if "domain" in self.fields:
            self.fields["domain"].choices = [("", _("Every domain"))] + sorted(
                domains, key=lambda pair: (pair[0] != OVERALL, pair[1])
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Choose a date on or after the start date."))
        slug = cleaned.get("instrument") or DEFAULT_INSTRUMENT
        domain = cleaned.get("domain")
        known = {d.id for d in get_instrument(slug).domains} | {OVERALL}
        if domain and domain not in known:
            self.add_error("domain", _("This domain is not part of the chosen questionnaire."))
        return cleaned

    def filters(self) -> Filters:
        """The filters of a valid form (the defaults for a blank one)."""
        data = self.cleaned_data
        organisation = data.get("organisation")
        return Filters(
            instrument=data.get("instrument") or DEFAULT_INSTRUMENT,
            organisation_id=organisation.pk if organisation else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            group_by=Dimension(data.get("group_by") or Dimension.NONE),
            domain=data.get("domain") or None,
            service=data.get("service") or None,
            theme=data.get("theme") or None,
        )
