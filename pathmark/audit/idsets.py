"""The ids of the people a page showed, written compactly into its audit entry.

A list, search, caseload or worklist page shows many people at once; its one audit entry
names them all, so that a person's subject access copy can say who saw them in a list. Ids
are written sorted, runs as ranges: `"3-7,12,40-41"`. Pure Python (no Django).
"""

from __future__ import annotations

from collections.abc import Iterable


def compact(ids: Iterable[int]) -> str:
    """`[12, 3, 4, 5, 7, 6, 40]` → `"3-7,12,40"`."""
    ordered = sorted(set(ids))
    parts: list[str] = []
    index = 0
    while index < len(ordered):
        first = last = ordered[index]
        while index + 1 < len(ordered) and ordered[index + 1] == last + 1:
            index += 1
            last = ordered[index]
        parts.append(str(first) if first == last else f"{first}-{last}")
        index += 1
    return ",".join(parts)


def expand(text: str) -> set[int]:
    """The ids `compact` wrote (an empty or unreadable part names nobody)."""
    found: set[int] = set()
    for part in text.split(","):
        first, _dash, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            continue
        found.update(range(int(first), int(last or first) + 1))
    return found


def holds(text: str, person_id: int) -> bool:
    """Whether `compact`'s text names `person_id`, without expanding its ranges."""
    for part in text.split(","):
        first, _dash, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            continue
        if int(first) <= person_id <= int(last or first):
            return True
    return False
