"""Forms of the referral pages: referring (with the consent to share), answering, rating."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathmark.people.models import ConsentMethod

from .models import DeclineReason


class DateInput(forms.DateInput):
    input_type = "date"


class SendForm(forms.Form):
    """Sending a referral to a service already chosen (a plan action's): the message and the
    person's consent to share."""

    note = forms.CharField(
        label=_("Message to the service"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What they should know to help; only what the person agreed to share."),
    )
    consent_given = forms.BooleanField(
        label=_("The person agreed that we share their details with this service"),
        required=True,
        error_messages={"required": _("A referral needs the person's consent to share.")},
    )
    consent_method = forms.ChoiceField(label=_("How they agreed"), choices=ConsentMethod.choices)
    consent_given_on = forms.DateField(
        label=_("Date they agreed"), widget=DateInput, initial=timezone.localdate
    )
    consent_covers_assessments = forms.BooleanField(
        label=_("They also agreed to share their assessment results"), required=False
    )


class ReferForm(SendForm):
    service = forms.CharField(widget=forms.HiddenInput, max_length=36)
    send = forms.BooleanField(required=False, initial=True, widget=forms.HiddenInput)


class AnswerForm(forms.Form):
    status = forms.CharField(widget=forms.HiddenInput, max_length=16)
    reason = forms.ChoiceField(
        label=_("Why"), choices=[("", "—"), *DeclineReason.choices], required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("The person's rating"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
        help_text=_("1 is poor, 5 is excellent."),
    )
    comment = forms.CharField(
        label=_("Their comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
