"""Benchmark-only tables: emptied before and after each run, never read by the application."""

from __future__ import annotations

from django.db import models

from sunflower.keystore.fields import EncryptedTextField

BENCH_KEY = "system:bench"


class BenchRow(models.Model):
    """A one-row insert with a plain text column: the baseline."""

    body = models.TextField()

    def __str__(self) -> str:
        return f"bench row {self.pk}"


class BenchSecret(models.Model):
    """The same insert with the text encrypted, as every T2 field is."""

    body = EncryptedTextField(key_subject=BENCH_KEY)

    def __str__(self) -> str:
        return f"bench secret {self.pk}"
