"""The session engine (SESSION_ENGINE): Django's database sessions, stored in
`accounts.UserSession` with the signed-in user's id beside the encoded data."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):  # type: ignore[no-untyped-def]
        from .models import UserSession

        return UserSession

    def load(self) -> dict[str, Any]:
        """Django's read of an unexpired session, as one SQL text written once: every signed-in
        page begins with it, and writing it through the ORM cost more than running it."""
        model = self.get_model_class()
        connection = connections[router.db_for_read(model)]
        with connection.cursor() as cursor:
            cursor.execute(
                _unexpired_session_sql(connection.alias),
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])  # type: ignore[no-any-return]

    def create_model_instance(self, data: dict[str, Any]):  # type: ignore[no-untyped-def]
        session = super().create_model_instance(data)
        try:
            session.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            session.user_id = None
        return session


@lru_cache(maxsize=4)
def _unexpired_session_sql(alias: str) -> str:
    from .models import UserSession

    quote = connections[alias].ops.quote_name
    meta = UserSession._meta
    # Names from the model's own metadata, quoted; the key and the time are parameters.
    sql = "SELECT {} FROM {} WHERE {} = %s AND {} > %s"
    return sql.format(
        quote(meta.get_field("session_data").column),
        quote(meta.db_table),
        quote(meta.get_field("session_key").column),
        quote(meta.get_field("expire_date").column),
    )
