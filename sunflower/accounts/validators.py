"""Password rules beyond Django's (等保 2.0): at least three of four character classes, and none
of the last few passwords again."""

from __future__ import annotations

import string
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    classes = (
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    )
    return sum(classes)


class CharacterClassValidator:
    required = 3

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.required:
            raise ValidationError(
                _("密码需包含大写字母、小写字母、数字、符号中的至少三类"),
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码需包含大写字母、小写字母、数字、符号中的至少三类")


def remembered() -> int:
    return int(settings.SUNFLOWER_PASSWORD_HISTORY)


class PasswordHistoryValidator:
    """Refuse the user's last SUNFLOWER_PASSWORD_HISTORY passwords: the current one and the
    previous ones kept in PasswordHistory.

    User.set_password() notes the hash it replaces; Django calls password_changed() from
    User.save() right after, which files that hash, so every password set through the model
    is remembered.
    """

    def recent_hashes(self, user: Any) -> list[str]:
        from sunflower.accounts.models import PasswordHistory

        previous = PasswordHistory.objects.filter(user=user).values_list("password", flat=True)
        return [h for h in (user.password, *previous[: remembered() - 1]) if h]

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        for encoded in self.recent_hashes(user):
            if check_password(password, encoded):
                raise ValidationError(
                    _("不能使用最近%(count)d次用过的密码") % {"count": remembered()},
                    code="password_reused",
                )

    def password_changed(self, password: str, user: Any = None) -> None:
        from sunflower.accounts.models import PasswordHistory

        replaced = user.__dict__.pop("_replaced_password", "") if user is not None else ""
        if user is None or user.pk is None or not replaced or replaced == user.password:
            return
        PasswordHistory.objects.create(user=user, password=replaced)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[
            max(remembered() - 1, 0) :
        ]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self) -> str:
        return _("不能使用最近%(count)d次用过的密码") % {"count": remembered()}
