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

from sunflower.accounts.models import ROSTER_ROLES, STAFF_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: tuple[str, ...]
    icon: str
    # Other views (by view-name prefix) inside this entry's section, e.g. a roster person's
    # edit page belongs to the roster; the entry stays marked while they are open.
    section: tuple[str, ...] = ()


NAV_ITEMS = (
    NavItem(_("工作台"), "web:console", tuple(STAFF_ROLES), "home"),
    NavItem(_("干部花名册"), "orgs:person-list", ROSTER_ROLES, "users", ("orgs:person-",)),
    NavItem(_("花名册导入"), "orgs:import", ROSTER_ROLES, "upload", ("orgs:import-",)),
    NavItem(_("组织机构"), "orgs:unit-list", ROSTER_ROLES, "tree", ("orgs:unit-",)),
    NavItem(_("测评活动"), "campaigns:list", (Role.PROGRAMME_ADMIN,), "file", ("campaigns:",)),
    NavItem(
        _("培训计划"),
        "training:plan-list",
        (Role.PROGRAMME_ADMIN,),
        "calendar",
        ("training:plan-", "training:course-"),
    ),
    NavItem(_("培训场次"), "training:session-list", ROSTER_ROLES, "users", ("training:session-",)),
    NavItem(_("线上课时"), "lessons:admin-courses", (Role.PROGRAMME_ADMIN,), "book", ("lessons:",)),
    NavItem(
        _("必修培训完成情况"),
        "training:compliance",
        ROSTER_ROLES,
        "chart",
        ("training:non-compliant",),
    ),
    NavItem(_("量表库"), "instruments:list", tuple(STAFF_ROLES), "book", ("instruments:",)),
    NavItem(
        _("预警规则"),
        "warning-rules:list",
        (Role.RECORD_KEEPER, Role.PROGRAMME_ADMIN),
        "alert",
        ("warning-rules:",),
    ),
    NavItem(
        _("知识内容"), "content-admin:list", (Role.PROGRAMME_ADMIN,), "book", ("content-admin:",)
    ),
    NavItem(
        _("账号与角色"),
        "accounts-admin:user-list",
        (Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN),
        "key",
        ("accounts-admin:",),
    ),
    NavItem(_("审计日志"), "audit:event-list", (Role.AUDIT_ADMIN,), "shield", ("audit:",)),
    NavItem(
        _("测评结果"),
        "results:list",
        (Role.RECORD_KEEPER,),
        "chart",
        ("results:detail", "results:pdf", "results:fhir"),
    ),
    NavItem(
        _("测评数据导出"), "results:exports", (Role.RECORD_KEEPER,), "download", ("results:export",)
    ),
    NavItem(
        _("风险预警"), "care:warning-list", (Role.RECORD_KEEPER,), "alert", ("care:warning-d",)
    ),
    NavItem(
        _("危机个案"),
        "care:case-list",
        (Role.RECORD_KEEPER, Role.COUNSELLOR),
        "heart",
        ("care:case-",),
    ),
    NavItem(
        _("提出预警"),
        "care:warning-raise",
        (Role.COUNSELLOR, Role.TALK_OFFICER),
        "bell",
        ("care:warning-raise",),
    ),
    NavItem(
        _("心理健康档案"),
        "care:record-search",
        (Role.RECORD_KEEPER,),
        "user",
        ("care:record", "care:break-glass"),
    ),
    NavItem(_("紧急调阅记录"), "care:break-glass-list", (Role.AUDIT_ADMIN,), "lock"),
    NavItem(_("预警值班"), "care:duty", (Role.RECORD_KEEPER,), "calendar"),
    NavItem(
        _("我的谈心对象"),
        "care:talk-cadres",
        (Role.TALK_OFFICER,),
        "message",
        ("care:talk-create", "care:talk-detail", "care:talk-person", "care:visit-"),
    ),
    NavItem(
        _("重点关注"),
        "care:attention-list",
        (Role.RECORD_KEEPER, Role.TALK_OFFICER),
        "sun",
        ("care:attention-",),
    ),
    NavItem(_("谈心谈话记录"), "care:talk-records", (Role.RECORD_KEEPER,), "file"),
    NavItem(
        _("谈心谈话分工"),
        "care:talk-assignments",
        (Role.RECORD_KEEPER, Role.PROGRAMME_ADMIN),
        "users",
        ("care:talk-assign",),
    ),
    NavItem(
        _("谈心谈话统计"),
        "care:talk-counts",
        (Role.LIAISON, Role.PROGRAMME_ADMIN, Role.LEADER),
        "chart",
    ),
    NavItem(
        _("说明请求"),
        "care:explanation-list",
        (Role.RECORD_KEEPER,),
        "message",
        ("care:explanation-",),
    ),
    NavItem(
        _("删除申请"),
        "privacy:deletion-requests",
        (Role.RECORD_KEEPER,),
        "file",
        ("privacy:deletion-",),
    ),
)


def console_navigation(request: HttpRequest, user: Any) -> list[dict[str, Any]]:
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = []
    for item in NAV_ITEMS:
        if user.has_role(*item.roles):
            exact = current == item.url_name
            within = any(current.startswith(prefix) for prefix in item.section)
            items.append(
                {
                    "label": item.label,
                    "url": reverse(item.url_name),
                    "icon": item.icon,
                    "active": exact,
                    # aria-current: "page" for the page itself, "true" inside its section.
                    "current": "page" if exact else "true" if within else "",
                }
            )
    return items
