"""The declared audit actions: every code the log may hold, with the words people read.

Each app lists the codes it records in its own `audit_actions.py`, calling `register(...)`
at import; the audit app imports those modules when Django starts (as the admin finds
`admin.py`), so the audit layer needs no import of the apps above it. `record` refuses a
code nobody declared, and a test walks the source for every code used.

A sentence is a translatable string with `%(actor)s` for who did it. When an action counts
something, the sentence is `ngettext_lazy(singular, plural, "count")` with `%(count)s`, and
`count` reads the number from the entry's details.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


class UndeclaredAction(ValueError):
    """An audit code that no app declared."""


@dataclass(frozen=True)
class Action:
    code: str
    sentence: Promise | str
    count: Callable[[Mapping[str, Any]], int | None] | None = None
    lists_people: bool = False
    """The entry is of a page that showed many people (a list, a search, a caseload), named
    in its details under `shown` (`services.record_shown`); a subject access copy reads it."""
    by_member: bool = True
    """Done by a signed-in member, whom the sentence names; False for what a client does
    through their own link (no account), which the sentence says in its own words."""

    def describe(self, actor: str, details: Mapping[str, Any]) -> str:
        number = self.count(details) if self.count is not None else None
        return str(self.sentence % {"actor": actor, "count": number or 0})


_ACTIONS: dict[str, Action] = {}


def register(*actions: Action) -> None:
    for action in actions:
        if action.code in _ACTIONS and _ACTIONS[action.code] != action:
            raise ValueError(f"The audit action {action.code!r} is declared twice.")
        _ACTIONS[action.code] = action


def get(code: str) -> Action | None:
    return _ACTIONS.get(code)


def check(code: str) -> None:
    if code not in _ACTIONS:
        raise UndeclaredAction(
            f"The audit action {code!r} is not declared: add it to the app's audit_actions.py."
        )


def listing_codes() -> list[str]:
    """The codes of entries that name the people a page showed (`Action.lists_people`)."""
    return sorted(code for code, action in _ACTIONS.items() if action.lists_people)


def declared() -> dict[str, Action]:
    return dict(sorted(_ACTIONS.items()))


def describe(code: str, actor: str, details: Mapping[str, Any] | None) -> str:
    """The entry as a sentence; an old code no longer declared reads as itself."""
    action = _ACTIONS.get(code)
    if action is None:
        return f"{actor}: {code}"
    return action.describe(actor, details or {})
