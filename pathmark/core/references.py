"""The person reference people read and type: `P-000123` for the person with id 123.

One place for the format, so the person pages, exports, the audit log, the household form and
the command line all write and read the same thing."""

from __future__ import annotations

import re

REFERENCE_PATTERN = re.compile(r"^\s*P-?(\d{1,9})\s*$", re.IGNORECASE)


def person_reference(person_id: int) -> str:
    return f"P-{person_id:06d}"


def parse_person_reference(text: str, *, bare_number: bool = False) -> int | None:
    """The id in `P-000123` (or `p123`; also a plain `123` when `bare_number`), else None."""
    if bare_number and text.strip().isdigit() and len(text.strip()) <= 18:
        return int(text.strip()) or None
    match = REFERENCE_PATTERN.match(text)
    if not match:
        return None
    return int(match.group(1)) or None
