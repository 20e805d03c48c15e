"""`{% url %}` as Django writes it, each link kept once worked out (installed as a builtin in
settings.TEMPLATES, so every template uses it without loading anything).

A record page draws about 25 links; Django works each out again on every view (~19 µs: the
resolver's candidates, converters and quoting). A link depends only on its view name, its
arguments, the current application, the URLconf, the script prefix and the language, so it
is kept by those, when every argument is a number or a text (an object is drawn through its
text, which could change under the same key). At most `KEPT_URLS` are kept; then they are
forgotten and kept again as they are drawn. Only links that exist are kept; all are
forgotten when the URLconf or the languages change (tests), as Django's own caches are.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Node, defaulttags
from django.template.base import Parser, Token
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()

KEPT_URLS = 4_096
_urls: dict[tuple[Any, ...], str] = {}


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    if setting in {"ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "INSTALLED_APPS"}:
        _urls.clear()


class KeptURLNode(Node):
    child_nodelists = ()

    def __init__(self, node: defaulttags.URLNode) -> None:
        self.node = node

    def render(self, context: Any) -> str:
        node = self.node
        args = [arg.resolve(context) for arg in node.args]
        kwargs = {name: value.resolve(context) for name, value in node.kwargs.items()}
        if not all(
            type(value) in (int, str) for value in (*args, *kwargs.values())
        ):  # an object is drawn through its text, which may change: not kept
            return node.render(context)  # type: ignore[no-any-return]
        view_name = node.view_name.resolve(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        key = (
            view_name,
            tuple(args),
            tuple(kwargs.items()),
            current_app,
            get_urlconf(),
            get_script_prefix(),
            get_language(),
        )
        url = _urls.get(key)
        if url is None:
            try:
                url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
            except NoReverseMatch:
                if node.asvar is None:
                    raise
                url = ""
            else:
                if len(_urls) >= KEPT_URLS:
                    _urls.clear()
                _urls[key] = url
        if node.asvar:
            context[node.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> Node:
    """Django's `{% url %}` (same arguments, same errors), its links kept."""
    node = defaulttags.url(parser, token)
    node.token = token
    return KeptURLNode(node)
