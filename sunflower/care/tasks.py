"""Periodic care work: check the crisis service levels every minute (sla.py, ADR 13) and remind
the responsible people of overdue key-attention plans every morning at 7:30, the city's time
(attention.py)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sunflower.care import attention, sla
from sunflower.lib.schedule import local_crontab


@db_periodic_task(crontab(minute="*"))
def check_care_service_levels() -> int:
    return len(sla.check_service_levels(timezone.now()))


@db_periodic_task(local_crontab(hour="7", minute="30"))
def remind_overdue_key_attention() -> int:
    return attention.send_overdue_reminders(timezone.now())
