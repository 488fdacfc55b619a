"""Periodic care work: check the crisis service levels every minute (sla.py, ADR 13)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sunflower.care import sla


@db_periodic_task(crontab(minute="*"))
def check_care_service_levels() -> int:
    return len(sla.check_service_levels(timezone.now()))
