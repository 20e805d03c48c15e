"""What the import and export commands share: acting as the command line."""

from __future__ import annotations

from typing import Any

from pathmark.audit.services import COMMAND_LINE


def command_actor() -> Any:
    """Commands act as nobody in particular: the audit log names the command line."""
    return COMMAND_LINE
