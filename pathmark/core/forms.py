"""Form helpers shared by every app's views."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language


def attach_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form: beside the field it names when the
    form has that field, otherwise at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class DrawnOnce(forms.Form):
    """A form shown unfilled on busy pages (the journey page's life event, the person page's
    client link). `form.drawn_fields` is its fields' markup, each through
    `includes/field.html`, as `{% for field in form %}{% include ... %}` writes it; an
    unfilled form's is kept and reused for every form whose markup would be the same (same
    language and the same labels, hints, choices, first values and widgets), since Django
    draws each field through templates for about a third of a millisecond. A filled-in form,
    which may show errors and what was typed, is drawn every time."""

    @property
    def drawn_fields(self) -> SafeString:
        if self.is_bound:
            return _draw(self)
        key = _drawing_key(self)
        drawn = _drawn.get(key)
        if drawn is None:
            drawn = _draw(self)
            if len(_drawn) >= _DRAWN_KEPT:
                _drawn.clear()
            _drawn[key] = drawn
        return drawn


_drawn: dict[tuple[object, ...], SafeString] = {}
_DRAWN_KEPT = 1_000


def _draw(form: forms.Form) -> SafeString:
    return mark_safe(render_to_string("includes/fields.html", {"form": form}))  # noqa: S308 - a template's output


def _drawing_key(form: forms.Form) -> tuple[object, ...]:
    """Everything an unfilled form's markup is drawn from."""
    fields = []
    for name, field in form.fields.items():
        widget = field.widget
        fields.append(
            (
                name,
                repr(form.get_initial_for_field(field, name)),
                str(field.label),
                str(field.help_text),
                field.required,
                field.disabled,
                field.show_hidden_initial,
                type(field),
                type(widget),
                repr(sorted(widget.attrs.items())),
                repr([(value, str(label)) for value, label in getattr(field, "choices", ())]),
            )
        )
    return (
        type(form),
        get_language(),
        form.prefix,
        form.auto_id,
        form.label_suffix,
        form.use_required_attribute,
        tuple(fields),
    )
