"""The staff console's navigation, filtered by the roles the user holds.

Each capability adds its entries here; an entry shows only to the roles that may use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sunflower.accounts.models import ROSTER_ROLES, STAFF_ROLES


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: tuple[str, ...]
    icon: str


NAV_ITEMS = (
    NavItem(_("工作台"), "web:console", tuple(STAFF_ROLES), "home"),
    NavItem(_("干部花名册"), "orgs:person-list", ROSTER_ROLES, "users"),
    NavItem(_("花名册导入"), "orgs:import", ROSTER_ROLES, "upload"),
    NavItem(_("组织机构"), "orgs:unit-list", ROSTER_ROLES, "tree"),
)


def console_navigation(request: HttpRequest, user: Any) -> list[dict[str, Any]]:
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = []
    for item in NAV_ITEMS:
        if user.has_role(*item.roles):
            items.append(
                {
                    "label": item.label,
                    "url": reverse(item.url_name),
                    "icon": item.icon,
                    "active": current == item.url_name,
                }
            )
    return items
