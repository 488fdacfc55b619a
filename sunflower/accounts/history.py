"""The login history each account can read (登录记录): logins, failures, lockouts, second-factor
checks, logouts and timeouts, with the source address and a shortened browser string."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from sunflower.accounts.models import LoginEvent, User
from sunflower.audit.events import client_ip

SHOWN = 50
USER_AGENT_LENGTH = LoginEvent._meta.get_field("user_agent").max_length or 200


def record_login_event(user: User, outcome: str, request: HttpRequest | None) -> LoginEvent:
    agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    return LoginEvent.objects.create(
        user=user,
        outcome=outcome,
        source_ip=client_ip(request),
        user_agent=agent[:USER_AGENT_LENGTH],
    )


def recent_login_events(user: User) -> QuerySet[LoginEvent]:
    return LoginEvent.objects.filter(user=user).order_by("-occurred_at", "-id")[:SHOWN]


def prune_login_events() -> int:
    """Delete entries older than the audit trail's retention (at least six months, Cybersecurity
    Law Art. 21): the history is a security log and is kept as long, and no longer."""
    cutoff = timezone.now() - dt.timedelta(days=settings.SUNFLOWER_AUDIT_RETENTION_DAYS)
    removed, _detail = LoginEvent.objects.filter(occurred_at__lt=cutoff).delete()
    return removed
