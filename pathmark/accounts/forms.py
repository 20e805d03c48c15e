"""Forms of the account pages. They only check what was typed; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pathmark.organisations.models import Role


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "The six-digit code your authenticator app shows now, or one of your backup codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


class NewAuthenticatorForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=12,
        help_text=_("Six digits. A new code appears every 30 seconds; type the newest one."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Type the six digits the app shows."))
        return code


class TwoFactorRequirementForm(forms.Form):
    required = forms.BooleanField(
        label=_("Require two-factor authentication for every member of this organisation"),
        required=False,
    )


ROLE_HELP = _(
    "Caseworkers register and assess clients. Managers also import, export, see the audit "
    "log and act on data-subject requests. Service providers receive referrals. Analysts "
    "see figures without names. Administrators manage users and the organisation's settings."
)


class AddMemberForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_(
            "Their work address. If they already have a Pathmark account with this address "
            "(for another organisation), that account is added; otherwise a new one is made."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        required=False,
        help_text=_("As colleagues know them. Used for new accounts only."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Role.choices, widget=forms.RadioSelect, help_text=ROLE_HELP
    )


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, help_text=ROLE_HELP)
