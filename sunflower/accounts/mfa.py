"""Two-factor authentication (等保 2.0 level 3: two factors, one of them cryptographic).

The second factor is a TOTP authenticator app (RFC 6238; our AuthenticatorDevice, a django-otp
device that works as its TOTPDevice does), with ten one-time recovery codes (django-otp's
StaticDevice) for a lost phone. Every staff role must use it; a cadre may turn it on. The QR
code for enrolment is drawn here as inline SVG: no image service, no script.

Recovery codes are stored as keyed digests (the blind-index key), never in clear; the TOTP key
is encrypted at rest with the "system:otp" data key (accounts/otp.py, docs/adr/0009).
"""

from __future__ import annotations

import base64
import datetime as dt
import re

import django_otp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from sunflower.accounts.history import record_login_event
from sunflower.accounts.models import LoginEvent, Role, User
from sunflower.accounts.otp import AuthenticatorDevice
from sunflower.audit.events import record
from sunflower.audit.models import Outcome
from sunflower.keystore import keyring

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery-codes"
TOTP_PATTERN = re.compile(r"^\d{6}$")


class SecondFactorError(Exception):
    """A change the rules forbid; str() is a user-facing message."""


def confirmed_totp(user: User) -> AuthenticatorDevice | None:
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user: User) -> bool:
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_required(user: User) -> bool:
    """Staff always; anyone else once they have turned it on."""
    return user.is_staff_member or has_second_factor(user)


def has_second_factor_now(user: User) -> bool:
    """has_second_factor for the signed-in user of this request, before the view runs: the
    answer read with the user in the same query (backends.get_user) when there is one."""
    loaded: bool | None = getattr(user, "holds_second_factor", None)
    return has_second_factor(user) if loaded is None else loaded


def is_verified(request: HttpRequest) -> bool:
    """Whether this session has passed the second factor (django-otp's OTPMiddleware)."""
    return getattr(request.user, "otp_device", None) is not None


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Enrolment ---------------------------------------------------------------------------------


def pending_totp(user: User) -> AuthenticatorDevice:
    """The device being enrolled: one unconfirmed device per user, kept until confirmed so that
    reloading the page shows the same secret."""
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is not None and not device.key_readable:
        device.delete()  # its key cannot be decrypted: start again with a new one
        device = None
    if device is None:
        device = AuthenticatorDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def secret_text(device: AuthenticatorDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    encoded = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def qr_svg(device: AuthenticatorDevice, label: str) -> str:
    """The otpauth:// URI as an inline SVG QR code (white background, scales with CSS)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)
    attributes = f'class="qr-code" role="img" aria-label="{escape(label)}" width="240" height="240"'
    return re.sub(r'width="[^"]*" height="[^"]*"', attributes, svg, count=1)


def totp_allowed_after(device: Device) -> dt.datetime | None:
    """When django-otp's throttle (after wrong codes, doubling each time) lets this device
    try again; None when it may try now."""
    allowed, detail = device.verify_is_allowed()
    if allowed:
        return None
    until = (detail or {}).get("locked_until")
    return until if isinstance(until, dt.datetime) else timezone.now()


def do_confirm_enrolment(request: HttpRequest, user: User, token: str) -> list[str] | None:
    """Confirm the pending device with a code from the app. On success the session counts as
    verified, any earlier device is replaced, and new recovery codes are returned (once)."""
    with transaction.atomic():
        device = (
            AuthenticatorDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None or not device.verify_token(normalise_code(token)):
            record("auth.mfa.enrol", actor=user, request=request, outcome=Outcome.DENIED)
            return None
        AuthenticatorDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_recovery_codes(user)
        record("auth.mfa.enrol", actor=user, target=device, request=request)
        record_login_event(user, LoginEvent.Outcome.MFA_OK, request)
    django_otp.login(request, device)
    return codes


def do_new_recovery_codes(request: HttpRequest, user: User) -> list[str]:
    """Replace the recovery codes (the old ones stop working)."""
    if not has_second_factor(user):
        raise SecondFactorError(_("请先启用两步验证"))
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        record("auth.mfa.recovery_codes", actor=user, request=request)
    return codes


def do_disable(request: HttpRequest, user: User) -> None:
    """Turn the second factor off; only for accounts that do not need it (cadres)."""
    if user.is_staff_member:
        raise SecondFactorError(_("工作人员账号必须使用两步验证，不能关闭"))
    with transaction.atomic():
        AuthenticatorDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        record("auth.mfa.disable", actor=user, request=request)
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)


def do_reset(actor: User, user: User, request: HttpRequest) -> None:
    """Remove someone's authenticator and recovery codes (lost phone and codes), for a
    security administrator; they enrol again at their next login. Their sessions stay
    verified only until the device check in OTPMiddleware finds the device gone."""
    if not actor.has_role(Role.SECURITY_ADMIN):
        raise SecondFactorError(_("只有安全管理员可以重置两步验证"))
    if actor.pk == user.pk:
        raise SecondFactorError(_("不能重置自己的两步验证"))
    with transaction.atomic():
        removed, _detail = AuthenticatorDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        record(
            "auth.mfa.reset",
            actor=actor,
            actor_role=Role.SECURITY_ADMIN,
            target=user,
            request=request,
            changes={"devices": removed},
        )


def _replace_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_digest(user, code)) for code in codes
    )
    return [f"{code[:4]}-{code[4:]}" for code in codes]


def normalise_code(token: str) -> str:
    return re.sub(r"[\s-]", "", token or "").lower()


def recovery_digest(user: User, code: str) -> str:
    """What is stored for a recovery code: a keyed digest bound to the account (16 hex
    characters fit django-otp's token column; guessing still needs the key and the throttle)."""
    return keyring.blind_index("recovery-code", f"{user.pk}:{normalise_code(code)}")[:16]


# Verification ------------------------------------------------------------------------------


def do_verify(request: HttpRequest, user: User, token: str) -> Device | None:
    """Check a TOTP or recovery code for the logged-in user; on success mark the session as
    verified. Successes, failures and recovery-code use go to the login history and audit."""
    device = check_second_factor(request, user, token)
    if device is not None:
        django_otp.login(request, device)
    return device


def check_second_factor(request: HttpRequest, user: User, token: str) -> Device | None:
    """do_verify without the session: the device a TOTP or recovery code of *user* matches
    (throttled, recorded in the login history and audit), or None. The app's sign-in uses it
    (api/api.py), which has no session to mark."""
    token = normalise_code(token)
    device: Device | None = None
    outcome = LoginEvent.Outcome.MFA_OK
    if TOTP_PATTERN.match(token):
        totp = confirmed_totp(user)
        if totp is not None:
            device = django_otp.verify_token(user, totp.persistent_id, token)
    else:
        recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if recovery is not None:
            device = django_otp.verify_token(
                user, recovery.persistent_id, recovery_digest(user, token)
            )
            outcome = LoginEvent.Outcome.RECOVERY
    with transaction.atomic():
        if device is None:
            record("auth.mfa.verify", actor=user, request=request, outcome=Outcome.DENIED)
            record_login_event(user, LoginEvent.Outcome.MFA_FAILED, request)
            return None
        if outcome == LoginEvent.Outcome.RECOVERY:
            record(
                "auth.mfa.recovery",
                actor=user,
                request=request,
                changes={"left": recovery_codes_left(user)},
            )
        else:
            record("auth.mfa.verify", actor=user, request=request)
        record_login_event(user, outcome, request)
    return device


def check_current_totp(user: User, token: str) -> bool:
    """A fresh TOTP code, as asked again before sensitive operations (sudo mode)."""
    totp = confirmed_totp(user)
    token = normalise_code(token)
    if totp is None or not TOTP_PATTERN.match(token):
        return False
    return django_otp.verify_token(user, totp.persistent_id, token) is not None


def throttled_until(user: User) -> dt.datetime | None:
    """When the user's TOTP device accepts a code again after a run of wrong ones."""
    totp = confirmed_totp(user)
    return totp_allowed_after(totp) if totp is not None else None
