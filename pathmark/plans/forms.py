"""Forms for plans. Each carries the plan `version` it was drawn from, so the service can
tell a change made on an old copy (see `services.StalePlan`). They check shape; the services
decide the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathmark.assessments.text import in_language
from pathmark.directory.models import Service
from pathmark.instruments.definition import Instrument
from pathmark.people.models import ConsentMethod

from .models import ActionKind


class DateInput(forms.DateInput):
    input_type = "date"


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class GoalForm(VersionedForm):
    priority = forms.IntegerField(label=_("Priority"), min_value=1, max_value=20)
    target_text = forms.CharField(
        label=_("What the person aims for, in their words"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    target_score = forms.FloatField(
        label=_("Target score (0-100)"), required=False, min_value=0, max_value=100
    )
    review_date = forms.DateField(label=_("Review by"), widget=DateInput)


class AddGoalForm(GoalForm):
    field_order = ["domain_id"]

    def __init__(self, *args: Any, instrument: Instrument, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain_id"] = forms.ChoiceField(
            label=_("Area of life"),
            choices=[(d.id, in_language(d.title, language)) for d in instrument.domains],
        )
        self.order_fields(["domain_id", "priority", "target_text", "target_score"])


class ServiceChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.organization.name})"


class ActionForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActionKind.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("What to do"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    service = ServiceChoiceField(
        label=_("Service (for a referral)"),
        queryset=Service.objects.none(),
        required=False,
        help_text=_("Services that work on this area of life and are taking referrals."),
    )
    due_date = forms.DateField(label=_("Due by"), required=False, widget=DateInput)

    def __init__(self, *args: Any, services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Service.objects.filter(pk__in=[s.pk for s in services]).select_related(
            "organization"
        )


class ChangeActionForm(ActionForm):
    done = forms.BooleanField(label=_("Done"), required=False)


class AgreementForm(VersionedForm):
    agreed_on = forms.DateField(label=_("Date agreed"), widget=DateInput)
    method = forms.ChoiceField(
        label=_("How the client agreed"), choices=ConsentMethod.choices, widget=forms.RadioSelect
    )
    agreed_by = forms.CharField(
        label=_("Agreed by, if not the client"),
        required=False,
        max_length=200,
        help_text=_("Leave empty when the client agreed themselves."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("agreed_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class AssessmentChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} · {obj.assessed_on:%Y-%m-%d}"


class ReviewForm(VersionedForm):
    reviewed_on = forms.DateField(label=_("Date of review"), widget=DateInput)
    progress_notes = forms.CharField(
        label=_("Progress"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    next_assessment = AssessmentChoiceField(
        label=_("Assessment at this review"),
        # Filled per request (`assessments`): a scoped manager cannot be asked at import.
        queryset=None,
        required=False,
        help_text=_("The assessment that measured progress since the plan was drafted."),
    )

    def __init__(self, *args: Any, assessments: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("reviewed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        field = self.fields["next_assessment"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = assessments
