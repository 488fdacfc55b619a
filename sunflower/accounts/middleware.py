"""The login policy on every request (等保 2.0 level 3), in settings.MIDDLEWARE order:

1. SessionTimeoutMiddleware ends a session idle too long (staff 15 minutes, cadres 30) or older
   than its absolute lifetime (8 hours), with a message on the login page.
2. SecondFactorMiddleware sends a signed-in user who must use a second factor and has not yet
   passed it in this session to the verify page, or to enrolment when they have no device.
3. PasswordExpiryMiddleware sends a user whose password has expired to the password change page.

The few pages needed to get through a step (log out, the step itself, health, language and
display preferences) stay open; static files are served before any of this (WhiteNoise).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sunflower.accounts import mfa, policy
from sunflower.accounts.history import record_login_event
from sunflower.accounts.models import LoginEvent, User

SESSION_STARTED = "sunflower_login_at"
SESSION_SEEN = "sunflower_seen_at"
# Last activity is written to the session at most this often (seconds), not on every request.
SEEN_PRECISION = 30

ALWAYS_OPEN = frozenset(
    {"accounts:login", "accounts:logout", "web:healthz", "set_language", "web:preferences"}
)
SECOND_FACTOR_OPEN = ALWAYS_OPEN | {"accounts:mfa-enrol", "accounts:mfa-verify"}
PASSWORD_OPEN = SECOND_FACTOR_OPEN | {"accounts:password-change", "accounts:password-changed"}

GetResponse = Callable[[HttpRequest], HttpResponse]


def start_session(request: HttpRequest) -> None:
    """Stamp a new login: the absolute lifetime and the idle clock start now."""
    now = timezone.now().timestamp()
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now


def redirect_with_next(request: HttpRequest, url_name: str) -> HttpResponse:
    url = reverse(url_name)
    if request.method == "GET":
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    if request.headers.get("HX-Request"):
        # htmx would swap the target page into a fragment; make it load the page instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def signed_in_user(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not isinstance(user, User):
        return None
    return user


def view_name(request: HttpRequest) -> str:
    match = request.resolver_match
    return match.view_name if match is not None else ""


class SessionTimeoutMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = signed_in_user(request)
        if user is not None:
            reason = self.expired(request, user)
            if reason:
                record_login_event(user, LoginEvent.Outcome.TIMEOUT, request)
                logout(request)
                messages.info(request, reason)
                return redirect_with_next(request, "accounts:login")
        return self.get_response(request)

    def expired(self, request: HttpRequest, user: User) -> str:
        """Why the session has ended, or "" while it is alive (then note the activity)."""
        session = request.session
        if session.get(SESSION_STARTED) is None or session.get(SESSION_SEEN) is None:
            # A session from before this policy, or made without the login page.
            start_session(request)
            return ""
        reason = session_end_reason(session, user)
        now = timezone.now().timestamp()
        if not reason and now - float(session[SESSION_SEEN]) >= SEEN_PRECISION:
            session[SESSION_SEEN] = now
        return reason


def session_end_reason(session: Mapping[str, Any], user: User) -> str:
    """Why a stamped session has ended (its lifetime or the idle limit), or "" while it is
    alive. A session without the login page's stamps has no clock yet: ""."""
    started = session.get(SESSION_STARTED)
    seen = session.get(SESSION_SEEN)
    if started is None or seen is None:
        return ""
    now = timezone.now().timestamp()
    if now - float(started) > policy.session_lifetime().total_seconds():
        return _("登录已超过%(hours)d小时，为安全起见，请重新登录") % {
            "hours": int(policy.session_lifetime().total_seconds() // 3600)
        }
    if now - float(seen) > policy.idle_limit(user).total_seconds():
        return _("因长时间未操作，已安全退出，请重新登录")
    return ""


class SecondFactorMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = signed_in_user(request)
        if user is None or view_name(request) in SECOND_FACTOR_OPEN or mfa.is_verified(request):
            return None
        # Whether a second factor applies is known from the user's own query (a staff role, a
        # confirmed authenticator), so a cadre who has not turned it on costs no device lookup.
        has_device = mfa.has_second_factor_now(user)
        if user.is_staff_member and not has_device:
            return redirect_with_next(request, "accounts:mfa-enrol")
        if user.is_staff_member or has_device:
            return redirect_with_next(request, "accounts:mfa-verify")
        return None


class PasswordExpiryMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = signed_in_user(request)
        if user is None or view_name(request) in PASSWORD_OPEN:
            return None
        if not policy.password_expired(user):
            return None
        max_age = policy.password_max_age(user)
        days = max_age.days if max_age is not None else 0
        messages.warning(
            request, _("您的密码已使用超过%(days)d天，请先设置新密码。") % {"days": days}
        )
        return redirect("accounts:password-change")
