"""Django's database sessions, with the read that every request makes compiled once.

Same table, same rows, same checks: a session is found only by its key and only while it has not
expired, on every request; logging out or an expiry still ends it at once, in every worker.
Only the SQL of the read is built once per process (lib/compiled.py) instead of per request.
Selected by SESSION_ENGINE in settings.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import router
from django.utils import timezone

from sunflower.lib.compiled import CompiledQuery

_SESSION: CompiledQuery[Session] = CompiledQuery(
    lambda session_key, now: Session.objects.filter(session_key=session_key, expire_date__gt=now)[
        :1
    ],
    session_key=Session._meta.get_field("session_key"),
    now=Session._meta.get_field("expire_date"),
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        found = None
        if self.session_key is not None:
            found = _SESSION.first(
                using=router.db_for_read(Session),
                session_key=self.session_key,
                now=timezone.now(),
            )
        if found is None:
            self._session_key = None
        return found
