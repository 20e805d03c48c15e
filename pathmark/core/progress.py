"""A small text progress bar for long commands, written to stderr so `--json` output on
stdout stays clean, and only when stderr is a terminal."""

from __future__ import annotations

from typing import TextIO


class ProgressBar:
    """`ProgressBar(self.stderr, label=_("Importing"), unit=_("rows"))` is called with
    (done, total) as the work goes on; every long command draws the same bar."""

    def __init__(self, stream: TextIO, *, label: str, unit: str = "", width: int = 30) -> None:
        self.stream = stream
        self.label = label
        self.unit = unit
        self.width = width
        self.enabled = hasattr(stream, "isatty") and stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        filled = self.width * done // total
        bar = "#" * filled + "-" * (self.width - filled)
        unit = f" {self.unit}" if self.unit else ""
        self.stream.write(f"\r{self.label} [{bar}] {done:,}/{total:,}{unit}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
