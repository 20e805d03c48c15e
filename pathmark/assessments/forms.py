"""Forms for running an assessment: choosing what to run, then answering one domain a page.

They check the shape of what was typed; the services check it again against the stored
instrument version and decide everything else (who, which organisation, which version).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pathmark.instruments.definition import CHOICE_TYPES, Domain, Instrument, Item
from pathmark.instruments.registry import list_instruments
from pathmark.people import rules
from pathmark.people.reference import language_name

from .models import AssessmentMode
from .text import answer_labels, direction, in_language, language_of


class DateInput(forms.DateInput):
    input_type = "date"


def instrument_choices() -> list[tuple[str, str]]:
    return [(instrument.slug, in_language(instrument.title)) for instrument in list_instruments()]


def language_choices() -> list[tuple[str, str]]:
    codes: list[str] = []
    drafts: set[str] = set()
    for instrument in list_instruments():
        codes.extend(code for code in instrument.languages if code not in codes)
        drafts.update(instrument.draft_languages)
    return [
        (
            code,
            gettext("%(language)s (draft translation)") % {"language": language_name(code)}
            if code in drafts
            else language_name(code),
        )
        for code in codes
    ]


class StartAssessmentForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Instrument"), choices=instrument_choices)
    mode = forms.ChoiceField(
        label=_("How it is done"), choices=AssessmentMode.choices, widget=forms.RadioSelect
    )
    language = forms.ChoiceField(
        label=_("Language of the questions"),
        choices=language_choices,
        help_text=_("Questions not yet translated are shown in English."),
    )
    assessed_on = forms.DateField(
        label=_("Date of assessment"), widget=DateInput, initial=timezone.localdate
    )

    def __init__(
        self, *args: Any, person_language: str = "", born: date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.born = born
        self.fields["mode"].initial = AssessmentMode.CASEWORKER_LED
        codes = [code for code, _label in self.fields["language"].choices]
        self.fields["language"].initial = person_language if person_language in codes else "en"

    def clean_assessed_on(self) -> date:
        value: date = self.cleaned_data["assessed_on"]
        problem = rules.recorded_date_problem(value, born=self.born)
        if problem is not None:
            raise forms.ValidationError(rules.sentence(problem, gettext("The date of assessment")))
        return value


def _field_for(item: Item, language: str) -> forms.Field:
    """A form field for one item; labels are the option labels in the assessment's language."""
    common: dict[str, Any] = {"required": False, "label": in_language(item.text, language)}
    choices = [(option.value, in_language(option.label, language)) for option in item.options]
    if item.type == "multiple_choice":
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if item.type == "number":
        return forms.FloatField(min_value=item.number_min, max_value=item.number_max, **common)
    if item.type == "free_text":
        return forms.CharField(
            max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}), **common
        )
    return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)


class DomainAnswersForm(forms.Form):
    """One field per item of a domain, named by the item id; every item may be left blank."""

    def __init__(
        self, *args: Any, instrument: Instrument, domain: Domain, language: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.domain = domain
        for item in domain.items:
            self.fields[item.id] = _field_for(item, language)

    def answers(self) -> dict[str, object]:
        """Item id → answer, with None for an item left blank (which clears an earlier answer)."""
        answers: dict[str, object] = {}
        for item in self.domain.items:
            value = self.cleaned_data.get(item.id)
            if value in (None, "", []):
                answers[item.id] = None
            elif item.type == "number" and float(value).is_integer():
                answers[item.id] = int(value)
            else:
                answers[item.id] = value
        return answers


def initial_answers(domain: Domain, answers: dict[str, object]) -> dict[str, object]:
    return {item.id: answers[item.id] for item in domain.items if item.id in answers}


def questions_of(form: DomainAnswersForm, domain: Domain, language: str) -> list[dict[str, Any]]:
    """What the page needs to show each item: its field, and the text in the assessment's
    language with the `lang` and `dir` of the text actually shown (English when untranslated)."""
    questions = []
    for item in domain.items:
        field = form[item.id]
        text_language = language_of(item.text, language)
        choices = []
        if item.type in CHOICE_TYPES:
            for widget, option in zip(field, item.options, strict=True):
                label_language = language_of(option.label, language)
                choices.append(
                    {"widget": widget, "lang": label_language, "dir": direction(label_language)}
                )
        help_language = language_of(item.help, language) if item.help else text_language
        questions.append(
            {
                "field": field,
                "item": item,
                "text": in_language(item.text, language),
                "lang": text_language,
                "dir": direction(text_language),
                "help": in_language(item.help, language) if item.help else "",
                "help_lang": help_language,
                "help_dir": direction(help_language),
                "choices": choices,
            }
        )
    return questions


class CompleteForm(forms.Form):
    """The "check your answers" page's completion: the instrument version the reviewer saw,
    which the services refuse to complete on if it is not the draft's."""

    instrument_version = forms.IntegerField(widget=forms.HiddenInput)

    def reviewed_version(self) -> Any:
        """The InstrumentVersion reviewed; a ValidationError when it no longer exists."""
        from pathmark.instruments.models import InstrumentVersion

        reviewed = InstrumentVersion.objects.filter(
            pk=self.cleaned_data["instrument_version"]
        ).first()
        if reviewed is None:
            raise ValidationError(gettext("The instrument version you reviewed no longer exists."))
        return reviewed


def answered_parts(
    instrument: Instrument, answers: dict[str, Any], language: str
) -> list[dict[str, Any]]:
    """Every question with the answer given (or none), domain by domain, each text in its
    own language and direction: what "check your answers" and a result page show."""
    parts = []
    for number, domain in enumerate(instrument.domains, start=1):
        rows = []
        for item in domain.items:
            value = answers.get(item.id)
            labels = answer_labels(item, value, language)
            text_language = language_of(item.text, language)
            rows.append(
                {
                    "text": in_language(item.text, language),
                    "lang": text_language,
                    "dir": direction(text_language),
                    "answer": ", ".join(labels)
                    if labels
                    else ("" if value is None else str(value)),
                }
            )
        title_language = language_of(domain.title, language)
        parts.append(
            {
                "number": number,
                "title": in_language(domain.title, language),
                "lang": title_language,
                "dir": direction(title_language),
                "rows": rows,
            }
        )
    return parts
