from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from sunflower.accounts.backends import find_user
from sunflower.accounts.decorators import current_user
from sunflower.accounts.forms import LoginForm
from sunflower.accounts.history import recent_login_events, record_login_event
from sunflower.accounts.lockout import is_locked_out
from sunflower.accounts.middleware import start_session
from sunflower.accounts.models import LoginEvent
from sunflower.audit.events import record
from sunflower.audit.models import Outcome
from sunflower.orgs.demo import DEMO_LOGINS


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context["demo_logins"] = DEMO_LOGINS if settings.SUNFLOWER_SHOW_DEMO_LOGINS else []
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        start_session(self.request)
        record_login_event(form.get_user(), LoginEvent.Outcome.LOGIN, self.request)
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        locked = is_locked_out(self.request)
        refused = locked or form.has_error(NON_FIELD_ERRORS, "invalid_login")
        if refused:
            user = find_user(str(form.data.get("username", "")))
            if user is not None:
                outcome = LoginEvent.Outcome.LOCKED if locked else LoginEvent.Outcome.FAILED
                record_login_event(user, outcome, self.request)
            if locked:
                record("auth.lockout", target=user, request=self.request, outcome=Outcome.DENIED)
        response = super().form_invalid(form)
        if locked:
            response.status_code = 429
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            record_login_event(current_user(request), LoginEvent.Outcome.LOGOUT, request)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password-changed")


class PasswordChangedView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_changed.html"


@login_required
def login_history(request: HttpRequest) -> HttpResponse:
    """The signed-in account's own recent logins (登录记录); nobody else's."""
    events = recent_login_events(current_user(request))
    return render(request, "accounts/login_history.html", {"events": events, "tab": "me"})
