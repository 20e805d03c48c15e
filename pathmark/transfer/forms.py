"""The upload form: what the file holds and the file itself, checked before it is stored."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pathmark.core.uploads import describe_size, too_large_message, upload_limit
from pathmark.instruments.definition import DEFAULT_LANGUAGE
from pathmark.instruments.registry import list_instruments

from .services import check_upload


def import_choices() -> list[tuple[str, str]]:
    choices = [("people", str(_("People")))]
    for instrument in list_instruments():
        title = instrument.title.get(DEFAULT_LANGUAGE, instrument.slug)
        choices.append(
            (f"assessments:{instrument.slug}", str(_("Assessments: %(title)s") % {"title": title}))
        )
    return choices


class UploadForm(forms.Form):
    what = forms.ChoiceField(label=_("What the file holds"), choices=())
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, cut_off: bool = False, **kwargs):  # type: ignore[no-untyped-def]
        """`cut_off`: the file passed the size limit while it arrived and was dropped
        (`core.uploads`); the form says so rather than that no file was chosen."""
        super().__init__(*args, **kwargs)
        self.cut_off = cut_off
        self.fields["what"].choices = import_choices()
        self.fields["file"].required = not cut_off
        self.fields["file"].help_text = _(
            "A .csv file (UTF-8) or an .xlsx workbook (first sheet), up to %(limit)s."
        ) % {"limit": describe_size(upload_limit())}

    def clean_file(self):  # type: ignore[no-untyped-def]
        if self.cut_off:
            raise forms.ValidationError(too_large_message())
        upload = self.cleaned_data["file"]
        check_upload(upload)
        return upload

    def kind_and_instrument(self) -> tuple[str, str]:
        kind, _sep, slug = self.cleaned_data["what"].partition(":")
        return kind, slug


class ConfirmForm(forms.Form):
    leave_out_rows_with_problems = forms.BooleanField(
        label=_("Import the rows without problems and leave out the others"), required=False
    )


class HostSurveyForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Questionnaire"), choices=())
    valid_from = forms.DateField(
        label=_("In force from"),
        help_text=_("The date the survey describes; journeys use these norms from this date."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        help_text=_("Who surveyed whom, and when, e.g. “Northbridge residents’ survey, 2025”."),
    )
    label = forms.CharField(label=_("What changed (optional)"), max_length=200, required=False)
    min_group = forms.IntegerField(
        label=_("Smallest group with its own norm"),
        min_value=2,
        initial=30,
        help_text=_("A group (age band, gender, area) needs at least this many respondents."),
    )
    file = forms.FileField(
        label=_("Survey answers"),
        help_text=_(
            "One row per resident, one column per item as in the assessment template, with "
            "optional columns age_band, gender and area. A .csv or .xlsx file, up to 20 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [
            (instrument.slug, instrument.title.get(DEFAULT_LANGUAGE, instrument.slug))
            for instrument in list_instruments()
        ]

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        check_upload(upload)
        return upload

    def clean_valid_from(self):  # type: ignore[no-untyped-def]
        from django.utils import timezone

        day = self.cleaned_data["valid_from"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day
