"""Periodic task schedules read in the city's time zone.

huey evaluates a crontab against a naive UTC timestamp (its default, utc=True), so
crontab(hour="7", minute="30") would fire at 15:30 in Beijing. local_crontab reads the same
fields in settings.TIME_ZONE instead, daylight saving included where the zone has it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from django.utils import timezone
from huey import crontab


def local_crontab(**fields: str) -> Callable[[datetime], bool]:
    """huey's crontab(**fields), matched against the local time of settings.TIME_ZONE."""
    matches = crontab(**fields)

    def validate(timestamp: datetime) -> bool:
        aware = timestamp.replace(tzinfo=UTC) if timestamp.tzinfo is None else timestamp
        local = aware.astimezone(timezone.get_default_timezone()).replace(tzinfo=None)
        return bool(matches(local))

    return validate
