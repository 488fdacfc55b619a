from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import STAFF_ROLES, Role
from sunflower.orgs.models import Person
from sunflower.web.context import PREF_COOKIE, PREFS, display_prefs


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Staff land on the console, cadres on the portal."""
    if current_user(request).is_staff_member:
        return redirect("web:console")
    return redirect("web:portal")


@role_required(Role.CADRE)
def portal(request: HttpRequest) -> HttpResponse:
    return render(request, "web/portal_home.html", {"tab": "home"})


@role_required(Role.CADRE)
def portal_learn(request: HttpRequest) -> HttpResponse:
    return render(request, "web/portal_learn.html", {"tab": "learn"})


@role_required(Role.CADRE)
def portal_services(request: HttpRequest) -> HttpResponse:
    return render(request, "web/portal_services.html", {"tab": "services"})


@role_required(Role.CADRE)
def portal_me(request: HttpRequest) -> HttpResponse:
    person = Person.objects.select_related("unit").get(user=current_user(request))
    return render(request, "web/portal_me.html", {"tab": "me", "person": person})


@role_required(*STAFF_ROLES)
def console(request: HttpRequest) -> HttpResponse:
    return render(request, "web/console_home.html")


@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    """Toggle large text or high contrast; kept in a cookie so it works before login too."""
    prefs = display_prefs(request)
    choice = request.POST.get("toggle", "")
    if choice in PREFS:
        prefs ^= {choice}
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = redirect(target)
    response.set_cookie(
        PREF_COOKIE,
        ".".join(sorted(prefs)),
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
