"""Login by staff number (username) or by mobile number, behind django-axes' lockout."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import BaseBackend
from django.db.models import Exists, OuterRef
from django.http import HttpRequest

from sunflower.accounts.models import STAFF_ROLES, RoleAssignment, User
from sunflower.accounts.otp import AuthenticatorDevice
from sunflower.keystore import keyring
from sunflower.lib.compiled import CompiledQuery
from sunflower.lib.validators import IdentityError, normalise_mobile

# The signed-in user of every request, with two facts the login policy needs on every request
# read in the same query (not cached across requests): whether an active staff role is held and
# whether a confirmed authenticator exists (accounts/middleware.py). Compiled once: building
# and compiling the two EXISTS cost more CPU than the query itself (docs/performance.md).
SIGNED_IN_USER: CompiledQuery[User] = CompiledQuery(
    lambda user_id: User.objects.annotate(
        holds_staff_role=Exists(
            RoleAssignment.objects.active().filter(user=OuterRef("pk"), role__in=STAFF_ROLES)
        ),
        holds_second_factor=Exists(
            AuthenticatorDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        ),
    ).filter(pk=user_id)[:1],
    user_id=User._meta.get_field("id"),
)


def find_user(identifier: str) -> User | None:
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    user = User.objects.filter(username=identifier).first()
    if user is not None:
        return user
    try:
        mobile = normalise_mobile(identifier)
    except IdentityError:
        return None
    digest = keyring.blind_index("mobile", mobile)
    return (
        User.objects.filter(mobile_index=digest).first()
        or User.objects.filter(person__mobile_index=digest).first()
    )


class IdentifierBackend(BaseBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        user = find_user(username)
        if user is None:
            # Spend the same time as a real check, so that timing does not reveal accounts.
            User().set_password(password)
            return None
        if user.check_password(password) and user.is_active:
            return user
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in user for this request, with two facts the login policy needs on every
        request read in the same query (not cached across requests): whether an active staff
        role is held and whether a confirmed authenticator exists (accounts/middleware.py)."""
        user = SIGNED_IN_USER.first(user_id=user_id)
        return user if user is not None and user.is_active else None


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked account or address (raises PermissionDenied, which Django turns into a
    failed login). Server-side calls without a request (commands, tests of the demo data) have
    no source address and nothing to count, so they pass through to the next backend."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
