"""Periodic assessment work: close campaigns whose window has ended."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sunflower.assessments import campaigns


@db_periodic_task(crontab(minute="*"))
def close_due_campaigns() -> int:
    return campaigns.close_due_campaigns()
