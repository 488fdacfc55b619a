"""Key attention (重点关注), talk assignments, talks (谈心谈话) and visits (走访慰问).

Imported by care/models.py, so these are ordinary models of the care app. Everything that says
something about a person's state — the reasons for key attention and their codes, the type of a
talk or visit ("warning follow-up", "hospital visit" tell a story of their own), areas,
observed pressure, needs, actions and notes — is T2: one encrypted JSON text per row, with the
person's data key. Dates, statuses and who is responsible stay plain, so that plans and
overdue reminders work without decrypting anything. Rows are read only through
care/access_talks.py.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sunflower.keystore.fields import EncryptedTextField
from sunflower.orgs.models import AttentionTag, Person, Unit


class AttentionReason(models.TextChoices):
    """The programme's criteria (the roster's AttentionTag codes) and two of the platform's."""

    URGENT_TASKS = AttentionTag.URGENT_TASKS.value, _("急难险重任务多")
    HARD_CONDITIONS = AttentionTag.HARD_CONDITIONS.value, _("工作环境艰苦")
    MAJOR_SETBACK = AttentionTag.MAJOR_SETBACK.value, _("遭受重大挫折")
    HEAVY_BURDEN = AttentionTag.HEAVY_BURDEN.value, _("心理负担重")
    SCREENING = "screening", _("测评结果提示")
    TALK_JUDGEMENT = "talk_judgement", _("谈心谈话研判")


class AttentionStatus(models.TextChoices):
    ACTIVE = "active", _("关注中")
    EXITED = "exited", _("已退出")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("已计划")
    DONE = "done", _("已记录")


class TalkKind(models.TextChoices):
    ROUTINE = "routine", _("日常谈心")
    TARGETED = "targeted", _("专项谈话")
    WARNING_FOLLOW_UP = "warning_follow_up", _("预警回访")
    RETURN_TO_WORK = "return_to_work", _("返岗谈话")


class TalkArea(models.TextChoices):
    THINKING = "thinking", _("思想")
    STUDY = "study", _("学习")
    WORK = "work", _("工作")
    LIFE = "life", _("生活")


class VisitKind(models.TextChoices):
    HOME = "home", _("家访")
    HOSPITAL = "hospital", _("医院探视")
    HOLIDAY = "holiday", _("节日慰问")
    WORKPLACE = "workplace", _("工作场所走访")
    OTHER = "other", _("其他")


def _loads(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _dumps(value: Any) -> str:
    return json.dumps(asdict(value), ensure_ascii=False, sort_keys=True)


@dataclass
class AttentionReasons:
    codes: list[str] = field(default_factory=list)
    note: str = ""

    def labels(self) -> list[str]:
        names = dict(AttentionReason.choices)
        return [str(names[code]) for code in self.codes if code in names]


@dataclass
class TalkDetails:
    kind: str = TalkKind.ROUTINE
    areas: list[str] = field(default_factory=list)
    pressure: int | None = None
    needs: str = ""
    actions: str = ""
    notes: str = ""

    def kind_label(self) -> str:
        return str(dict(TalkKind.choices).get(self.kind, self.kind))

    def area_labels(self) -> list[str]:
        names = dict(TalkArea.choices)
        return [str(names[code]) for code in self.areas if code in names]


@dataclass
class VisitDetails:
    kind: str = VisitKind.HOME
    place: str = ""
    notes: str = ""
    follow_up: str = ""

    def kind_label(self) -> str:
        return str(dict(VisitKind.choices).get(self.kind, self.kind))


class TalkAssignment(models.Model):
    """A talk officer's responsibility for one cadre from `since` until (not including) `until`."""

    talk_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("谈心谈话责任人"),
        on_delete=models.PROTECT,
        related_name="talk_assignments",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="talk_assignments"
    )
    since = models.DateField(_("开始日期"), default=timezone.localdate)
    until = models.DateField(_("结束日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("谈心谈话分工")
        verbose_name_plural = _("谈心谈话分工")
        ordering = ["person__name", "since"]
        constraints = [
            models.UniqueConstraint(
                fields=["talk_officer", "person"],
                condition=Q(until__isnull=True),
                name="one_open_talk_assignment",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="talk_assignment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.talk_officer} → {self.person}"

    def is_active_on(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day < self.until)


class KeyAttention(models.Model):
    """A cadre on the key-attention list, with a follow-up plan and a responsible person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        Person, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="key_attention"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=AttentionStatus.choices, default=AttentionStatus.ACTIVE
    )
    # JSON {"codes": [...], "note": "..."}: even a reason code about a named person is T2.
    reasons = EncryptedTextField(_("关注原因"), owner_field="person")
    talk_every_days = models.PositiveSmallIntegerField(_("谈心谈话间隔（天）"), default=30)
    visit_every_days = models.PositiveSmallIntegerField(_("走访间隔（天）"), null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.PROTECT,
        related_name="key_attention_entries",
    )
    review_on = models.DateField(_("复核日期"))
    started_at = models.DateTimeField(_("纳入时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exit_reason = EncryptedTextField(_("退出理由"), owner_field="person")
    exited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exited_at = models.DateTimeField(_("退出时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("重点关注")
        verbose_name_plural = _("重点关注")
        indexes = [models.Index(fields=["status", "review_on"], name="attention_status_review")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="active"), name="one_active_attention"
            ),
            models.CheckConstraint(
                condition=Q(status="active") | Q(exited_at__isnull=False),
                name="exited_attention_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.started_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.status == AttentionStatus.ACTIVE

    def get_reasons(self) -> AttentionReasons:
        data = _loads(self.reasons)
        return AttentionReasons(codes=list(data.get("codes", [])), note=str(data.get("note", "")))

    def set_reasons(self, reasons: AttentionReasons) -> None:
        self.reasons = _dumps(reasons)


class _Meeting(models.Model):
    """What a talk and a visit share: planned for a time, then recorded as held."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        Person, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="%(class)ss"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=8, choices=MeetingStatus.choices)
    planned_for = models.DateTimeField(_("计划时间"), null=True, blank=True)
    held_at = models.DateTimeField(_("时间"), null=True, blank=True)
    next_date = models.DateField(_("下次日期"), null=True, blank=True)
    details = EncryptedTextField(_("内容"), owner_field="person")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    @property
    def when(self) -> datetime | None:
        return self.held_at if self.status == MeetingStatus.DONE else self.planned_for


class Talk(_Meeting):
    class Meta:
        verbose_name = _("谈心谈话")
        verbose_name_plural = _("谈心谈话")
        indexes = [
            models.Index(fields=["person", "status", "held_at"], name="talk_person"),
            models.Index(fields=["officer", "status"], name="talk_officer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="planned", planned_for__isnull=False)
                | Q(status="done", held_at__isnull=False),
                name="talk_has_its_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.when:%Y-%m-%d}"

    def get_details(self) -> TalkDetails:
        data = _loads(self.details)
        pressure = data.get("pressure")
        return TalkDetails(
            kind=str(data.get("kind", TalkKind.ROUTINE)),
            areas=list(data.get("areas", [])),
            pressure=int(pressure) if pressure is not None else None,
            needs=str(data.get("needs", "")),
            actions=str(data.get("actions", "")),
            notes=str(data.get("notes", "")),
        )

    def set_details(self, details: TalkDetails) -> None:
        self.details = _dumps(details)


class Visit(_Meeting):
    class Meta:
        verbose_name = _("走访慰问")
        verbose_name_plural = _("走访慰问")
        indexes = [
            models.Index(fields=["person", "status", "held_at"], name="visit_person"),
            models.Index(fields=["officer", "status"], name="visit_officer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="planned", planned_for__isnull=False)
                | Q(status="done", held_at__isnull=False),
                name="visit_has_its_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.when:%Y-%m-%d}"

    def get_details(self) -> VisitDetails:
        data = _loads(self.details)
        return VisitDetails(
            kind=str(data.get("kind", VisitKind.HOME)),
            place=str(data.get("place", "")),
            notes=str(data.get("notes", "")),
            follow_up=str(data.get("follow_up", "")),
        )

    def set_details(self, details: VisitDetails) -> None:
        self.details = _dumps(details)
