"""Extension points between layers: a lower app names what it lets higher apps do, and the
higher apps connect to it from their `AppConfig.ready()`.

This is how an app stays below the ones that react to it without importing them (an
assessment completed, so journeys refresh their trends; a person erased, so every app forgets
them). Unlike a signal, a hook is declared in one named module of the app that calls it
(`<app>/hooks.py`), says in its docstring what receivers get and may do, and is called
explicitly by the service that changes the data, inside its transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Receiver = Callable[..., Any]


class HookError(RuntimeError):
    """A receiver was connected twice under one key."""


class Hook:
    """A named list of receivers, called in the order they were connected."""

    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.__doc__ = doc
        self._receivers: dict[str, Receiver] = {}

    def connect(self, receiver: Receiver, *, key: str | None = None) -> Receiver:
        key = key or f"{receiver.__module__}.{receiver.__qualname__}"
        if key in self._receivers and self._receivers[key] is not receiver:
            raise HookError(f"{key!r} is already connected to the hook {self.name!r}.")
        self._receivers[key] = receiver
        return receiver

    def disconnect(self, key: str) -> None:
        self._receivers.pop(key, None)

    def receivers(self) -> list[Receiver]:
        return list(self._receivers.values())

    def __call__(self, **kwargs: Any) -> list[Any]:
        return [receiver(**kwargs) for receiver in self._receivers.values()]

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receivers>"
