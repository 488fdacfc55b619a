"""Periodic assessment work: close campaigns whose window has ended, send their reminders."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sunflower.assessments import campaigns, reminders


@db_periodic_task(crontab(minute="*"))
def close_due_campaigns() -> int:
    return campaigns.close_due_campaigns()


@db_periodic_task(crontab(minute="7"))
def send_campaign_reminders() -> int:
    return reminders.send_due_reminders()
