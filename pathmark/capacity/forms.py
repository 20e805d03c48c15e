"""Forms of the capacity pages: starting a self-assessment and filtering the partnership's
view. Answering reuses the assessments' one-area-a-page form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

from pathmark.instruments.definition import Instrument
from pathmark.organisations.models import OrganisationKind


class DateInput(forms.DateInput):
    input_type = "date"


def _language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


class StartCapacityForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the questions"))
    assessed_on = forms.DateField(
        label=_("Date of the self-assessment"), widget=DateInput, initial=timezone.localdate
    )

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            (code, _language_name(code)) for code in instrument.languages
        ]
        current = (get_language() or "en").split("-")[0]
        self.fields["language"].initial = current if current in instrument.languages else "en"


class SupportFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of organisation"), required=False)
    domain = forms.ChoiceField(label=_("Area"), required=False)
    stage = forms.ChoiceField(label=_("Support needed"), required=False)

    def __init__(
        self,
        *args: Any,
        areas: list[tuple[str, str]],
        stages: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Every kind")), *OrganisationKind.choices]
        self.fields["domain"].choices = [("", _("Any area")), *areas]
        self.fields["stage"].choices = [("", _("Any stage")), *stages]
