"""Fixtures of the sign-in tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_limits():  # type: ignore[no-untyped-def]
    """The per-address counters live in the cache, which outlives a test's transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def strict_org(world):  # type: ignore[no-untyped-def]
    """Organisation A, requiring a second factor as real organisations do by default."""
    world.org_a.require_two_factor = True
    world.org_a.save(update_fields=["require_two_factor"])
    return world.org_a
