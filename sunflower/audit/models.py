from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    OK = "ok", _("成功")
    DENIED = "denied", _("拒绝")
    FAILED = "failed", _("失败")


class AuditEvent(models.Model):
    """One audited event. Rows are only ever inserted; nothing in the code updates or deletes
    them except the retention job, and PostgreSQL refuses anything else (see migrations).

    `changes` holds a digest of what changed (field names, counts), never sensitive values.
    Requests append events freely; the sealer later links them into the hash chain (AuditSeal),
    so that no request waits on a chain-wide lock (docs/adr/0008).
    """

    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    scope_unit_id = models.BigIntegerField(null=True, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.OK)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"
        )


class AuditSeal(models.Model):
    """The place of one event in the hash chain: its sequence number and chained digest."""

    seq = models.BigIntegerField(primary_key=True)
    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, related_name="seal")
    algorithm = models.CharField(max_length=8)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()

    class Meta:
        verbose_name = "审计链封印"
        verbose_name_plural = "审计链封印"

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class ChainAnchor(models.Model):
    """Where verification starts after retention removed the oldest entries.

    Holds the sequence number of the first kept entry and the hash of the last removed one, so
    that the remaining chain stays verifiable.
    """

    first_seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    removed = models.BigIntegerField()
    cutoff = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "审计链锚点"
        verbose_name_plural = "审计链锚点"
        get_latest_by = "first_seq"

    def __str__(self) -> str:
        return f"from #{self.first_seq}"
