"""The unread-message badge for the portal's and the console's navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sunflower.accounts.models import User
from sunflower.notifications.inbox import unread_count


def unread_messages(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {"unread_messages": unread_count(user)}
