"""Re-authentication ("sudo mode") before exports, role changes, key operations, break-glass.

After the user re-enters their password (and their second factor, where enrolled) the
session is trusted for SUDO_SECONDS; the clock is the server's, stored in the session.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

SESSION_KEY = "sunflower_sudo_until"

View = Callable[..., HttpResponseBase]


def sudo_seconds() -> int:
    return int(getattr(settings, "SUNFLOWER_SUDO_SECONDS", 300))


def grant_sudo(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = timezone.now().timestamp() + sudo_seconds()


def in_sudo(request: HttpRequest) -> bool:
    until = request.session.get(SESSION_KEY)
    return until is not None and timezone.now().timestamp() < float(until)


def sudo_required(view: View) -> View:
    """Send the user to re-authenticate first, then back: to the same page for a GET, to the
    form's page (its hidden `next` field) for a POST, where they submit again."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if in_sudo(request):
            return view(request, *args, **kwargs)
        if request.method == "GET":
            back = request.get_full_path()
        else:
            back = request.POST.get("next") or "/"
        return redirect(f"{reverse('accounts:sudo')}?{urlencode({'next': back})}")

    return wrapper
