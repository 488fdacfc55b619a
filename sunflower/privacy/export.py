"""What "all my data" means: a registry of export sections, one per kind of data.

Each app that holds personal data registers a section in its AppConfig.ready():

    from sunflower.privacy.export import ExportSection, register_section

    register_section(ExportSection(
        key="assessments",
        title=_("心理测评"),
        labels={"campaign": _("测评活动"), "finished_at": _("完成时间"), "score": _("得分")},
        collect=lambda person: [...],   # the person's records, as dicts keyed like `labels`
        sensitive=True,
    ))

`collect` receives the roster person and returns only that person's records. Sections marked
`sensitive` hold T2 data: they are read only inside `access.access_own_data`, which records
one "privacy.export" audit entry naming every section exported. The privacy app registers the
roster, account, roles, consents, deletion requests and (where the accounts app has them)
logins first.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sunflower.accounts.models import User
from sunflower.orgs.models import Person
from sunflower.privacy.models import Consent, DeletionRequest

Record = dict[str, Any]


@dataclass(frozen=True)
class ExportSection:
    key: str
    title: str | Promise
    labels: Mapping[str, str | Promise]
    collect: Callable[[Person], list[Record]]
    sensitive: bool = False


@dataclass
class ExportedSection:
    key: str
    title: str
    labels: dict[str, str]
    records: list[Record]
    sensitive: bool

    def rows(self, record: Record) -> list[tuple[str, str]]:
        """(label, text) pairs of one record, in the section's order, for reading."""
        return [(label, display(record.get(name))) for name, label in self.labels.items()]


@dataclass
class PersonExport:
    person_id: uuid.UUID
    generated_at: dt.datetime
    sections: list[ExportedSection] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": "sunflower-personal-data/1",
            "person_id": str(self.person_id),
            "generated_at": plain(self.generated_at),
            "sections": [
                {
                    "key": section.key,
                    "title": section.title,
                    "sensitive": section.sensitive,
                    "labels": section.labels,
                    "records": section.records,
                }
                for section in self.sections
            ],
        }


_registry: dict[str, ExportSection] = {}


def register_section(section: ExportSection) -> None:
    known = _registry.get(section.key)
    if known is not None and known != section:
        raise ImproperlyConfigured(f"export section {section.key!r} is registered twice")
    _registry[section.key] = section


def unregister_section(key: str) -> None:
    _registry.pop(key, None)


def registered_sections() -> list[ExportSection]:
    return list(_registry.values())


def collect_sections(person: Person) -> list[ExportedSection]:
    """Every registered section for *person*. Call only from access.access_own_data."""
    return [
        ExportedSection(
            key=section.key,
            title=str(section.title),
            labels={name: str(label) for name, label in section.labels.items()},
            records=[
                {name: plain(value) for name, value in record.items()}
                for record in section.collect(person)
            ],
            sensitive=section.sensitive,
        )
        for section in registered_sections()
    ]


def plain(value: Any) -> Any:
    """A JSON-ready form of a field value; times in the site's time zone."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return str(value)


def display(value: Any) -> str:
    """A value as a person reads it: empty as a dash, lists joined, ISO times shortened."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, list):
        return "、".join(display(item) for item in value)
    text = str(value)
    if len(text) == 25 and text[10] == "T":  # 2026-03-01T09:30:00+08:00
        return text[:16].replace("T", " ")
    return text


# The privacy app's own sections -----------------------------------------------------------


def _roster(person: Person) -> list[Record]:
    return [
        {
            "name": person.name,
            "gender": person.get_gender_display(),
            "birth_date": person.birth_date,
            "id_number": person.id_number,
            "mobile": person.mobile,
            "unit": person.unit.name,
            "post": person.post,
            "rank": person.get_rank_display(),
            "status": person.get_status_display(),
            "left_on": person.left_on,
            "left_reason": person.left_reason,
            "tags": person.tag_labels(),
            "created_at": person.created_at,
            "updated_at": person.updated_at,
        }
    ]


def _account(person: Person) -> User | None:
    return User.objects.filter(person=person).first()


def _accounts(person: Person) -> list[Record]:
    user = _account(person)
    if user is None:
        return []
    return [
        {
            "username": user.username,
            "display_name": user.display_name,
            "mobile": user.mobile,
            "is_active": user.is_active,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "password_changed_at": user.password_changed_at,
        }
    ]


def _roles(person: Person) -> list[Record]:
    user = _account(person)
    if user is None:
        return []
    return [
        {
            "role": grant.get_role_display(),
            "unit": grant.unit.name,
            "granted_at": grant.granted_at,
            "revoked_at": grant.revoked_at,
        }
        for grant in user.assignments.select_related("unit").order_by("granted_at")
    ]


def _consents(person: Person) -> list[Record]:
    return [
        {
            "notice": f"{consent.notice.title}（v{consent.notice.version}）",
            "given_at": consent.given_at,
            "source_ip": consent.source_ip,
            "withdrawn_at": consent.withdrawn_at,
            "end_reason": consent.get_end_reason_display(),
        }
        for consent in Consent.objects.filter(person=person)
        .select_related("notice")
        .order_by("given_at")
    ]


def _deletion_requests(person: Person) -> list[Record]:
    return [
        {
            "requested_at": deletion.requested_at,
            "reason": deletion.reason,
            "status": deletion.get_status_display(),
            "decided_at": deletion.decided_at,
            "decision_note": deletion.decision_note,
            "completed_at": deletion.completed_at,
        }
        for deletion in DeletionRequest.objects.filter(person=person).order_by("requested_at")
    ]


# Fields of a login record that are never exported, whatever the accounts app names them.
SECRET_FIELD_WORDS = ("password", "secret", "token", "hash", "session", "key")


# Labels for fields the accounts app left without a Chinese verbose name.
FALLBACK_LABELS = {"occurred_at": _("时间"), "created_at": _("时间"), "at": _("时间")}


def _label(model_field: Any) -> str | Promise:
    if str(model_field.verbose_name) == model_field.name.replace("_", " "):
        return FALLBACK_LABELS.get(model_field.name, model_field.verbose_name)
    return model_field.verbose_name


def _field_value(row: Any, model_field: Any) -> Any:
    if model_field.choices:
        return getattr(row, f"get_{model_field.name}_display")()
    return getattr(row, model_field.attname)


def login_section() -> ExportSection | None:
    """The accounts app's login history, if it has one (a LoginEvent model with a user)."""
    try:
        model = apps.get_model("accounts", "LoginEvent")
    except LookupError:
        return None
    names = {f.name for f in model._meta.concrete_fields}
    if "user" not in names:
        return None
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.name not in ("id", "user")
        and not f.primary_key
        and not any(word in f.name for word in SECRET_FIELD_WORDS)
    ]
    order = [f.name for f in fields if f.name in ("occurred_at", "created_at", "at")][:1]

    def collect(person: Person) -> list[Record]:
        user = _account(person)
        if user is None:
            return []
        rows = model._default_manager.filter(user=user).order_by(*(order or ["pk"]))
        return [{f.name: _field_value(row, f) for f in fields} for row in rows]

    return ExportSection(
        key="logins",
        title=_("登录记录"),
        labels={f.name: _label(f) for f in fields},
        collect=collect,
    )


def register_builtin_sections() -> None:
    register_section(
        ExportSection(
            key="roster",
            title=_("花名册信息"),
            labels={
                "name": _("姓名"),
                "gender": _("性别"),
                "birth_date": _("出生日期"),
                "id_number": _("身份证号"),
                "mobile": _("手机号"),
                "unit": _("单位"),
                "post": _("职务"),
                "rank": _("职级"),
                "status": _("在职状态"),
                "left_on": _("离开日期"),
                "left_reason": _("离开原因"),
                "tags": _("关注标签"),
                "created_at": _("建档时间"),
                "updated_at": _("最近更新"),
            },
            collect=_roster,
        )
    )
    register_section(
        ExportSection(
            key="account",
            title=_("登录账号"),
            labels={
                "username": _("登录名"),
                "display_name": _("显示名称"),
                "mobile": _("手机号"),
                "is_active": _("启用"),
                "date_joined": _("开通时间"),
                "last_login": _("最近登录"),
                "password_changed_at": _("密码修改时间"),
            },
            collect=_accounts,
        )
    )
    register_section(
        ExportSection(
            key="roles",
            title=_("工作角色"),
            labels={
                "role": _("角色"),
                "unit": _("管理范围"),
                "granted_at": _("授予时间"),
                "revoked_at": _("撤销时间"),
            },
            collect=_roles,
        )
    )
    register_section(
        ExportSection(
            key="consents",
            title=_("同意记录"),
            labels={
                "notice": _("告知书"),
                "given_at": _("同意时间"),
                "source_ip": _("来源地址"),
                "withdrawn_at": _("结束时间"),
                "end_reason": _("结束原因"),
            },
            collect=_consents,
        )
    )
    register_section(
        ExportSection(
            key="deletion_requests",
            title=_("删除申请"),
            labels={
                "requested_at": _("申请时间"),
                "reason": _("申请理由"),
                "status": _("状态"),
                "decided_at": _("审核时间"),
                "decision_note": _("审核意见"),
                "completed_at": _("删除完成时间"),
            },
            collect=_deletion_requests,
        )
    )
    logins = login_section()
    if logins is not None:
        register_section(logins)
