"""The caseworker's form for a client's link, and the client's answers on one page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pathmark.assessments.forms import DomainAnswersForm, instrument_choices, language_choices
from pathmark.core.forms import DrawnOnce
from pathmark.instruments.definition import Instrument
from pathmark.people.models import Person

from .models import Delivery


class IssueLinkForm(DrawnOnce):
    instrument = forms.ChoiceField(label=_("Questionnaire"), choices=instrument_choices)
    language = forms.ChoiceField(
        label=_("Language of the questions"),
        choices=language_choices,
        help_text=_("The page the person opens is in this language and its direction."),
    )
    delivery = forms.ChoiceField(
        label=_("How the link reaches them"), choices=(), widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Worked out once for this form, not again each time the field or widget asks.
        self.fields["instrument"].choices = instrument_choices()
        self.fields["language"].choices = language_choices()
        codes = [code for code, _label in self.fields["language"].choices]
        preferred = person.preferred_language
        self.fields["language"].initial = preferred if preferred in codes else "en"
        ways = [(Delivery.SCREEN.value, _("Show a QR code on this screen for their phone"))]
        if person.email:
            ways.append((Delivery.EMAIL.value, _("E-mail it to the address on their record")))
        if person.phone:
            ways.append((Delivery.SMS.value, _("Text it to the phone number on their record")))
        self.fields["delivery"].choices = ways
        self.fields["delivery"].initial = Delivery.SCREEN.value


def answer_forms(instrument: Instrument, language: str, data: Any = None) -> list[Any]:
    """One form per part of the questionnaire, each field prefixed with its part, so the
    whole questionnaire is one page and one submission (it works without JavaScript)."""
    return [
        DomainAnswersForm(
            data, instrument=instrument, domain=domain, language=language, prefix=domain.id
        )
        for domain in instrument.domains
    ]
