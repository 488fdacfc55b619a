"""Risk warnings, crisis cases and their timeline (DESIGN.md §4, §5; ADR 13).

Every free text here is T2, encrypted with the person's data key, so each row that holds one
carries its `person` (the key's owner). Rows are read only through `care/access.py`.
Scope is the unit the person belonged to when the warning was raised or the case opened:
a record keeper whose scope holds that unit handles it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sunflower.care.tiers import Tier
from sunflower.care.workflow import CaseStatus
from sunflower.keystore.fields import EncryptedTextField
from sunflower.orgs.models import Person, Unit


class WarningSource(models.TextChoices):
    RESULT = "result", _("测评结果自动提示")
    MANUAL = "manual", _("人工提出")


class WarningStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审核")
    CONFIRMED = "confirmed", _("已确认")
    DISMISSED = "dismissed", _("已排除")


class RiskWarning(models.Model):
    """A proposed risk tier for a person; a record keeper confirms, changes or dismisses it
    (PIPL Art. 24: an automatic tier is only ever a proposal)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        Person, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="risk_warnings"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("来源"), max_length=12, choices=WarningSource.choices)
    response = models.ForeignKey(
        "assessments.Response",
        verbose_name=_("测评作答"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risk_warnings",
    )
    proposed_tier = models.CharField(_("提示等级"), max_length=8, choices=Tier.choices)
    tier = models.CharField(_("当前等级"), max_length=8, choices=Tier.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=WarningStatus.choices, default=WarningStatus.PROPOSED
    )
    reason = EncryptedTextField(_("提出理由"), owner_field="person")
    review_note = EncryptedTextField(_("审核说明"), owner_field="person")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("风险预警")
        verbose_name_plural = _("风险预警")
        indexes = [
            models.Index(fields=["status", "tier", "created_at"], name="warning_queue"),
            models.Index(fields=["person", "created_at"], name="warning_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="proposed") | Q(reviewed_at__isnull=False),
                name="reviewed_warning_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} · {self.get_status_display()}"


class CaseActionKind(models.TextChoices):
    CALL = "call", _("电话联系")
    MEETING = "meeting", _("当面会谈")
    FAMILY_CONTACT = "family_contact", _("联系家属")
    UNIT_CONTACT = "unit_contact", _("联系所在单位")
    HOSPITAL_REFERRAL = "hospital_referral", _("医院转诊")
    OTHER = "other", _("其他")


# Direct contact with the person: what ends the first-contact and follow-up clocks.
CONTACT_KINDS = (CaseActionKind.CALL, CaseActionKind.MEETING)


class CrisisCase(models.Model):
    """A crisis case, moved through workflow.TRANSITIONS by actions.do_transition only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        Person, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="crisis_cases"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    warning = models.ForeignKey(
        RiskWarning,
        verbose_name=_("来源预警"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    tier = models.CharField(_("等级"), max_length=8, choices=Tier.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.DETECTED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("立案时间"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    # When a later, more urgent warning last raised the tier: the first-contact clock for the
    # new tier runs from then, and first_contact_at is the first direct contact since (sla.py).
    tier_raised_at = models.DateTimeField(_("等级提高时间"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("首次联系时间"), null=True, blank=True)
    last_contact_at = models.DateTimeField(_("最近联系时间"), null=True, blank=True)
    # How many levels up the escalation chain the case has gone (sla.py).
    escalation_level = models.PositiveSmallIntegerField(_("升级层级"), default=0)
    safety_plan = EncryptedTextField(_("安全计划"), owner_field="person")
    referral_destination = EncryptedTextField(_("转介去向"), owner_field="person")
    closing_reason = EncryptedTextField(_("结案理由"), owner_field="person")
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("危机个案")
        verbose_name_plural = _("危机个案")
        indexes = [models.Index(fields=["status", "tier"], name="case_status_tier")]
        constraints = [
            # One open case per person at a time (issue 5); a reopened case counts as open.
            models.UniqueConstraint(
                fields=["person"], condition=~Q(status="closed"), name="one_open_case_per_person"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="closed_case_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED

    def contact_due_at(self) -> datetime | None:
        """When the next contact is due under the service levels, or None (sla.py)."""
        from sunflower.care.sla import contact_due

        due = contact_due(self)
        return due[1] if due is not None else None


class CaseTransition(models.Model):
    """One move of a case between statuses: the case's history, never edited."""

    case = models.ForeignKey(CrisisCase, on_delete=models.CASCADE, related_name="transitions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    from_status = models.CharField(max_length=12, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=CaseStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = EncryptedTextField(_("说明"), owner_field="person")

    class Meta:
        verbose_name = _("个案状态变更")
        verbose_name_plural = _("个案状态变更")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class CaseAction(models.Model):
    """A dated step taken on a case: a call, a meeting, a contact, a referral."""

    case = models.ForeignKey(CrisisCase, on_delete=models.CASCADE, related_name="actions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=CaseActionKind.choices)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = EncryptedTextField(_("记录"), owner_field="person")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("个案处置记录")
        verbose_name_plural = _("个案处置记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class BreachKind(models.TextChoices):
    FIRST_CONTACT = "first_contact", _("首次联系超时")
    FOLLOW_UP = "follow_up", _("随访超时")


class SlaBreach(models.Model):
    """A service level missed by a case; one row per case, kind and due time (idempotent)."""

    case = models.ForeignKey(CrisisCase, on_delete=models.CASCADE, related_name="breaches")
    kind = models.CharField(_("类型"), max_length=16, choices=BreachKind.choices)
    due_at = models.DateTimeField(_("应完成时间"))
    detected_at = models.DateTimeField(_("发现时间"))
    level = models.PositiveSmallIntegerField(_("升级层级"), default=0)
    escalated_to = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务时限超时")
        verbose_name_plural = _("服务时限超时")
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "due_at"], name="one_breach_per_due")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_at:%Y-%m-%d %H:%M}"


class DutyShift(models.Model):
    """A record keeper on duty for live alerts between two times (值班表)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("值班人员"),
        on_delete=models.CASCADE,
        related_name="duty_shifts",
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("值班")
        verbose_name_plural = _("值班表")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class ExplanationRequest(models.Model):
    """A cadre's request to have an automatic proposal explained (PIPL Art. 24)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="explanation_requests"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    response = models.ForeignKey(
        "assessments.Response", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    warning = models.ForeignKey(
        RiskWarning,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="explanation_requests",
    )
    question = EncryptedTextField(_("您的问题"), owner_field="person")
    answer = EncryptedTextField(_("答复"), owner_field="person")
    requested_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("说明请求")
        verbose_name_plural = _("说明请求")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.requested_at:%Y-%m-%d}"


class BreakGlassGrant(models.Model):
    """A record keeper's time-limited emergency access to one person's record outside their
    scope (紧急调阅, DESIGN.md §4 rule 8), given after a written reason and re-authentication.

    The reason may describe the person's situation, so it is T2, encrypted with their key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调阅人"),
        on_delete=models.PROTECT,
        related_name="break_glass_grants",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="+"
    )
    reason = EncryptedTextField(_("调阅理由"), owner_field="person")
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))

    class Meta:
        verbose_name = _("紧急调阅授权")
        verbose_name_plural = _("紧急调阅授权")
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "person", "expires_at"], name="break_glass_live")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("granted_at")), name="grant_expires_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.granted_at:%Y-%m-%d %H:%M}–{self.expires_at:%H:%M}"

    def is_active(self, now: datetime | None = None) -> bool:
        return self.granted_at <= (now or timezone.now()) < self.expires_at


# Key attention, talk assignments, talks and visits live in their own module (issue 5 items 5–6).
from sunflower.care.models_talks import KeyAttention, Talk, TalkAssignment, Visit  # noqa: E402, F401
