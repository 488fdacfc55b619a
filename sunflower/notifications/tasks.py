"""Background delivery of notifications (ADR 2 for the queue, ADR 12 for the design)."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from sunflower.notifications import delivery

RETRIES = 3
RETRY_DELAY = 60  # seconds, doubled each time (retry_backoff)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY, retry_backoff=2, context=True)
def deliver(delivery_id: int, task: Any = None) -> str:
    # On the last try a failure is final: the row says "failed" instead of "queued".
    final = task is None or not task.retries
    return delivery.attempt(delivery_id, final=final)


@db_periodic_task(crontab(minute="*/10"))
def requeue_stale_deliveries() -> int:
    ids = delivery.stale_deliveries()
    delivery.enqueue(ids)
    return len(ids)
