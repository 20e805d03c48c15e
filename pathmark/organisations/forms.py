"""Forms of the organisation pages. They only check what was typed; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import RETENTION_YEARS_MAX, RETENTION_YEARS_MIN, OrganisationKind


def retention_help() -> str:
    return gettext(
        "Pathmark erases a client's record this many whole years after the last contact with "
        "them: their latest assessment, consent or registration. The nightly retention sweep "
        "does it; records under a restriction are kept until it is lifted. From %(min)d to "
        "%(max)d years; 6 is common for advice records."
    ) % {"min": RETENTION_YEARS_MIN, "max": RETENTION_YEARS_MAX}


TWO_FACTOR_HELP = _(
    "Members must confirm each sign-in with a code from an authenticator app. Strongly "
    "recommended: Pathmark holds special-category data."
)


class _OrganisationFields(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of organisation"), choices=OrganisationKind.choices)
    retention_years = forms.IntegerField(
        label=_("Retention period, in years after the last contact"),
        min_value=RETENTION_YEARS_MIN,
        max_value=RETENTION_YEARS_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    require_two_factor = forms.BooleanField(
        label=_("Require two-factor authentication for every member"),
        required=False,
        help_text=TWO_FACTOR_HELP,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per form, so the numbers are put into the text of the active language.
        self.fields["retention_years"].help_text = retention_help()


class OrganisationSettingsForm(_OrganisationFields):
    # Asked for only when the new period is shorter and would erase someone (see the view).
    confirm_shorter_retention = forms.BooleanField(
        label=_("I understand: these records will be erased, and erasure cannot be undone"),
        required=False,
    )


class NewOrganisationForm(_OrganisationFields):
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=60,
        help_text=_(
            "Lower-case letters, numbers and hyphens, e.g. northbridge-college. Used on the "
            "command line; it cannot be changed later."
        ),
    )
    administrator_email = forms.EmailField(
        label=_("E-mail address of its first administrator"),
        max_length=254,
        help_text=_(
            "They add the organisation's other staff. A new account gets a link to set its "
            "password; an existing account with this address is made an administrator."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    administrator_name = forms.CharField(
        label=_("Name of its first administrator"), max_length=150, required=False
    )

    field_order = [
        "name",
        "slug",
        "kind",
        "retention_years",
        "require_two_factor",
        "administrator_email",
        "administrator_name",
    ]
