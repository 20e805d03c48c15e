"""The registry of personal-data providers: every app that holds data about a person says here
how to export it and how to erase it, so subject access and erasure reach everything.

The contract, for an app that adds a model holding data about a person (plans, referrals, a
search index, uploaded documents):

- In the app's `AppConfig.ready()`, call `register(Provider(...))` once per kind of record.
- `export(person) -> list[dict]` returns one dict per record held about `person`, with
  stable machine keys and JSON values only (str, int, float, bool, None, lists and dicts of
  these; dates as ISO strings). It must hold nothing about any *other* person (no names of
  household members, no other client's reference). It runs inside `system_scope(...)`, so
  it sees rows held by every organisation, and it must not write.
- `labels` maps each key to a translatable label (`gettext_lazy`) for the readable copy, and
  `choices` maps a key to `{code: label}` or to a function `code -> name` so codes read as
  words there (in the person's language); the JSON keeps the codes.
- `erase(person, *, by) -> int` irreversibly removes or anonymises the records and returns
  how many it changed. It runs inside the erasure transaction, in `system_scope(...)`, before
  the person's own record is blanked (so it can still follow `person.pk`), and must leave
  nothing from which the person could be identified: names, contact details, free text,
  answers, file contents, index entries. Aggregates (scores, counts, dates of service) may
  stay when they no longer point at anyone. Leave `erase` as None for data that must
  outlive erasure and holds no personal data itself (the audit log).
- `erase_order` orders erasure (lower first); the person's own record goes last.

A provider that raises aborts the whole erasure, which then changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.functional import Promise

Row = dict[str, Any]
Exporter = Callable[[Any], list[Row]]
Eraser = Callable[..., int]

LAST = 1000


class ProviderError(RuntimeError):
    """A provider was registered twice or is malformed."""


@dataclass(frozen=True)
class Provider:
    key: str
    """A stable dotted code, e.g. `people.record`; also the section key in the JSON export."""
    title: str | Promise
    export: Exporter
    erase: Eraser | None = None
    labels: Mapping[str, str | Promise] = field(default_factory=dict)
    choices: Mapping[str, Mapping[str, str | Promise] | Callable[[str], str]] = field(
        default_factory=dict
    )
    tabular: bool = False
    """Show the readable copy as one table (many short rows) rather than a list per record."""
    erase_order: int = 100
    export_order: int = 100
    """Where the section comes in the subject access copy (lower first): the person's own
    record first, the audit entries last, whatever the order the apps registered in."""


_providers: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    if provider.key in _providers and _providers[provider.key] is not provider:
        raise ProviderError(f"A personal-data provider {provider.key!r} is already registered.")
    _providers[provider.key] = provider
    return provider


def unregister(key: str) -> None:
    """For tests that register a provider of their own."""
    _providers.pop(key, None)


def providers() -> list[Provider]:
    """Every provider, in the order of the export (`export_order`, then registration)."""
    return sorted(_providers.values(), key=lambda provider: provider.export_order)


def iso(value: date | datetime | None) -> str | None:
    """A date or time as exporters write it."""
    return value.isoformat() if value is not None else None


def erasers() -> list[Provider]:
    """Providers that erase, in the order erasure runs."""
    with_erase = [provider for provider in _providers.values() if provider.erase is not None]
    return sorted(with_erase, key=lambda provider: provider.erase_order)
