"""Overdue reminders for the key-attention list (issue 5 item 5).

A Huey periodic task (tasks.py) calls send_overdue_reminders(now) once a day with an explicit
time, so that tests drive the clock. For each active entry, each of its clocks that has run
out — the next talk or visit under the plan, or the review date — tells the responsible person
once per period: the message's dedupe key names the entry, the clock and the due time, so a
new talk starts a new period and running the task again sends nothing. The message is of a
sensitive kind: no name, no reason, only "you have a new message" and a link to the entry.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.urls import reverse

from sunflower.audit.events import record
from sunflower.care.access_talks import PlanDue, plan_dues
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
    sent = 0
    for entry in entries:
        due = dues[entry.pk]
        for what in due.overdue(now):
            with transaction.atomic():
                messages = notify_once(
                    [entry.responsible],
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
                        changes={"clock": what, "recipient": str(entry.responsible_id)},
                    )
            sent += len(messages)
    return sent
