"""Live alerts to record keepers' browsers over WebSocket (consumers.CareAlertConsumer).

An alert says only what happened, how urgent and where to look: {type, link, tier}. No name,
no content (DESIGN.md §4 rule 9). It goes to one channel-layer group per user, after the
transaction that caused it commits.

Who gets a proposal alert: the record keepers whose scope holds the unit and who are on duty
now (DutyShift); when nobody in scope is on duty, every record keeper in scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from sunflower.accounts.models import Role, RoleAssignment, User
from sunflower.care.models import DutyShift
from sunflower.lib import live
from sunflower.orgs.models import Unit

PROPOSAL = "care.warning"
SLA_BREACH = "care.sla_breach"
ESCALATION = "care.escalation"
# Who may hold the alert socket: record keepers, and counsellors, who may be assigned a case.
ALERT_ROLES = (Role.RECORD_KEEPER, Role.COUNSELLOR)


def group_name(user_id: Any) -> str:
    return f"care-alerts-{str(user_id).replace('-', '')}"


def keepers_holding(unit: Unit) -> list[User]:
    """Active record keepers whose scope holds *unit* (a grant on it or an ancestor)."""
    ancestors = [int(part) for part in unit.path.strip("/").split("/") if part]
    user_ids = (
        RoleAssignment.objects.active()
        .filter(role=Role.RECORD_KEEPER, unit_id__in=ancestors, user__is_active=True)
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=user_ids).order_by("username"))


def on_duty(users: Iterable[User], now: datetime | None = None) -> list[User]:
    now = now or timezone.now()
    users = list(users)
    ids = set(
        DutyShift.objects.filter(
            user__in=[u.pk for u in users], starts_at__lte=now, ends_at__gt=now
        ).values_list("user_id", flat=True)
    )
    return [u for u in users if u.pk in ids]


def alert_recipients(unit: Unit, now: datetime | None = None) -> list[User]:
    keepers = keepers_holding(unit)
    return on_duty(keepers, now) or keepers


def send_alert(users: Iterable[User], kind: str, link: str, tier: str) -> None:
    """Queue {type, link, tier} to each user's browser once the transaction commits."""
    groups = [group_name(user.pk) for user in users]
    message = {"type": "care.alert", "kind": kind, "link": link, "tier": tier}

    def send() -> None:
        live.group_send(groups, message)

    # robust: an unreachable channel layer must not undo or fail the committed change; the
    # notification in the inbox is the durable copy of the alert.
    transaction.on_commit(send, robust=True)
