from __future__ import annotations

import uuid

from django.db import models


class DataKey(models.Model):
    """A data key, stored only wrapped by the master key.

    The subject names what the key protects: "system:<purpose>" for shared keys (roster T1
    fields, blind indexes) and "person:<uuid>" for one person's sensitive data. Shredding wipes
    the wrapped bytes and keeps the row, so that "destroyed" stays distinguishable from
    "never existed".
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.CharField(max_length=80, unique=True)
    suite = models.CharField(max_length=8)
    master_key_id = models.CharField(max_length=32, db_index=True)
    wrapped = models.BinaryField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rewrapped_at = models.DateTimeField(null=True, blank=True)
    shredded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "数据密钥"
        verbose_name_plural = "数据密钥"

    def __str__(self) -> str:
        return f"{self.subject} ({self.suite})"

    @property
    def key_id(self) -> str:
        return self.id.hex
