"""Reading and marking a user's own inbox, and the unread count shown in both navigations.

Messages hold no T2 data (sensitive kinds carry the neutral sentence), so they are read here
directly; a user only ever reaches their own, and another user's message answers 404 like a
missing one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db.models import Case, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from sunflower.accounts.models import User
from sunflower.notifications.models import Message

UNREAD_CACHE_SECONDS = 300


def _cache_key(user_id: Any) -> str:
    return f"sf:notifications:unread:{user_id}"


def unread_count(user: User) -> int:
    """The user's unread messages, cached so that ordinary pages cost no query."""
    key = _cache_key(user.pk)
    count: int | None = cache.get(key)
    if count is None:
        count = Message.objects.filter(recipient=user).unread().count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def forget_unread_counts(user_ids: Iterable[Any]) -> None:
    cache.delete_many([_cache_key(user_id) for user_id in user_ids])


def messages_for(user: User) -> QuerySet[Message]:
    """The user's messages, unread first, newest first within each."""
    return (
        Message.objects.filter(recipient=user)
        .alias(read_order=Case(When(read_at__isnull=True, then=Value(0)), default=Value(1)))
        .order_by("read_order", "-created_at", "-pk")
    )


def get_own_message(user: User, message_id: Any) -> Message:
    found = Message.objects.filter(recipient=user, pk=message_id).first()
    if found is None:
        raise Http404
    return found


def do_mark_read(user: User, message: Message) -> None:
    if message.recipient_id != user.pk:
        raise Http404
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
        forget_unread_counts([user.pk])


def do_mark_all_read(user: User) -> int:
    changed = Message.objects.filter(recipient=user).unread().update(read_at=timezone.now())
    forget_unread_counts([user.pk])
    return changed


def inbox_url(user: User) -> str:
    return reverse("notifications:console-inbox" if user.is_staff_member else "notifications:inbox")


def safe_link(link: str, host: str, secure: bool) -> bool:
    """A message's link is followed only if it stays on this site (checked again on the way
    out, whatever notify accepted)."""
    return (
        bool(link)
        and link.startswith("/")
        and url_has_allowed_host_and_scheme(link, allowed_hosts={host}, require_https=secure)
    )
