"""The login policy for WebSocket connections (care alerts; later counselling chat).

A socket outlives the page that opened it, so the pages' middleware cannot guard it. The same
rules apply here, read from the session store itself rather than from the copy the socket
loaded when it connected: the session must still exist and belong to the user (logging out
ends it), be within its lifetime and idle limit (a socket's own traffic is not activity), have
passed the second factor when the user must use one, and the password must not have expired.
Consumers check on connect and again before each message they push.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from sunflower.accounts import mfa, policy
from sunflower.accounts.middleware import SESSION_SEEN, SESSION_STARTED, session_end_reason
from sunflower.accounts.models import User


def session_allows(user: Any, session: Any) -> bool:
    """Whether *user* may still receive pushed messages on the session *session* (a session
    store, as channels' AuthMiddlewareStack puts in a socket's scope)."""
    if not isinstance(user, User) or not user.is_active:
        return False
    key = getattr(session, "session_key", None)
    if not key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    data = store.load()
    if store.session_key is None or str(data.get(SESSION_KEY, "")) != str(user.pk):
        return False
    if data.get(SESSION_STARTED) is None or data.get(SESSION_SEEN) is None:
        return False
    if session_end_reason(data, user):
        return False
    if mfa.second_factor_required(user) and not _verified(user, data):
        return False
    return not policy.password_expired(user)


def _verified(user: User, data: dict[str, Any]) -> bool:
    device_id = data.get(DEVICE_ID_SESSION_KEY)
    if not device_id:
        return False
    device = Device.from_persistent_id(device_id, for_verify=False)
    return device is not None and device.user_id == user.pk and device.confirmed
