"""The upload form: what the file holds and the file itself, checked before it is stored."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
        help_text=_("A .csv file (UTF-8) or an .xlsx workbook (first sheet), up to 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["what"].choices = import_choices()

    def clean_file(self):  # type: ignore[no-untyped-def]
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
