from __future__ import annotations

import uuid

from django.db import models

from sunflower.keystore.fields import EncryptedTextField


class SensitiveNote(models.Model):
    """Free text encrypted with its person's own data key, as a T2 model stores it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    body = EncryptedTextField(owner_field="person")

    def __str__(self) -> str:
        return f"note {self.pk}"
