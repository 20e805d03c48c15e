"""The session engine (SESSION_ENGINE): Django's database sessions, stored in
`accounts.UserSession` with the signed-in user's id beside the encoded data."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):  # type: ignore[no-untyped-def]
        from .models import UserSession

        return UserSession

    def create_model_instance(self, data: dict[str, Any]):  # type: ignore[no-untyped-def]
        session = super().create_model_instance(data)
        try:
            session.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            session.user_id = None
        return session
