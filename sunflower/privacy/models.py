from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sunflower.keystore.fields import EncryptedTextField
from sunflower.orgs.models import Person

PRIVACY_KEY = "system:privacy"


class NoticeImmutableError(Exception):
    """A published notice was about to change: publish a new version instead."""


class NoticeQuerySet(models.QuerySet["ConsentNotice"]):
    def published(self) -> NoticeQuerySet:
        return self.filter(published_at__isnull=False)


class ConsentNotice(models.Model):
    """One version of the notice a cadre reads before consenting (PIPL Art. 17, 30).

    A version is a draft until `published_at` is set and frozen after: consent is given to the
    exact text of one version, so that text must never change under it. New versions arrive
    as data migrations, reviewed like code (see 0002_notice_v1).
    """

    version = models.PositiveIntegerField(_("版本"), unique=True)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"), help_text=_("纯文本，空行分段"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("告知书")
        verbose_name_plural = _("告知书")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = ConsentNotice.objects.filter(pk=self.pk).values_list("published_at").first()
            if stored is not None and stored[0] is not None:
                raise NoticeImmutableError(f"notice v{self.version} is published: add a version")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.published_at is not None:
            raise NoticeImmutableError(f"notice v{self.version} is published: it stays")
        return super().delete(*args, **kwargs)


class ConsentEnd(models.TextChoices):
    WITHDRAWN = "withdrawn", _("本人撤回")
    SUPERSEDED = "superseded", _("已同意新版本告知书")
    ERASED = "erased", _("数据已按申请删除")


class Consent(models.Model):
    """A person's separate consent (单独同意, PIPL Art. 29) to one notice version.

    A consent is active until `withdrawn_at` is set; `end_reason` says why it ended. The rows
    are kept after the end as the record of what was agreed, when and from where.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        Person, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="consents"
    )
    notice = models.ForeignKey(
        ConsentNotice, verbose_name=_("告知书"), on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField(_("同意时间"))
    source_ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_reason = models.CharField(
        _("结束原因"), max_length=16, choices=ConsentEnd.choices, blank=True
    )

    class Meta:
        verbose_name = _("同意记录")
        verbose_name_plural = _("同意记录")
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_active_consent_per_person",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, end_reason="")
                | Q(withdrawn_at__isnull=False) & ~Q(end_reason=""),
                name="consent_end_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} · v{self.notice_id} · {self.given_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class DeletionStatus(models.TextChoices):
    REQUESTED = "requested", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    DONE = "done", _("已删除")


# The only moves a deletion request may make; anything else is refused (tested exhaustively).
DELETION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    DeletionStatus.REQUESTED: (DeletionStatus.APPROVED, DeletionStatus.REJECTED),
    DeletionStatus.APPROVED: (DeletionStatus.DONE,),
    DeletionStatus.REJECTED: (),
    DeletionStatus.DONE: (),
}
OPEN_DELETION_STATUSES = (DeletionStatus.REQUESTED, DeletionStatus.APPROVED)
BADGES: dict[str, str] = {
    DeletionStatus.REQUESTED: "retired",
    DeletionStatus.APPROVED: "checked",
    DeletionStatus.REJECTED: "rejected",
    DeletionStatus.DONE: "applied",
}


class DeletionRequest(models.Model):
    """A cadre's request to delete their sensitive data (PIPL Art. 47), decided by a record
    keeper in scope. Approval crypto-shreds the person's data key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        Person, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="deletion_requests"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    # Free text may touch on health: encrypted at rest like the roster's T1 fields.
    reason = EncryptedTextField(_("申请理由"), key_subject=PRIVACY_KEY, blank=True, default="")
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=DeletionStatus.choices,
        default=DeletionStatus.REQUESTED,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = EncryptedTextField(
        _("审核意见"), key_subject=PRIVACY_KEY, blank=True, default=""
    )
    completed_at = models.DateTimeField(_("删除完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("删除申请")
        verbose_name_plural = _("删除申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["requested", "approved"]),
                name="one_open_deletion_request_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.status} · {self.requested_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_DELETION_STATUSES

    @property
    def badge(self) -> str:
        """The existing badge style that fits the status (the stylesheet's palette)."""
        return BADGES[self.status]

    def can_move_to(self, status: str) -> bool:
        return status in DELETION_TRANSITIONS[self.status]
