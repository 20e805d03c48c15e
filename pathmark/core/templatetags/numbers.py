"""`{% load numbers %}`: `{{ value|number:1 }}`, a localised number whose sign stays with it."""

from django import template

from pathmark.core.numbers import number_filter

register = template.Library()
register.filter("number", number_filter, is_safe=True)
