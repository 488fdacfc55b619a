"""Periodic training work: reminders of the half-yearly requirement."""

from __future__ import annotations

from huey.contrib.djhuey import db_periodic_task

from sunflower.lib.schedule import local_crontab
from sunflower.training import compliance


@db_periodic_task(local_crontab(hour="9", minute="13"))
def send_training_reminders() -> int:
    return compliance.send_reminders()
