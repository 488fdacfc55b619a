"""The authenticator-app device: RFC 6238 TOTP as django-otp's TOTPDevice does it, with the
secret encrypted at rest (ADR 9).

django-otp's own TOTPDevice keeps the key in hex in a plain column, so anyone who can read the
database (or a dump of it) could clone every authenticator. This device is the same
django-otp Device — found by django_otp.verify_token, devices_for_user and OTPMiddleware
through the app registry like any plugin's — but its key is an EncryptedTextField under the
shared data key "system:otp", wrapped by the master key outside the database.

A key that cannot be decrypted (altered ciphertext, missing or shredded data key) loads as
None and the device refuses every code: it fails closed instead of raising on every request
that loads it. Recovery codes still work; a security administrator resets the device.
"""

from __future__ import annotations

import logging
import time
from base64 import b32encode
from binascii import unhexlify
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import hex_validator, random_hex

from sunflower.keystore.fields import EncryptedTextField
from sunflower.lib import crypto

OTP_KEY = "system:otp"
THROTTLE_FIELDS = ["throttling_failure_timestamp", "throttling_failure_count"]

logger = logging.getLogger(__name__)


def default_key() -> str:
    """20 random bytes in hex, as django-otp generates them for TOTPDevice."""
    return str(random_hex(20))


def key_validator(value: str) -> None:
    hex_validator()(value)


class OTPKeyField(EncryptedTextField):
    """An encrypted key that reads as None, with a warning, when it cannot be decrypted, so
    that a damaged device refuses codes rather than breaking every page that loads it."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        try:
            return super().from_db_value(value, expression, connection)
        except (crypto.CryptoError, ValidationError) as error:  # a malformed key id is the latter
            logger.warning(
                "%s: the key cannot be decrypted (%s)", self.context, type(error).__name__
            )
            return None


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """A TOTP device (RFC 6238, HMAC-SHA1) with the fields and behaviour of django-otp's
    TOTPDevice: *step* seconds per code, counted from *t0*; *digits* long; *tolerance* steps
    either side accepted; *drift* the steps the phone is known to be off (updated on each
    match when OTP_TOTP_SYNC is on, the default); *last_t* the step of the last accepted code,
    so that each step is usable once."""

    key = OTPKeyField(
        key_subject=OTP_KEY,
        default=default_key,
        null=False,
        blank=False,
        validators=[key_validator],
        help_text="A hex-encoded secret key of up to 40 bytes, encrypted at rest.",
    )
    step = models.PositiveSmallIntegerField(default=30, help_text="The time step in seconds.")
    t0 = models.BigIntegerField(
        default=0, help_text="The Unix time at which to begin counting steps."
    )
    digits = models.PositiveSmallIntegerField(
        choices=[(6, 6), (8, 8)],
        default=6,
        help_text="The number of digits to expect in a token.",
    )
    tolerance = models.PositiveSmallIntegerField(
        default=1, help_text="The number of time steps in the past or future to allow."
    )
    drift = models.SmallIntegerField(
        default=0,
        help_text="The number of time steps the prover is known to deviate from our clock.",
    )
    last_t = models.BigIntegerField(
        default=-1,
        help_text="The time step of the last verified token; the next must be later.",
    )

    class Meta(Device.Meta):
        verbose_name = "authenticator device"

    @property
    def key_readable(self) -> bool:
        return bool(self.key)

    @property
    def bin_key(self) -> bytes:
        """The secret key as bytes (ValueError when it could not be decrypted)."""
        if not self.key:
            raise ValueError("the authenticator key cannot be read")
        return unhexlify(self.key.encode())

    def verify_token(self, token: Any) -> bool:
        verify_allowed, _detail = self.verify_is_allowed()
        if not verify_allowed:
            return False
        try:
            code = int(token)
            key = self.bin_key
        except (TypeError, ValueError):
            verified = False
        else:
            totp = TOTP(key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(code, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                if getattr(settings, "OTP_TOTP_SYNC", True):
                    self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                # Only the counters: the key is not written again (nor a None over a key
                # that could not be read).
                self.save(update_fields=["last_t", "drift", "last_used_at", *THROTTLE_FIELDS])
        if not verified:
            self.throttle_increment(commit=True)
        return bool(verified)

    def throttle_increment(self, commit: bool = True) -> None:
        super().throttle_increment(commit=False)
        if commit:
            self.save(update_fields=THROTTLE_FIELDS)

    def throttle_reset(self, commit: bool = True) -> None:
        super().throttle_reset(commit=False)
        if commit:
            self.save(update_fields=THROTTLE_FIELDS)

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    @property
    def config_url(self) -> str:
        """The otpauth:// URI for an authenticator app (Google's Key Uri Format); the issuer
        is OTP_TOTP_ISSUER, as for django-otp's TOTPDevice."""
        label = str(self.user.get_username())
        params = urlencode(
            {
                "secret": b32encode(self.bin_key),
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        issuer = getattr(settings, "OTP_TOTP_ISSUER", None)
        if callable(issuer):
            issuer = issuer(self)
        if isinstance(issuer, str) and issuer:
            issuer = issuer.replace(":", "")
            label = f"{issuer}:{label}"
            params += f"&issuer={quote(issuer)}"  # RFC 3986, not quote_plus
        return f"otpauth://totp/{quote(label)}?{params}"
