"""Turns a subject access export into the two files the person receives: JSON for a machine
and a printable HTML page with the labels in their preferred language."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .registry import Provider
from .services import SubjectAccess

FORMAT_VERSION = "pathmark.subject-access/1"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def language_for(export: SubjectAccess) -> str:
    """The person's preferred language when Pathmark is translated into it, else English."""
    available = {code for code, _name in settings.LANGUAGES}
    preferred = (export.preferred_language or "").split("-")[0]
    return preferred if preferred in available else settings.LANGUAGE_CODE


def filename(export: SubjectAccess, extension: str) -> str:
    return f"{export.reference}-subject-access.{extension}"


def as_json(export: SubjectAccess) -> str:
    with translation.override(language_for(export)):
        document = {
            "format": FORMAT_VERSION,
            "generated_at": export.generated_at.isoformat(),
            "person": export.reference,
            "organisation": export.organisation,
            "language": language_for(export),
            "sections": {
                provider.key: {"title": str(provider.title), "records": rows}
                for provider, rows in export.sections
            },
        }
        return json.dumps(document, indent=2, ensure_ascii=False, default=str)


# --- The readable copy -----------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[Any]]


@dataclass(frozen=True)
class Section:
    title: str
    tabular: bool
    table: Table | None
    records: list[list[tuple[str, Any]]]


def _readable(provider: Provider, key: str, value: Any) -> Any:
    """A cell: text, or a `Table` for a list of records (answers, domain scores)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        if all(isinstance(item, dict) for item in value):
            return _table(provider, value)
        return ", ".join(str(_readable(provider, key, item)) for item in value)
    if isinstance(value, dict):
        return _table(provider, [value])
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=1)
    names = provider.choices.get(key)
    if names is not None:
        named = names(str(value)) if callable(names) else names.get(str(value))
        if named:
            return str(named)
    if isinstance(value, str) and ISO_DATETIME.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return formats.date_format(_local(moment), "DATETIME_FORMAT")
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return str(value)


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _label(provider: Provider, key: str) -> str:
    return str(provider.labels.get(key, key.replace("_", " ").capitalize()))


def _table(provider: Provider, rows: list[dict[str, Any]]) -> Table:
    keys: list[str] = []
    for row in rows:
        keys.extend(key for key in row if key not in keys)
    return Table(
        headers=[_label(provider, key) for key in keys],
        rows=[[_readable(provider, key, row.get(key)) for key in keys] for row in rows],
    )


def _section(provider: Provider, rows: list[dict[str, Any]]) -> Section:
    if provider.tabular:
        return Section(
            title=str(provider.title),
            tabular=True,
            table=_table(provider, rows) if rows else None,
            records=[],
        )
    return Section(
        title=str(provider.title),
        tabular=False,
        table=None,
        records=[
            [(_label(provider, key), _readable(provider, key, value)) for key, value in row.items()]
            for row in rows
        ],
    )


def as_html(export: SubjectAccess) -> str:
    """A standalone page (no site navigation, no scripts, no styles) that prints cleanly and
    reads right to left when the person's language does."""
    language = language_for(export)
    with translation.override(language):
        return render_to_string(
            "privacy/subject_access.html",
            {
                "export": export,
                "language": language,
                "direction": "rtl" if translation.get_language_bidi() else "ltr",
                "generated_at": formats.date_format(_local(export.generated_at), "DATETIME_FORMAT"),
                "sections": [_section(provider, rows) for provider, rows in export.sections],
                "translated": language == (export.preferred_language or "").split("-")[0],
            },
        )
