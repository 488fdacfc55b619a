"""Template context shared by every page: display preferences and the console navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sunflower.web.navigation import console_navigation

PREF_COOKIE = "sf_prefs"
PREFS = ("large", "contrast")


def display_prefs(request: HttpRequest) -> set[str]:
    raw = request.COOKIES.get(PREF_COOKIE, "")
    return {item for item in raw.split(".") if item in PREFS}


def interface(request: HttpRequest) -> dict[str, Any]:
    prefs = display_prefs(request)
    user = getattr(request, "user", None)
    nav = console_navigation(request, user) if user is not None and user.is_authenticated else []
    return {
        "pref_large": "large" in prefs,
        "pref_contrast": "contrast" in prefs,
        "console_nav": nav,
    }
