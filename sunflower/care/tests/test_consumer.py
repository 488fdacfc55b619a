"""The live-alert socket: who may connect, and what an alert carries (no name, no content).

Transactional tests: the consumer runs in another thread with its own database connection,
so the cast must be committed for it to see the roles.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import connections
from django.utils import timezone

from sunflower.accounts.models import User
from sunflower.care import actions, alerts, sla
from sunflower.care.consumers import CareAlertConsumer
from sunflower.care.models import DutyShift, RiskWarning
from sunflower.orgs.models import Person

T = TypeVar("T")
PATH = "/ws/care/alerts/"


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run on a fresh loop in its own thread, then close the database connection the
    consumer's thread opened (PostgreSQL cannot drop a test database still in use)."""

    async def wrapped() -> T:
        try:
            return await coroutine
        finally:
            await database_sync_to_async(connections.close_all)()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, wrapped()).result()


def communicator(user: Any) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(CareAlertConsumer.as_asgi(), PATH)
    socket.scope["user"] = user
    return socket


@pytest.mark.django_db(transaction=True)
class CareAlertConsumerTestCase:
    def test_it_refuses_anonymous_sockets(self) -> None:
        async def run() -> tuple[bool, Any]:
            return await communicator(AnonymousUser()).connect()

        assert run_async(run()) == (False, 4401)

    def test_it_refuses_other_roles(self, counsellor: User) -> None:
        async def run() -> tuple[bool, Any]:
            return await communicator(counsellor).connect()

        assert run_async(run()) == (False, 4403)

    def test_a_record_keeper_receives_a_new_red_proposal(
        self, keeper: User, counsellor: User, subject: Person
    ) -> None:
        def raise_one() -> RiskWarning:
            return actions.do_raise_warning(counsellor, subject.pk, "red", "谈话中流露轻生念头")

        async def run() -> tuple[dict[str, Any], RiskWarning]:
            socket = communicator(keeper)
            connected, _ = await socket.connect()
            assert connected
            warning = await database_sync_to_async(raise_one)()
            message = await socket.receive_json_from(timeout=5)
            await socket.disconnect()
            return message, warning

        message, warning = run_async(run())
        assert message == {
            "type": "care.warning",
            "link": f"/console/care/warnings/{warning.pk}/",
            "tier": "red",
        }
        assert subject.name not in str(message)

    def test_an_sla_breach_reaches_the_escalation_chain(
        self, keeper: User, city_keeper: User, open_case: Callable[..., Any]
    ) -> None:
        case = open_case("red")

        async def run() -> list[dict[str, Any]]:
            socket = communicator(city_keeper)
            connected, _ = await socket.connect()
            assert connected
            later = timezone.now() + timedelta(hours=2)
            await database_sync_to_async(sla.check_service_levels)(later)
            received = [await socket.receive_json_from(timeout=5)]
            await socket.disconnect()
            return received

        assert run_async(run()) == [
            {"type": "care.escalation", "link": f"/console/care/cases/{case.pk}/", "tier": "red"}
        ]


class RecipientTestCase:
    def test_on_duty_record_keepers_get_the_alerts(
        self, keeper: User, city_keeper: User, city: Any
    ) -> None:
        now = timezone.now()
        DutyShift.objects.create(user=city_keeper, starts_at=now, ends_at=now + timedelta(hours=1))
        assert alerts.alert_recipients(city.town_a1, now) == [city_keeper]

    def test_everyone_in_scope_when_nobody_is_on_duty(
        self, keeper: User, city_keeper: User, outsider: User, city: Any
    ) -> None:
        now = timezone.now()
        DutyShift.objects.create(
            user=keeper, starts_at=now - timedelta(hours=9), ends_at=now - timedelta(hours=1)
        )
        assert set(alerts.alert_recipients(city.town_a1, now)) == {keeper, city_keeper}
