"""Responses to instruments. Answers, result and band are T2: encrypted with the person's key.

Only what is needed to find and order rows stays in clear: whose response it is, which
instrument and version, the status and the times. Everything a reader could learn about the
person's state of mind — the answers, the score, the band, the flags — is in the encrypted
columns, and is read only through `access.py`.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sunflower.keystore.fields import EncryptedTextField
from sunflower.orgs.models import Person
from sunflower.scales import numbers


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("未完成")
    SUBMITTED = "submitted", _("已提交")


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
    answers = EncryptedTextField(_("作答"), owner_field="person")  # JSON: codes in item order
    result = EncryptedTextField(_("结果"), owner_field="person")  # JSON: score, band, flags
    started_at = models.DateTimeField(_("开始时间"))
    saved_at = models.DateTimeField(_("最近保存"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("用时（秒）"), null=True, blank=True)
    # Generated for the final page's form; a repeated submission carries the same token.
    submission_token = models.CharField(max_length=64, null=True, blank=True)

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
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED

    def answer_list(self) -> list[int | None]:
        return list(json.loads(self.answers)) if self.answers else []

    def set_answers(self, answers: list[int | None]) -> None:
        self.answers = json.dumps(answers)

    def result_data(self) -> dict[str, Any]:
        """The stored result; numbers come back as int or Decimal, as the engine gave them."""
        return dict(json.loads(self.result, parse_float=Decimal)) if self.result else {}

    def set_result(self, data: dict[str, Any]) -> None:
        self.result = numbers.dumps(data)
