"""The login policy's clock rules (等保 2.0 level 3), read from settings at each call so that
tests and operators can change them: password age, idle timeout and session lifetime.

Every rule reads django.utils.timezone.now(), so time-machine controls it in tests.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from sunflower.accounts.models import User


def password_max_age(user: User) -> dt.timedelta | None:
    """How long the user's password lasts; None when it never expires."""
    days = (
        settings.SUNFLOWER_PASSWORD_MAX_AGE_DAYS
        if user.is_staff_member
        else settings.SUNFLOWER_CADRE_PASSWORD_MAX_AGE_DAYS
    )
    return dt.timedelta(days=days) if days > 0 else None


def password_expired(user: User) -> bool:
    max_age = password_max_age(user)
    if max_age is None:
        return False
    # Accounts made outside the password form (imports, demo) count from their creation.
    changed = user.password_changed_at or user.date_joined
    return timezone.now() - changed > max_age


def idle_limit(user: User) -> dt.timedelta:
    minutes = (
        settings.SUNFLOWER_IDLE_MINUTES_STAFF
        if user.is_staff_member
        else settings.SUNFLOWER_IDLE_MINUTES_CADRE
    )
    return dt.timedelta(minutes=minutes)


def session_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings.SUNFLOWER_SESSION_MAX_HOURS)
