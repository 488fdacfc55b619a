"""Periodic audit work: seal appended entries into the chain, apply the retention period."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sunflower.audit import chain
from sunflower.lib.schedule import local_crontab


@db_periodic_task(crontab(minute="*"))
def seal_audit_chain() -> int:
    return chain.seal_all()


@db_periodic_task(local_crontab(hour="3", minute="17"))
def prune_audit_trail() -> int:
    chain.seal_all()
    return chain.prune()
