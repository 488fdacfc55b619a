"""Responses to instruments. Answers, result and band are T2: encrypted with the person's key.

Only what is needed to find and order rows stays in clear: whose response it is, which
instrument and version, the status and the times. Everything a reader could learn about the
person's state of mind — the answers, the score, the band, the flags — is in the encrypted
columns, and is read only through `access.py`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sunflower.care.tiers import Tier
from sunflower.keystore.fields import EncryptedTextField
from sunflower.orgs.models import Person, Unit
from sunflower.scales import numbers

ANONYMOUS_KEY = "system:anonymous-responses"
# An approved response data export can be downloaded for this long after the approval.
EXPORT_VALID_HOURS = 24


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("未完成")
    SUBMITTED = "submitted", _("已提交")
    # The cadre's draft of an anonymous campaign after submission: emptied, it stays only so
    # that a repeated submission finds it (the answers went to a row with no person).
    ANONYMISED = "anonymised", _("已匿名提交")


class CampaignMode(models.TextChoices):
    IDENTIFIED = "identified", _("实名")
    CONFIDENTIAL = "confidential", _("保密")
    ANONYMOUS = "anonymous", _("匿名")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class Campaign(models.Model):
    """An organised screening (心理普查) of the cadres under one unit, within a time window."""

    name = models.CharField(_("名称"), max_length=120)
    instruments = models.JSONField(_("量表"), default=list)  # instrument ids, in order
    root_unit = models.ForeignKey(
        Unit, verbose_name=_("范围"), on_delete=models.PROTECT, related_name="campaigns"
    )
    opens_at = models.DateTimeField(_("开放时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    mode = models.CharField(
        _("方式"), max_length=16, choices=CampaignMode.choices, default=CampaignMode.IDENTIFIED
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Cadres with an unfinished assignment are reminded this many days before the deadline
    # (0: no reminder). Sent once per assignment by the reminder task (notifications).
    reminder_days = models.PositiveSmallIntegerField(_("提前提醒（天）"), default=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("测评活动")
        verbose_name_plural = _("测评活动")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="campaign_closes_after_it_opens",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_past(self, now: datetime) -> bool:
        return now >= self.closes_at


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("待完成")
    DONE = "done", _("已完成")


class Assignment(models.Model):
    """One instrument a campaign asks one cadre to fill."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(
        Person, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="assignments"
    )
    # The unit at the time of assignment: participation is counted where the cadre was asked.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    instrument_id = models.CharField(_("量表"), max_length=40)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PENDING,
    )
    response = models.ForeignKey(
        "Response", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("测评任务")
        verbose_name_plural = _("测评任务")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person", "instrument_id"],
                name="one_assignment_per_campaign_person_instrument",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.instrument_id} {self.status}"


class Response(models.Model):
    """One filling of one instrument version by one person (a self-assessment for now)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Null only for anonymous campaign responses (issue 4, campaigns): no identity stored.
    person = models.ForeignKey(
        Person,
        verbose_name=_("干部"),
        null=True,
        on_delete=models.CASCADE,
        related_name="assessment_responses",
    )
    instrument_id = models.CharField(_("量表"), max_length=40)
    # Scored always with this version, whatever the library holds later (ADR 0011).
    instrument_version = models.CharField(_("量表版本"), max_length=20)
    status = models.CharField(
        _("状态"), max_length=12, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    # An anonymous response has no person: it is encrypted with a shared key instead.
    answers = EncryptedTextField(  # JSON: codes in item order
        _("作答"), owner_field="person", fallback_subject=ANONYMOUS_KEY
    )
    result = EncryptedTextField(  # JSON: score, band, flags
        _("结果"), owner_field="person", fallback_subject=ANONYMOUS_KEY
    )
    started_at = models.DateTimeField(_("开始时间"))
    saved_at = models.DateTimeField(_("最近保存"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("用时（秒）"), null=True, blank=True)
    # Generated for the final page's form; a repeated submission carries the same token.
    submission_token = models.CharField(max_length=64, null=True, blank=True)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("测评活动"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responses",
    )

    class Meta:
        verbose_name = _("作答")
        verbose_name_plural = _("作答")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "submission_token"],
                name="one_response_per_submission_token",
            ),
            models.UniqueConstraint(
                fields=["person", "instrument_id"],
                condition=Q(status="draft"),
                name="one_draft_per_person_and_instrument",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="submitted_response_has_time",
            ),
        ]
        indexes = [models.Index(fields=["person", "instrument_id", "status"])]

    def __str__(self) -> str:
        return f"{self.instrument_id}@{self.instrument_version} {self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == ResponseStatus.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED

    @property
    def is_anonymised(self) -> bool:
        return self.status == ResponseStatus.ANONYMISED

    def answer_list(self) -> list[int | None]:
        return list(json.loads(self.answers)) if self.answers else []

    def set_answers(self, answers: list[int | None]) -> None:
        self.answers = json.dumps(answers)

    def result_data(self) -> dict[str, Any]:
        """The stored result; numbers come back as int or Decimal, as the engine gave them."""
        return dict(json.loads(self.result, parse_float=Decimal)) if self.result else {}

    def set_result(self, data: dict[str, Any]) -> None:
        self.result = numbers.dumps(data)


class InstalledInstrument(models.Model):
    """An instrument file a licensed deployment uploaded (MBI, CD-RISC, … are not shipped).

    Kept in the database, not on one server's disk, so every web and task process of a cluster
    sees it; the library loads these rows beside the shipped files. Versions are immutable:
    one row per id and version, never edited.
    """

    instrument_id = models.CharField(_("量表"), max_length=40)
    version = models.CharField(_("量表版本"), max_length=20)
    source = models.TextField(_("量表文件"))  # the YAML as uploaded, validated on upload
    purpose = models.CharField(_("用途说明"), max_length=200)
    minutes = models.PositiveSmallIntegerField(_("预计用时（分钟）"), default=5)
    self_assessment = models.BooleanField(_("开放自助测评"), default=False)
    licence_note = models.CharField(_("授权说明"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("上传的量表")
        verbose_name_plural = _("上传的量表")
        ordering = ["instrument_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument_id", "version"], name="one_installed_instrument_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id}@{self.version}"


class WarningRuleKind(models.TextChoices):
    AT_LEAST = "at_least", _("分数达到阈值")
    ANY_SUBSCALE_AT_LEAST = "any_subscale_at_least", _("任一因子分达到阈值")
    BAND = "band", _("结果分级为")


# Red is the scoring engine's critical_item flag and is not a rule here (DESIGN.md §5).
RULE_TIERS = (Tier.ORANGE, Tier.YELLOW)


class WarningRule(models.Model):
    """One condition on a submitted result that proposes an orange or yellow warning.

    The defaults are seeded by migration 0006 and edited in the console by a city-wide
    programme admin (warning_rules.py); `warnings.proposed_tier` reads the active ones.
    Instrument definitions are T0 and so are these rules: no personal data.
    """

    instrument_id = models.CharField(_("量表"), max_length=32)
    tier = models.CharField(
        _("预警等级"),
        max_length=8,
        choices=[(tier.value, tier.label) for tier in RULE_TIERS],
    )
    kind = models.CharField(_("规则类型"), max_length=24, choices=WarningRuleKind.choices)
    score = models.CharField(_("分数"), max_length=40, blank=True)  # "total", "indices.index"
    threshold = models.DecimalField(
        _("阈值"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    band = models.CharField(_("结果分级"), max_length=40, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        ordering = ["instrument_id", "tier", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tier__in=[tier.value for tier in RULE_TIERS]),
                name="warning_rule_orange_or_yellow",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=WarningRuleKind.AT_LEAST,
                        threshold__isnull=False,
                        band="",
                    )
                    & ~Q(score="")
                )
                | Q(
                    kind=WarningRuleKind.ANY_SUBSCALE_AT_LEAST,
                    threshold__isnull=False,
                    score="",
                    band="",
                )
                | (Q(kind=WarningRuleKind.BAND, threshold__isnull=True, score="") & ~Q(band="")),
                name="warning_rule_fields_match_kind",
            ),
        ]

    def __str__(self) -> str:
        condition = self.band if self.kind == WarningRuleKind.BAND else self.threshold
        return f"{self.instrument_id} {self.tier}: {self.kind} {self.score} {condition}"

    def matches(self, result: Mapping[str, Any]) -> bool:
        """Whether a scored result (Response.result_data()) meets this rule."""
        if self.kind == WarningRuleKind.BAND:
            return (result.get("band") or {}).get("code") == self.band
        assert self.threshold is not None  # noqa: S101 (a database constraint)
        if self.kind == WarningRuleKind.ANY_SUBSCALE_AT_LEAST:
            values = list((result.get("subscales") or {}).values())
        else:
            group, _dot, key = self.score.partition(".")
            found = result.get(group) if not key else (result.get(group) or {}).get(key)
            values = [found]
        return any(v is not None and Decimal(v) >= self.threshold for v in values)


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel 表格（.xlsx）")
    CSV = "csv", _("CSV 文本（.csv）")


class ExportStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class ExportRequest(models.Model):
    """A record keeper's request to export one campaign's responses, and a second record
    keeper's decision on it (DESIGN.md §2: no bulk export without a second approver).

    The requester downloads an approved export within EXPORT_VALID_HOURS of the approval.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("测评活动"), on_delete=models.PROTECT, related_name="+"
    )
    file_format = models.CharField(_("格式"), max_length=8, choices=ExportFormat.choices)
    reason = models.TextField(_("用途说明"), max_length=500)
    status = models.CharField(
        _("状态"), max_length=12, choices=ExportStatus.choices, default=ExportStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), max_length=500, blank=True)
    downloads = models.PositiveIntegerField(_("下载次数"), default=0)
    last_downloaded_at = models.DateTimeField(_("最近下载"), null=True, blank=True)

    class Meta:
        verbose_name = _("测评数据导出申请")
        verbose_name_plural = _("测评数据导出申请")
        ordering = ["-requested_at"]
        constraints = [
            # The second approver is another person: the database refuses a self-approval.
            models.CheckConstraint(
                condition=~Q(decided_by=models.F("requested_by")),
                name="export_decided_by_another_record_keeper",
            ),
            models.CheckConstraint(
                condition=Q(status="requested")
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="export_decision_has_decider_and_time",
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.campaign_id} {self.status}"

    @property
    def expires_at(self) -> datetime | None:
        if self.status != ExportStatus.APPROVED or self.decided_at is None:
            return None
        return self.decided_at + timedelta(hours=EXPORT_VALID_HOURS)

    def is_downloadable(self, now: datetime) -> bool:
        expires = self.expires_at
        return expires is not None and now < expires
