"""The one mechanism that keeps personal data inside the organisations allowed to see it.

Every model holding personal data uses `ScopedManager` as its default manager. Its queries
raise `ScopeError` unless a scope is active, so forgetting to filter is an error, never a
leak. Middleware enters the scope of the signed-in user's organisation for each request;
system work (migrations, the demo loader, retention) enters `system_scope()` and says why.
Each scoped model declares `visible_in_scope(scope) -> Q`, the rows that scope may see.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import models


class ScopeError(RuntimeError):
    """Personal data was queried outside any organisation scope."""


@dataclass(frozen=True)
class Scope:
    organisation_id: int | None
    user_id: int | None = None
    role: str | None = None
    system_reason: str | None = None

    @property
    def is_system(self) -> bool:
        return self.system_reason is not None


_current_scope: ContextVar[Scope | None] = ContextVar("pathmark_scope", default=None)


@contextmanager
def organisation_scope(
    *, organisation_id: int, user_id: int | None = None, role: str | None = None
) -> Iterator[Scope]:
    token = _current_scope.set(Scope(organisation_id=organisation_id, user_id=user_id, role=role))
    try:
        yield _current_scope.get()  # type: ignore[misc]
    finally:
        _current_scope.reset(token)


@contextmanager
def system_scope(reason: str) -> Iterator[Scope]:
    """Sees every organisation's rows. For commands and tasks that act for the partnership
    as a whole, never for a request."""
    token = _current_scope.set(Scope(organisation_id=None, system_reason=reason))
    try:
        yield _current_scope.get()  # type: ignore[misc]
    finally:
        _current_scope.reset(token)


def current_scope() -> Scope:
    scope = _current_scope.get()
    if scope is None:
        raise ScopeError(
            "Personal data was queried outside an organisation scope. Wrap the work in "
            "organisation_scope(...) or, for partnership-wide system work, system_scope(reason)."
        )
    return scope


def active_scope() -> Scope | None:
    return _current_scope.get()


class ScopedManager(models.Manager):
    """Default manager of personal-data models: filters every query to the current scope."""

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        scope = current_scope()
        if scope.is_system:
            return queryset
        return queryset.filter(self.model.visible_in_scope(scope))
