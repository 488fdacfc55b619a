"""Lockout after repeated login failures, by account and by source address (django-axes).

Axes counts failures in its AccessAttempt table and refuses further logins once
SUNFLOWER_LOCKOUT_FAILURES have accumulated within SUNFLOWER_LOCKOUT_MINUTES. Settings point
axes here for the name a failure counts under and for the response to a locked request (and to
audit.events.client_ip for the address); the views show lockout_message() with the time left.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from axes.helpers import get_client_parameters, get_cool_off, get_failure_limit
from axes.middleware import AxesMiddleware
from axes.models import AccessAttempt
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import ngettext

from sunflower.accounts.backends import find_user
from sunflower.keystore import keyring
from sunflower.lib.validators import IdentityError, normalise_mobile


def login_name(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """What a failure counts under: the account's own username for any identifier that finds
    it (staff number, or a mobile in any spelling), so that switching identifiers does not
    reset the count. Anything else becomes a keyed digest, so that axes' table never holds a
    mobile number, or a password typed into the wrong field, in clear."""
    identifier = credentials.get("username") if credentials else request.POST.get("username")
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    names: dict[str, str] = request.__dict__.setdefault("_sunflower_login_names", {})
    if identifier not in names:
        user = find_user(identifier)
        if user is not None:
            names[identifier] = user.username
        else:
            try:
                normalised = normalise_mobile(identifier)
            except IdentityError:
                normalised = identifier
            names[identifier] = "?" + keyring.blind_index("login-name", normalised)[:32]
    return names[identifier]


def unlocks_at(request: HttpRequest, credentials: dict[str, Any] | None = None) -> dt.datetime:
    """When the lock on this request's account or address lifts.

    Each AccessAttempt row counts its failures until the cool-off has passed since its latest
    one; a lock by one parameter lifts once the rows still in the window hold fewer failures
    than the limit.
    """
    now = timezone.now()
    cool_off: dt.timedelta = get_cool_off(request) or dt.timedelta(0)
    limit = get_failure_limit(request, credentials)
    parameters = get_client_parameters(
        login_name(request, credentials),
        getattr(request, "axes_ip_address", None),
        getattr(request, "axes_user_agent", ""),
        request,
        credentials,
    )
    latest = now
    for filters in parameters:
        rows = (
            AccessAttempt.objects.filter(**filters, attempt_time__gte=now - cool_off)
            .order_by("-attempt_time")
            .values_list("attempt_time", "failures_since_start")
        )
        total = 0
        for attempted_at, failures in rows:
            total += failures
            if total >= limit:
                latest = max(latest, attempted_at + cool_off)
                break
    return latest


def lockout_message(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    left = (unlocks_at(request, credentials) - timezone.now()).total_seconds()
    minutes = max(1, math.ceil(left / 60))
    return ngettext(
        "登录失败次数过多，账号已临时锁定，请%(minutes)d分钟后再试。",
        "登录失败次数过多，账号已临时锁定，请%(minutes)d分钟后再试。",
        minutes,
    ) % {"minutes": minutes}


def is_locked_out(request: HttpRequest) -> bool:
    """Whether axes refused or locked this request's login attempt."""
    return bool(getattr(request, "axes_locked_out", False))


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The response for a locked request (AXES_LOCKOUT_CALLABLE). The login and sudo views have
    already answered with the lockout message, so theirs stands; any other caller of
    authenticate() gets the message in plain text instead of axes' English one."""
    if isinstance(original_response, HttpResponse):
        return original_response
    return HttpResponse(
        lockout_message(request, credentials),
        status=429,
        content_type="text/plain; charset=utf-8",
    )


class LockoutMiddleware(AxesMiddleware):
    """django-axes' middleware, run synchronously. Its asynchronous path (axes 8.3) drops the
    view's response and hands the callable the credentials in its place, so under ASGI (the
    embedded `sunflower serve`) the login page would lose its lockout message. Declared
    sync-only, Django adapts it and the synchronous path, which keeps the response, runs."""

    async_capable = False
    sync_capable = True
