"""Overdue reminders for the key-attention list (issue 5 item 5).

A Huey periodic task (tasks.py) calls send_overdue_reminders(now) once a day with an explicit
time, so that tests drive the clock. For each active entry, each of its clocks that has run
out — the next talk or visit under the plan, or the review date — tells the responsible person
once per period: the message's dedupe key names the entry, the clock and the due time, so a
new talk starts a new period and running the task again sends nothing. An overdue talk or
visit also tells the talk officer assigned to the cadre today, who holds the talks (issue 5
item 6), when that is someone other than the responsible person. The message is of a
sensitive kind: no name, no reason, only "you have a new message" and a link to the entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sunflower.accounts.models import User
from sunflower.audit.events import record
from sunflower.care.access_talks import PlanDue, active_assignments, plan_dues
from sunflower.care.models_talks import AttentionStatus, KeyAttention
from sunflower.notifications.api import notify_once

KINDS = {"talk": "talk.overdue", "visit": "talk.overdue", "review": "care.attention_review"}


def reminder_key(entry: KeyAttention, what: str, due: PlanDue) -> str:
    if what == "talk":
        when = f"{due.talk_due:%Y%m%d%H%M}"
    elif what == "visit" and due.visit_due is not None:
        when = f"{due.visit_due:%Y%m%d%H%M}"
    else:
        when = f"{due.review_on:%Y%m%d}"
    return f"attention:{entry.pk}:{what}:{when}"


def send_overdue_reminders(now: datetime) -> int:
    """Remind the responsible person of every clock overdue at *now*; the messages sent."""
    entries = list(
        KeyAttention.objects.filter(status=AttentionStatus.ACTIVE, responsible__is_active=True)
        .select_related("responsible")
        .defer("reasons", "exit_reason")
    )
    dues = plan_dues(entries)
    officers = _officers_of([entry.person_id for entry in entries], now)
    sent = 0
    for entry in entries:
        due = dues[entry.pk]
        for what in due.overdue(now):
            told = [entry.responsible]
            if what in ("talk", "visit"):
                told += officers.get(entry.person_id, [])
            with transaction.atomic():
                messages = notify_once(
                    told,
                    KINDS[what],
                    key=reminder_key(entry, what, due),
                    link=reverse("care:attention-detail", args=[entry.pk]),
                )
                if messages:
                    record(
                        "attention.overdue_reminder",
                        actor_role="system",
                        target=entry,
                        scope_unit_id=entry.unit_id,
                        changes={
                            "clock": what,
                            "recipients": sorted(str(m.recipient_id) for m in messages),
                        },
                    )
            sent += len(messages)
    return sent


def _officers_of(person_ids: list[Any], now: datetime) -> dict[Any, list[User]]:
    """The active talk officers assigned to each person on the local day of *now*."""
    found: dict[Any, list[User]] = {}
    assignments = (
        active_assignments(timezone.localdate(now))
        .filter(person_id__in=person_ids, talk_officer__is_active=True)
        .select_related("talk_officer")
    )
    for assignment in assignments:
        found.setdefault(assignment.person_id, []).append(assignment.talk_officer)
    return found
