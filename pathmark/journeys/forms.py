"""The life event form on the journey page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pathmark.core.forms import DrawnOnce

from .services import life_event_kinds


class LifeEventForm(DrawnOnce):
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("What happened"), choices=())
    note = forms.CharField(
        label=_("In a few words (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = life_event_kinds()
