"""Issuing, checking and revoking the app's access tokens (models.ApiToken).

A token is `sf_` and 43 random URL-safe characters (256 bits); the database keeps its SHA-256
digest only, so a copy of the database does not sign anybody in. Every request checks the
token, its lifetime, the account and the password date in one compiled read (lib/compiled.py),
the way the pages' session read works; the last use is written at most every few minutes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from sunflower.accounts.models import STAFF_ROLES, RoleAssignment, User
from sunflower.api.models import ApiToken
from sunflower.lib.compiled import CompiledQuery

PREFIX = "sf_"
# The last use is written at most this often: the idle limit is a day, not a minute.
USE_PRECISION = dt.timedelta(minutes=5)

_LIVE: CompiledQuery[ApiToken] = CompiledQuery(
    lambda digest, now: (
        ApiToken.objects.select_related("user")
        .annotate(
            holds_staff_role=Exists(
                RoleAssignment.objects.active().filter(user=OuterRef("user"), role__in=STAFF_ROLES)
            )
        )
        .filter(digest=digest, revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)[
            :1
        ]
    ),
    digest=ApiToken._meta.get_field("digest"),
    now=ApiToken._meta.get_field("expires_at"),
)


@dataclass(frozen=True)
class Issued:
    token: str  # shown once, never stored
    row: ApiToken


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings.SUNFLOWER_API_TOKEN_HOURS)


def idle_limit() -> dt.timedelta:
    return dt.timedelta(hours=settings.SUNFLOWER_API_TOKEN_IDLE_HOURS)


def issue(user: User, device: str = "") -> Issued:
    token = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    row = ApiToken.objects.create(
        user=user,
        digest=digest_of(token),
        device=device.strip()[:64],
        created_at=now,
        expires_at=now + lifetime(),
        last_used_at=now,
    )
    return Issued(token, row)


def user_for(token: str) -> tuple[User, ApiToken] | None:
    """The account a live token signs in, and the token's row; None for any other token."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    now = timezone.now()
    row = _LIVE.first(digest=digest_of(token), now=now)
    if row is None:
        return None
    user = row.user
    user.holds_staff_role = row.holds_staff_role  # type: ignore[attr-defined]
    if now - row.last_used_at > idle_limit():
        return None
    if user.password_changed_at is not None and row.created_at < user.password_changed_at:
        return None  # a new password signs every device out
    if now - row.last_used_at >= USE_PRECISION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return user, row


def revoke(row: ApiToken) -> None:
    ApiToken.objects.filter(pk=row.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
