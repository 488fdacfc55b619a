"""Access tokens of the cadres' app (the mini-program): one per signed-in device.

Only a SHA-256 digest of a token is stored; the token itself is shown once, in the answer that
issues it. A token ends at its absolute lifetime, after a day unused, when it is revoked
(signing out), when the account's password changes, or when the account is deactivated.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the token, hex
    device = models.CharField(_("设备"), max_length=64, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"], name="api_token_user_live")]

    def __str__(self) -> str:
        return f"token {self.pk} of user {self.user_id}"
