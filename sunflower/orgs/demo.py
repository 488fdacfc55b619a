"""The demo city: a deterministic fictional city for `sunflower demo` and `make run`."""

from __future__ import annotations

DEMO_PASSWORD = "Sunflower@2026"  # noqa: S105 (the published demo password)

# (role label, login, password) shown by `make run` and on the dev login page.
DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("干部 cadre", "13800000001", DEMO_PASSWORD),
    ("单位联络员 liaison", "liaison", DEMO_PASSWORD),
    ("组织部门管理员 programme admin", "admin", DEMO_PASSWORD),
    ("档案管理员 record keeper", "keeper", DEMO_PASSWORD),
    ("心理咨询师 counsellor", "counsellor", DEMO_PASSWORD),
    ("谈心谈话责任人 talk officer", "talker", DEMO_PASSWORD),
    ("志愿者 volunteer", "volunteer", DEMO_PASSWORD),
    ("领导小组成员 leader", "leader", DEMO_PASSWORD),
    ("系统管理员 system admin", "sysadmin", DEMO_PASSWORD),
    ("安全管理员 security admin", "secadmin", DEMO_PASSWORD),
    ("审计管理员 audit admin", "auditadmin", DEMO_PASSWORD),
]
