from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pathmark.directory.catalogue import themes
from pathmark.directory.models import Service, ServiceStatus

from .models import EvidenceKind, HardToReach, InterventionType, PlaceCharacteristic


def theme_choices(language: str) -> list[tuple[str, str]]:
    return [(theme.slug, theme.title_in(language)) for theme in themes().themes]


class InterventionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What it does"), widget=forms.Textarea(attrs={"rows": 4}))
    intervention_type = forms.ChoiceField(
        label=_("Kind of intervention"), choices=InterventionType.choices, widget=forms.RadioSelect
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    place = forms.CharField(label=_("Place"), max_length=200, help_text=_("Town, city or area."))
    place_characteristics = forms.MultipleChoiceField(
        label=_("The place is"),
        required=False,
        choices=PlaceCharacteristic.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    reaches = forms.CharField(
        label=_("Who it reaches"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    hard_to_reach = forms.MultipleChoiceField(
        label=_("Hard-to-reach groups it reaches"),
        required=False,
        choices=HardToReach.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    service = forms.ModelChoiceField(
        label=_("Its service in the directory (optional)"),
        required=False,
        queryset=Service.objects.none(),
        help_text=_("Pathmark then shows its own outcome figures for it beside your evidence."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, language: str, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = theme_choices(language)  # type: ignore[attr-defined]
        self.fields["service"].queryset = Service.objects.filter(  # type: ignore[attr-defined]
            organization__organisation=organisation, status=ServiceStatus.ACTIVE
        ).order_by("name")


class FundingForm(forms.Form):
    funder = forms.CharField(label=_("Funder"), max_length=200)
    amount = forms.DecimalField(label=_("Amount (£)"), min_value=0, max_digits=12, decimal_places=2)
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("Until (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=EvidenceKind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Written account"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    file = forms.FileField(label=_("File"), required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    intervention_type = forms.ChoiceField(
        label=_("Kind of intervention"),
        required=False,
        choices=[("", _("Any kind")), *InterventionType.choices],
    )
    place_characteristic = forms.ChoiceField(
        label=_("The place is"),
        required=False,
        choices=[("", _("Anywhere")), *PlaceCharacteristic.choices],
    )

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("Any theme")), *theme_choices(language)]  # type: ignore[attr-defined]
