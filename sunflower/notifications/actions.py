"""Changing a user's own channel preferences (audited: the e-mail address is T1)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from sunflower.accounts.models import User
from sunflower.audit.events import changed_fields, record
from sunflower.notifications.models import ChannelPreference

PREFERENCE_FIELDS = ("email", "email_enabled", "sms_enabled", "wechat_enabled")


def do_save_preferences(
    user: User,
    *,
    email: str,
    email_enabled: bool,
    sms_enabled: bool,
    wechat_enabled: bool,
    request: HttpRequest | None = None,
) -> ChannelPreference:
    with transaction.atomic():
        preference, _created = ChannelPreference.objects.select_for_update().get_or_create(
            user=user
        )
        before = {name: getattr(preference, name) for name in PREFERENCE_FIELDS}
        preference.email = email.strip()
        preference.email_enabled = email_enabled
        preference.sms_enabled = sms_enabled
        preference.wechat_enabled = wechat_enabled
        preference.save()
        after = {name: getattr(preference, name) for name in PREFERENCE_FIELDS}
        record(
            "notifications.preferences",
            actor=user,
            target=preference,
            request=request,
            changes=changed_fields(before, after),
        )
    return preference
