"""Django's `i18n` tag library, with a fixed phrase's translation kept per language. It
replaces Django's under the same name (settings.TEMPLATES), so `{% load i18n %}` loads it.

A record page draws about 75 fixed phrases; Django translates each again on every view
(~6.5 µs: the active language asked of a context-local, then the catalogue). A fixed phrase
(`{% translate "Text" %}`, without `context`, `noop`, filters or `as`) translates the same
in one language every time, so it is kept by its text and the language: phrases are the
templates' own, so there are only so many. Everything else is Django's tag as it is. All
are forgotten when the languages or the catalogues' places change (tests).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Node, Variable
from django.template.base import Parser, Token
from django.templatetags import i18n
from django.utils.translation import get_language

register = template.Library()
# Every tag and filter of Django's i18n library; `translate` and `trans` replaced below.
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)

_phrases: dict[tuple[str, str | None], str] = {}


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}:
        _phrases.clear()


class KeptPhraseNode(Node):
    child_nodelists = ()

    def __init__(self, node: i18n.TranslateNode, text: str) -> None:
        self.node = node
        self.text = text

    def render(self, context: Any) -> str:
        key = (self.text, get_language())
        phrase = _phrases.get(key)
        if phrase is None:
            phrase = _phrases[key] = self.node.render(context)
        return phrase


@register.tag("translate")
@register.tag("trans")
def translate(parser: Parser, token: Token) -> Node:
    """Django's `{% translate %}`; a fixed text's translation kept per language."""
    node = i18n.do_translate(parser, token)
    node.token = token
    expression = node.filter_expression
    variable = expression.var
    if (
        node.noop
        or node.asvar
        or node.message_context is not None
        or expression.filters
        or not isinstance(variable, Variable)
        or variable.lookups is not None
        or not isinstance(variable.literal, str)
    ):
        return node
    return KeptPhraseNode(node, variable.literal)
