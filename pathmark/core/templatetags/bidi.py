"""`{% load bidi %}`: `{{ value|isolate }}` sets text someone typed (a name, an organisation)
in its own direction inside a sentence of the page's language: `<bdi>` is `dir="auto"` and
keeps an Arabic name from reordering the English words around it, and the other way round.
`{{ field|typed_direction }}` draws a text box whose text takes the direction of what is
typed in it (an Arabic address in an English page), as the same text shown later does."""

from django import template
from django.forms import BoundField
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def isolate(value: object) -> SafeString:
    return format_html("<bdi>{}</bdi>", value)


# Free text only: numbers, e-mail addresses, dates and codes read left to right anyway.
TYPED_WIDGETS = frozenset({"text", "textarea"})


@register.filter
def typed_direction(field: BoundField) -> SafeString:
    if field.widget_type in TYPED_WIDGETS and "dir" not in field.field.widget.attrs:
        return field.as_widget(attrs={"dir": "auto"})
    return field.as_widget()
