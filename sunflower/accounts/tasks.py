"""Periodic account work: keep the login history as long as the audit trail, and no longer."""

from __future__ import annotations

from huey.contrib.djhuey import db_periodic_task

from sunflower.accounts.history import prune_login_events
from sunflower.lib.schedule import local_crontab


@db_periodic_task(local_crontab(hour="3", minute="27"))
def prune_login_history() -> int:
    return prune_login_events()
