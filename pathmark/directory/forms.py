"""The directory's forms: the search (a GET) and a provider's edit of their own service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from pathmark.people.models import Gender, ImmigrationStatus
from pathmark.people.reference import common_language_choices, language_code_for

from .catalogue import themes
from .eligibility import normalise_postcode
from .models import LocationType, Service, ServiceStatus
from .selectors import DirectoryQuery, domain_choices

SNAPSHOT_SALT = "pathmark.directory.service"


def theme_choices() -> list[tuple[str, str]]:
    return [(theme.slug, theme.title_in("en")) for theme in themes().themes]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    domain = forms.ChoiceField(label=_("Integration domain"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    area = forms.CharField(
        label=_("Postcode or postcode area"),
        required=False,
        max_length=10,
        help_text=_("For example NB1 or NB1 4AA."),
    )
    referable = forms.BooleanField(label=_("Only services taking referrals now"), required=False)

    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("Any"))]
        self.fields["theme"].choices = everything + [
            (theme.slug, theme.title_in(language)) for theme in themes().themes
        ]
        self.fields["domain"].choices = everything + domain_choices(language)
        self.fields["language"].choices = everything + list(common_language_choices())

    def query(self) -> DirectoryQuery:
        if not self.is_valid():
            return DirectoryQuery()
        data = self.cleaned_data
        return DirectoryQuery(
            text=data["q"].strip(),
            theme=data["theme"],
            domain=data["domain"],
            language=data["language"],
            area=data["area"].strip(),
            referable_only=data["referable"],
        )


def _codes(text: str, field: str) -> list[str]:
    """Language names or codes separated by commas -> codes; a ValidationError names the
    one not recognised."""
    codes: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        code = language_code_for(part)
        if code is None:
            raise forms.ValidationError(
                _("%(language)r is not a language we know; write its name or ISO code."),
                params={"language": part},
            )
        if code not in codes:
            codes.append(code)
    return codes


class ServiceForm(forms.Form):
    """Everything a provider keeps up to date about their own service."""

    name = forms.CharField(label=_("Name"), max_length=300)
    description = forms.CharField(label=_("What it offers"), widget=forms.Textarea, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ServiceStatus.choices)
    url = forms.URLField(label=_("Web page"), required=False, max_length=500, assume_scheme="https")
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    themes = forms.MultipleChoiceField(
        label=_("Themes it addresses"), required=False, widget=forms.CheckboxSelectMultiple
    )
    eligibility_description = forms.CharField(
        label=_("Who it is for, in words"), widget=forms.Textarea, required=False
    )
    minimum_age = forms.IntegerField(
        label=_("Minimum age"), min_value=0, max_value=120, required=False
    )
    maximum_age = forms.IntegerField(
        label=_("Maximum age"), min_value=0, max_value=120, required=False
    )
    eligible_genders = forms.MultipleChoiceField(
        label=_("Only for people of these genders"),
        choices=Gender.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none if the service is for everyone."),
    )
    eligible_immigration_statuses = forms.MultipleChoiceField(
        label=_("Only for people with these immigration statuses"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none if the service is for everyone."),
    )
    eligible_languages = forms.CharField(
        label=_("People must speak one of these languages"),
        required=False,
        max_length=300,
        help_text=_("Names or codes separated by commas, e.g. Arabic, Tigrinya. Empty: any."),
    )
    eligible_postcode_areas = forms.CharField(
        label=_("Only for people in these postcode areas"),
        required=False,
        max_length=300,
        help_text=_("Areas or districts separated by commas, e.g. NB, NB1. Empty: anywhere."),
    )
    places_per_month = forms.IntegerField(label=_("Places a month"), min_value=0, required=False)
    taking_referrals = forms.BooleanField(label=_("Taking referrals now"), required=False)
    usual_wait_days = forms.IntegerField(
        label=_("Usual wait (days)"), min_value=0, max_value=3650, required=False
    )
    response_days = forms.IntegerField(
        label=_("Days to answer a referral"), min_value=1, max_value=90
    )
    staff_languages = forms.CharField(
        label=_("Languages staff speak"),
        required=False,
        max_length=300,
        help_text=_("Names or codes separated by commas, e.g. English, Arabic, Dari."),
    )
    interpreting_offered = forms.BooleanField(label=_("Interpreting offered"), required=False)
    interpretation_services = forms.CharField(
        label=_("Interpreting, in words"), widget=forms.Textarea, required=False
    )
    location_name = forms.CharField(label=_("Place name"), max_length=300, required=False)
    location_type = forms.ChoiceField(
        label=_("Kind of place"), choices=LocationType.choices, required=False
    )
    address_1 = forms.CharField(label=_("Address"), max_length=300, required=False)
    city = forms.CharField(label=_("Town or city"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    is_confidential = forms.BooleanField(
        label=_("Confidential address (a refuge or safe house)"),
        required=False,
        help_text=_(
            "The service stays listed and referable; the address is shown and exported only "
            "within your organisation."
        ),
    )
    original = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = theme_choices()
        self.fields["eligible_immigration_statuses"].choices = list(
            ImmigrationStatus.objects.filter(is_active=True).values_list("slug", "label")
        )

    def clean_eligible_languages(self) -> list[str]:
        return _codes(self.cleaned_data["eligible_languages"], "eligible_languages")

    def clean_staff_languages(self) -> list[str]:
        return _codes(self.cleaned_data["staff_languages"], "staff_languages")

    def clean_eligible_postcode_areas(self) -> list[str]:
        areas = []
        for part in self.cleaned_data["eligible_postcode_areas"].split(","):
            area = normalise_postcode(part)
            if not area:
                continue
            if not area[0].isalpha() or not area.isalnum() or len(area) > 4:
                raise forms.ValidationError(
                    _("%(area)r is not a postcode area or district such as NB or NB1."),
                    params={"area": part.strip()},
                )
            areas.append(area)
        return sorted(set(areas))

    def clean_original(self) -> dict[str, Any]:
        try:
            value: dict[str, Any] = signing.loads(self.cleaned_data["original"], salt=SNAPSHOT_SALT)
        except signing.BadSignature:
            raise forms.ValidationError(
                _("The page was changed on its way; open the service again.")
            ) from None
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error("maximum_age", _("The maximum age must not be below the minimum."))
        address = [data.get("address_1"), data.get("city"), data.get("postal_code")]
        if any(address) and not all(address):
            self.add_error(
                "address_1", _("Give the address, town and postcode together, or none of them.")
            )
        return data


def initial_for(service: Service, snapshot: dict[str, Any]) -> dict[str, Any]:
    initial = dict(snapshot)
    for name in ("eligible_languages", "staff_languages", "eligible_postcode_areas"):
        initial[name] = ", ".join(snapshot[name])
    initial["original"] = signing.dumps(snapshot, salt=SNAPSHOT_SALT)
    return initial
