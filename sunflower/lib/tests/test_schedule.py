"""Periodic schedules are read in the city's time zone, not in huey's UTC."""

from __future__ import annotations

from datetime import datetime

from django.test import override_settings

from sunflower.lib.schedule import local_crontab


class LocalCrontabTestCase:
    def test_it_fires_at_half_past_seven_in_beijing(self) -> None:
        morning = local_crontab(hour="7", minute="30")
        # huey hands a naive UTC timestamp: 23:30 UTC is 07:30 the next day in Beijing.
        assert morning(datetime(2026, 12, 6, 23, 30)) is True  # noqa: DTZ001
        assert morning(datetime(2026, 12, 7, 7, 30)) is False  # noqa: DTZ001

    @override_settings(TIME_ZONE="Europe/Berlin")
    def test_it_follows_daylight_saving_where_the_zone_has_it(self) -> None:
        morning = local_crontab(hour="7", minute="30")
        assert morning(datetime(2026, 7, 1, 5, 30)) is True  # noqa: DTZ001  (CEST, UTC+2)
        assert morning(datetime(2026, 12, 1, 6, 30)) is True  # noqa: DTZ001  (CET, UTC+1)
        assert morning(datetime(2026, 12, 1, 5, 30)) is False  # noqa: DTZ001
