"""Forms for registering and editing people. They validate and name the field; they never
set organisation, status or who registered, which the services decide."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathmark.organisations.models import Organisation

from . import rules
from .models import (
    AgeBand,
    ConsentKind,
    ConsentMethod,
    Gender,
    ImmigrationStatus,
    QualificationLevel,
    Recognition,
    WorkSector,
    WorkStatus,
)
from .reference import (
    common_language_choices,
    country_choices,
    language_choices,
    language_code_for,
    language_name,
)


class DateInput(forms.DateInput):
    input_type = "date"


def _checked_recorded_date(value: date | None, label: str) -> date | None:
    """A dated fact recorded about the person (a consent): the rule the import and the
    services keep too (`rules.recorded_date_problem`)."""
    problem = rules.recorded_date_problem(value)
    if problem is not None:
        raise forms.ValidationError(rules.sentence(problem, str(label)))
    return value


class PersonForm(forms.Form):
    name = forms.CharField(
        label=_("Name or pseudonym"),
        max_length=200,
        help_text=_("A pseudonym is fine if the person prefers not to give their name."),
    )
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=200, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput)
    age_band = forms.ChoiceField(
        label=_("Age band"),
        required=False,
        choices=[("", _("Not known"))] + list(AgeBand.choices),
        help_text=_("Use this when the exact date of birth is not known."),
    )
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", "—")] + list(Gender.choices)
    )
    gender_description = forms.CharField(
        label=_("Gender, in their words"), max_length=100, required=False
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        required=False,
        choices=lambda: [
            ("", "—"),
            (_("Common in this partnership"), list(common_language_choices())),
            (_("All languages"), list(language_choices())),
        ],
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        required=False,
        choices=common_language_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    other_languages = forms.CharField(
        label=_("Other languages spoken"),
        required=False,
        max_length=300,
        help_text=_("Names or codes, separated by commas, for example: Dari, Hazaragi, Tigre"),
    )
    country_of_origin = forms.ChoiceField(
        label=_("Country of origin"),
        required=False,
        choices=lambda: [("", "—"), *country_choices()],
    )
    date_of_arrival = forms.DateField(
        label=_("Date of arrival in the UK"), required=False, widget=DateInput
    )
    immigration_status = forms.ModelChoiceField(
        label=_("Immigration status"),
        required=False,
        queryset=ImmigrationStatus.objects.filter(is_active=True),
        empty_label=_("Not recorded"),
    )
    household_role = forms.CharField(label=_("Role in household"), max_length=60, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(
        label=_("Address"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    postcode = forms.CharField(label=_("Postcode"), max_length=12, required=False)
    qualification_level = forms.ChoiceField(
        label=_("Highest qualification"),
        required=False,
        choices=[("", _("Not recorded")), *QualificationLevel.choices],
    )
    qualification_subject = forms.CharField(
        label=_("Subject of that qualification"),
        max_length=120,
        required=False,
        help_text=_("For example: nursing, civil engineering, accountancy."),
    )
    profession_sector = forms.ChoiceField(
        label=_("Profession before arriving"),
        required=False,
        choices=[("", _("Not recorded")), *WorkSector.choices],
    )
    profession_recognition = forms.ChoiceField(
        label=_("Recognition of that profession in the UK"),
        required=False,
        choices=[("", _("Not recorded")), *Recognition.choices],
    )
    work_status = forms.ChoiceField(
        label=_("Work now"), required=False, choices=[("", _("Not recorded")), *WorkStatus.choices]
    )
    work_sector = forms.ChoiceField(
        label=_("Sector of their work now"),
        required=False,
        choices=[("", _("Not recorded")), *WorkSector.choices],
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # A missing name reads as the import's rule says it (`people.rules`), not Django's.
        name = self.fields["name"]
        name.error_messages["required"] = rules.sentence(
            rules.Problem("name", rules.REQUIRED), str(name.label)
        )

    @classmethod
    def initial_for(cls, person: object) -> dict:
        """The form's starting values for a stored person: the languages that have a tick
        box are ticked, the rest are written out by name."""
        initial = {
            name: getattr(person, name) for name in cls.base_fields if name != "other_languages"
        }
        common = {code for code, _name in common_language_choices()}
        spoken = list(initial.get("languages") or [])
        initial["languages"] = [code for code in spoken if code in common]
        initial["other_languages"] = ", ".join(
            language_name(code) for code in spoken if code not in common
        )
        return initial

    def clean_other_languages(self) -> list[str]:
        text = self.cleaned_data.get("other_languages") or ""
        codes, unknown = [], []
        for part in text.replace(";", ",").replace("،", ",").split(","):
            if not part.strip():
                continue
            code = language_code_for(part)
            if code is None:
                unknown.append(part.strip())
            elif code not in codes:
                codes.append(code)
        if unknown:
            raise forms.ValidationError(
                _(
                    "Not a language we know: %(names)s. Write the language's name in English "
                    "or its ISO 639 code (for example prs for Dari)."
                )
                % {"names": ", ".join(unknown)}
            )
        return codes

    def clean(self) -> dict:
        data = super().clean() or {}
        spoken = list(data.get("languages") or [])
        spoken += [code for code in data.pop("other_languages", None) or [] if code not in spoken]
        data["languages"] = spoken
        # The import checks the same rules (`people.rules`); a field Django already refused
        # (a date that is not a date) is not checked again.
        for problem in rules.person_problems(data):
            if problem.field in self.fields and problem.field not in self.errors:
                self.add_error(
                    problem.field, rules.sentence(problem, str(self.fields[problem.field].label))
                )
        preferred = data.get("preferred_language")
        if preferred and preferred not in (data.get("languages") or []):
            data["languages"] = [*(data.get("languages") or []), preferred]
        return data

    def person_values(self) -> dict:
        values = dict(self.cleaned_data)
        for name in ("age_band", "gender", "preferred_language", "country_of_origin"):
            values[name] = values.get(name) or ""
        return values


class ConsentFields(forms.Form):
    """The consent given at registration: required before anything is stored."""

    consent_given = forms.BooleanField(
        label=_("The person agrees that we hold and use their information to support them"),
        error_messages={
            "required": _("You must record the person's consent before registering them.")
        },
    )
    consent_method = forms.ChoiceField(
        label=_("How consent was given"), choices=ConsentMethod.choices
    )
    consent_date = forms.DateField(
        label=_("Date consent was given"), widget=DateInput, initial=timezone.localdate
    )
    consent_purpose = forms.CharField(
        label=_("What was agreed"),
        max_length=300,
        initial=_(
            "Hold and use my information to assess my needs, plan support and refer me to services."
        ),
    )
    share_with = forms.ModelMultipleChoiceField(
        label=_("The person also agrees to share their record with"),
        required=False,
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["share_with"].queryset = Organisation.objects.filter(is_active=True).exclude(
            pk=organisation.pk
        )

    def clean_consent_date(self) -> date:
        return _checked_recorded_date(
            self.cleaned_data["consent_date"], _("Date consent was given")
        )


class RegistrationForm(PersonForm, ConsentFields):
    pass


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Consent to"), choices=ConsentKind.choices)
    shared_with = forms.ModelChoiceField(
        label=_("Organisation to share with"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("Choose an organisation"),
        help_text=_("Needed for consent to share; leave it for consent to hold and use."),
    )
    purpose = forms.CharField(label=_("What was agreed"), max_length=300)
    method = forms.ChoiceField(label=_("How it was given"), choices=ConsentMethod.choices)
    given_on = forms.DateField(label=_("Date given"), widget=DateInput, initial=timezone.localdate)

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].queryset = Organisation.objects.filter(is_active=True).exclude(
            pk=organisation.pk
        )

    def clean_given_on(self) -> date:
        return _checked_recorded_date(self.cleaned_data["given_on"], _("Date given"))

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("kind") == ConsentKind.SHARE and not data.get("shared_with"):
            self.add_error(
                "shared_with", _("Choose the organisation the person agreed to share with.")
            )
        return data


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, reference, date of birth, phone or e-mail"), required=False, max_length=100
    )


class HouseholdLinkForm(forms.Form):
    other = forms.CharField(
        label=_("Reference of a household member"),
        max_length=20,
        help_text=_("For example P-000123. They must be registered by your organisation."),
    )
    role = forms.CharField(
        label=_("This person's role in the household"), max_length=60, required=False
    )

    def clean_other(self) -> int:
        from .selectors import REFERENCE_PATTERN

        match = REFERENCE_PATTERN.match(self.cleaned_data["other"])
        if not match:
            raise forms.ValidationError(_("Enter a reference like P-000123."))
        return int(match.group(1))


class ImmigrationStatusForm(forms.Form):
    label = forms.CharField(label=_("Category"), max_length=120)
    is_active = forms.BooleanField(
        label=_("In use (offered on forms)"), required=False, initial=True
    )


class WithdrawConsentForm(forms.Form):
    how = forms.ChoiceField(
        label=_("How did the person withdraw their consent?"),
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
    )


class MergeForm(forms.Form):
    """Which of two records of one person to keep, and why they are one person."""

    keep = forms.TypedChoiceField(
        label=_("Which record is kept?"), coerce=int, widget=forms.RadioSelect
    )
    reason = forms.ChoiceField(
        label=_("Why are they the same person?"), widget=forms.RadioSelect, choices=()
    )

    def __init__(self, *args, records: list, **kwargs) -> None:  # type: ignore[no-untyped-def,type-arg]
        from .services import MergeReason

        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [
            (person.pk, f"{person.reference} — {person.name}") for person in records
        ]
        self.fields["reason"].choices = MergeReason.choices
