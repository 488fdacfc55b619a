"""Delivering inbox messages to e-mail, SMS and WeChat, one Delivery row per channel.

Deliveries are planned with the message (in the caller's transaction) for each channel that is
configured, that the user has not turned off and for which they have an address; the Huey task
`tasks.deliver` then runs `attempt` for each after commit. An attempt counts itself before it
sends, so a worker that dies mid-send still leaves a trace; a delivery already sent is never
sent again, so a retried or duplicated task is harmless. Sending is at least once: a crash
between the provider's acceptance and the row's update would send a second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from sunflower.accounts.models import User
from sunflower.notifications.adapters import AdapterError, adapter_for
from sunflower.notifications.models import (
    Channel,
    ChannelPreference,
    Delivery,
    DeliveryStatus,
    Message,
)


class UndeliverableError(Exception):
    """The channel cannot be used for this user any more: no retry helps."""


def preference_for(user: User) -> ChannelPreference:
    """The user's preference, unsaved defaults when they never chose."""
    found = ChannelPreference.objects.filter(user=user).first()
    return found or ChannelPreference(user=user)


def address_for(user: User, channel: str, preference: ChannelPreference) -> str:
    """Where *channel* reaches *user*, or "" when it does not or they turned it off."""
    if not user.is_active:
        return ""
    if channel == Channel.EMAIL:
        return preference.email if preference.email_enabled and preference.email else ""
    if channel == Channel.SMS:
        if not preference.sms_enabled:
            return ""
        # A cadre's mobile is the roster's (T1, decrypted by the field); staff have their own.
        person = user.person if user.person_id is not None else None
        return (person.mobile if person is not None else user.mobile) or ""
    if channel == Channel.WECHAT:
        return preference.wechat_openid if preference.wechat_enabled else ""
    raise ValueError(f"no such channel: {channel!r}")


def plan_deliveries(messages: Iterable[Message]) -> list[Delivery]:
    """Unsaved Delivery rows for every configured channel each recipient can be reached on."""
    messages = list(messages)
    channels = [c for c in Channel.values if adapter_for(c) is not None]
    if not channels or not messages:
        return []
    user_ids = {m.recipient_id for m in messages}
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids).select_related("person")}
    preferences = {p.user_id: p for p in ChannelPreference.objects.filter(user_id__in=user_ids)}
    rows = []
    for message in messages:
        user = users[message.recipient_id]
        preference = preferences.get(user.pk) or ChannelPreference(user=user)
        for channel in channels:
            if address_for(user, channel, preference):
                rows.append(Delivery(message=message, channel=channel))
    return rows


def enqueue(delivery_ids: Iterable[int]) -> None:
    from sunflower.notifications.tasks import deliver

    for delivery_id in delivery_ids:
        deliver(delivery_id)


def attempt(delivery_id: int, *, final: bool) -> str:
    """Try one delivery once; raise AdapterError for the task to retry unless *final*.

    Returns the resulting status.
    """
    with transaction.atomic():
        found = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("message__recipient__person")
            .filter(pk=delivery_id)
            .first()
        )
        if found is None or found.status != DeliveryStatus.QUEUED:
            return found.status if found is not None else ""
        found.attempts += 1
        found.save(update_fields=["attempts"])
    item = found
    user = item.message.recipient
    try:
        address = address_for(user, item.channel, preference_for(user))
        adapter = adapter_for(item.channel)
        if not address or adapter is None:
            raise UndeliverableError("channel off or no address")
        try:
            adapter.send(address, item.message.text)
        except AdapterError:
            raise
        except Exception as exc:  # a vendor adapter's own error: keep its class name only
            raise AdapterError(type(exc).__name__) from None
    except UndeliverableError as exc:
        _finish(item, DeliveryStatus.FAILED, str(exc))
        return item.status
    except AdapterError as exc:
        _finish(item, DeliveryStatus.FAILED if final else DeliveryStatus.QUEUED, str(exc))
        raise
    _finish(item, DeliveryStatus.SENT, "")
    return item.status


def _finish(item: Delivery, status: str, error: str) -> None:
    item.status = status
    item.last_error = error[:200]
    fields = ["status", "last_error"]
    if status == DeliveryStatus.SENT:
        item.sent_at = timezone.now()
        fields.append("sent_at")
    item.save(update_fields=fields)


def stale_deliveries(older_than_minutes: int = 15) -> list[int]:
    """Queued deliveries never attempted: their task was lost (a worker or Redis restart)."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    return list(
        Delivery.objects.filter(
            status=DeliveryStatus.QUEUED, attempts=0, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    )
