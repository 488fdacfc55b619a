"""Sending notifications: the one entry point for every app.

    from sunflower.notifications.api import notify, notify_once

    notify([keeper], "care.warning", link=f"/console/care/warnings/{warning.pk}/")
    notify_once([cadre_user], "campaign.reminder", key=f"campaign:{campaign.pk}", text=...)

Call it inside the transaction that makes the news: the inbox messages are written in that
transaction, and delivery to e-mail, SMS and WeChat is enqueued only after it commits
(`transaction.on_commit`), one Huey task per channel, retried and recorded in `Delivery`.
A sensitive kind (kinds.register_kind) carries the neutral sentence on every channel and its
`text` is ignored; a non-sensitive kind may carry `text`, which must still hold no health data.
`link` is a path inside the platform, opened after login with the usual access checks.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme

from sunflower.accounts.models import User
from sunflower.notifications import delivery
from sunflower.notifications.inbox import forget_unread_counts
from sunflower.notifications.kinds import NEUTRAL_TEXT, Kind, get_kind
from sunflower.notifications.models import Delivery, Message

MAX_TEXT = 500
MAX_LINK = 300


def notify(
    recipients: Iterable[User],
    kind: str,
    *,
    link: str = "",
    text: str | Promise | None = None,
) -> list[Message]:
    """One inbox message per recipient (duplicates collapsed), delivered after commit."""
    spec = get_kind(kind)
    messages = [
        Message(recipient=user, kind=spec.name, text=_text(spec, text), link=_link(link))
        for user in _distinct(recipients)
    ]
    Message.objects.bulk_create(messages)
    _queue_deliveries(messages)
    return messages


def notify_once(
    recipients: Iterable[User],
    kind: str,
    *,
    key: str,
    link: str = "",
    text: str | Promise | None = None,
) -> list[Message]:
    """Like notify, but skip recipients who already have a message of this kind and key.

    Safe to call repeatedly and concurrently (a unique constraint decides); returns only the
    messages created by this call.
    """
    if not key or len(key) > 100:
        raise ValueError("notify_once needs a key of 1 to 100 characters")
    spec = get_kind(kind)
    users = _distinct(recipients)
    already = set(
        Message.objects.filter(
            kind=spec.name, dedupe_key=key, recipient__in=[u.pk for u in users]
        ).values_list("recipient_id", flat=True)
    )
    candidates = [
        Message(
            recipient=user,
            kind=spec.name,
            text=_text(spec, text),
            link=_link(link),
            dedupe_key=key,
        )
        for user in users
        if user.pk not in already
    ]
    if not candidates:
        return []
    # A concurrent call may have inserted some meanwhile: those rows are skipped, and only
    # the messages that really went in get deliveries.
    Message.objects.bulk_create(candidates, ignore_conflicts=True)
    inserted = set(
        Message.objects.filter(pk__in=[m.pk for m in candidates]).values_list("pk", flat=True)
    )
    messages = [m for m in candidates if m.pk in inserted]
    _queue_deliveries(messages)
    return messages


def _distinct(recipients: Iterable[User]) -> list[User]:
    seen: dict[object, User] = {}
    for user in recipients:
        seen.setdefault(user.pk, user)
    return list(seen.values())


def _text(spec: Kind, text: str | Promise | None) -> str:
    if spec.sensitive or text is None or not str(text).strip():
        return str(NEUTRAL_TEXT)
    value = str(text).strip()
    if len(value) > MAX_TEXT:
        raise ValueError(f"a notification text is at most {MAX_TEXT} characters")
    return value


def _link(link: str) -> str:
    """A path on this site ("/m/..."), or nothing. Anything else is a programming error."""
    if not link:
        return ""
    if (
        len(link) > MAX_LINK
        or not link.startswith("/")
        or link.startswith("//")
        or not url_has_allowed_host_and_scheme(link, allowed_hosts=None)
    ):
        raise ValueError("a notification link must be a relative path inside the platform")
    return link


def _queue_deliveries(messages: list[Message]) -> None:
    if messages:
        recipients = {m.recipient_id for m in messages}
        transaction.on_commit(lambda: forget_unread_counts(recipients))
    rows = delivery.plan_deliveries(messages)
    if not rows:
        return
    Delivery.objects.bulk_create(rows)
    planned = Delivery.objects.filter(message__in=[m.pk for m in messages])
    ids = list(planned.values_list("pk", flat=True))
    transaction.on_commit(lambda: delivery.enqueue(ids))
