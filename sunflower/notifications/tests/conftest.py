from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings
from huey.contrib.djhuey import HUEY

from sunflower.notifications.tests.gateway import Gateway, running_gateway


@pytest.fixture(autouse=True)
def empty_queue() -> Iterator[None]:
    """Retries wait in the (in-memory, immediate-mode) schedule: start and end with none."""
    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()


@pytest.fixture
def sms_gateway() -> Iterator[Gateway]:
    with (
        running_gateway() as gateway,
        override_settings(
            SUNFLOWER_SMS_URL=gateway.url,
            SUNFLOWER_SMS_TOKEN="test-token",
        ),
    ):
        yield gateway
