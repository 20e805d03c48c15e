"""Remembering, without the data, that an identifier belonged to someone who was erased."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings

from .models import ErasedIdentifier


def digest_of(organisation_id: int, external_id: str) -> str:
    message = f"{organisation_id}:{external_id.strip()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def remember_erased(organisation_id: int, external_id: str) -> None:
    if external_id.strip():
        ErasedIdentifier.objects.get_or_create(
            organisation_id=organisation_id, digest=digest_of(organisation_id, external_id)
        )


def erased_among(organisation_id: int, external_ids: Iterable[str]) -> set[str]:
    """The ids of `external_ids` that belonged to people this organisation erased.

    Checked on every import row, so it is shaped for the usual case: an organisation has
    erased few people or none. Their digests are loaded once and the file's ids hashed only
    when there is something to compare with (no query with 100,000 parameters)."""
    erased = set(
        ErasedIdentifier.objects.filter(organisation_id=organisation_id).values_list(
            "digest", flat=True
        )
    )
    if not erased:
        return set()
    return {
        value
        for value in external_ids
        if value.strip() and digest_of(organisation_id, value) in erased
    }
