"""Forms for the data-protection pages: choose an export format, give the ground for a
restriction, and confirm an erasure by typing the person's reference."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import CHOSEN_ERASURE_REASONS, RestrictionGround


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("html", _("A printable page to give to the person (HTML)")),
            ("json", _("A machine-readable file (JSON)")),
        ],
        initial="html",
        widget=forms.RadioSelect,
    )


class RestrictForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("Why is processing restricted?"),
        choices=RestrictionGround.choices,
        widget=forms.RadioSelect,
    )


class EraseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is the record erased?"),
        choices=[(reason.value, reason.label) for reason in CHOSEN_ERASURE_REASONS],
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(
        label=_("Type the person's reference to confirm"),
        max_length=20,
        help_text=_("For example P-000123. This cannot be undone."),
    )

    def __init__(self, *args, expected: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_reference(self) -> str:
        typed = self.cleaned_data["reference"].strip().upper()
        if typed != self.expected.upper():
            raise forms.ValidationError(
                _("That is not this person's reference. Type %(reference)s exactly.")
                % {"reference": self.expected}
            )
        return typed
