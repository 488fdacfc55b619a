"""The live-alert socket: who may connect, and what an alert carries (no name, no content).

Transactional tests: the consumer runs in another thread with its own database connection,
so the cast must be committed for it to see the roles.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

import pytest
import time_machine
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import connections
from django.test import Client
from django.utils import timezone

from conftest import plain_login, verified_login
from sunflower.accounts.models import User
from sunflower.care import actions, alerts, sla
from sunflower.care.consumers import CareAlertConsumer
from sunflower.care.models import DutyShift, RiskWarning
from sunflower.lib.live import RememberLoop
from sunflower.orgs.models import Person

T = TypeVar("T")
PATH = "/ws/care/alerts/"


def run_async(coroutine: Coroutine[Any, Any, T], *, debug: bool = False) -> T:
    """Run on a fresh loop in its own thread, then close the database connection the
    consumer's thread opened (PostgreSQL cannot drop a test database still in use). In
    debug mode the loop refuses to be touched from another thread."""

    async def wrapped() -> T:
        try:
            return await coroutine
        finally:
            await database_sync_to_async(connections.close_all)()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, wrapped(), debug=debug).result()


def communicator(user: Any, session: Any = None) -> WebsocketCommunicator:
    """A socket as channels' AuthMiddlewareStack hands it over: the user and the session."""
    socket = WebsocketCommunicator(CareAlertConsumer.as_asgi(), PATH)
    socket.scope["user"] = user
    socket.scope["session"] = session
    return socket


def signed_in(user: User, *, second_factor: bool = True) -> WebsocketCommunicator:
    """A socket of a browser that logged in (with the second factor unless told otherwise)."""
    client = verified_login(Client(), user) if second_factor else plain_login(Client(), user)
    return communicator(user, client.session)


@pytest.mark.django_db(transaction=True)
class CareAlertConsumerTestCase:
    def test_it_refuses_anonymous_sockets(self) -> None:
        async def run() -> tuple[bool, Any]:
            return await communicator(AnonymousUser()).connect()

        assert run_async(run()) == (False, 4401)

    def test_it_refuses_other_roles(self, talk_officer: User) -> None:
        socket = signed_in(talk_officer)

        async def run() -> tuple[bool, Any]:
            return await socket.connect()

        assert run_async(run()) == (False, 4403)

    def test_it_accepts_a_counsellor_who_may_be_assigned_a_case(self, counsellor: User) -> None:
        socket = signed_in(counsellor)

        async def run() -> tuple[bool, Any]:
            outcome = await socket.connect()
            await socket.disconnect()
            return outcome

        assert run_async(run())[0] is True

    def test_it_refuses_a_session_that_has_not_passed_the_second_factor(self, keeper: User) -> None:
        socket = signed_in(keeper, second_factor=False)

        async def run() -> tuple[bool, Any]:
            return await socket.connect()

        assert run_async(run()) == (False, 4401)

    def test_it_refuses_a_user_without_the_session(self, keeper: User) -> None:
        async def run() -> tuple[bool, Any]:
            return await communicator(keeper).connect()

        assert run_async(run()) == (False, 4401)

    def test_it_refuses_a_session_idle_past_the_limit(self, keeper: User) -> None:
        socket = signed_in(keeper)

        async def run() -> tuple[bool, Any]:
            return await socket.connect()

        with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
            assert run_async(run()) == (False, 4401)

    def test_it_closes_instead_of_alerting_once_the_user_logged_out(
        self, keeper: User, counsellor: User, subject: Person
    ) -> None:
        client = verified_login(Client(), keeper)
        socket = communicator(keeper, client.session)

        def log_out_then_raise() -> None:
            client.logout()
            actions.do_raise_warning(counsellor, subject.pk, "red", "谈话中流露轻生念头")

        async def run() -> dict[str, Any]:
            connected, _ = await socket.connect()
            assert connected
            await database_sync_to_async(log_out_then_raise)()
            return await socket.receive_output(timeout=5)

        assert run_async(run()) == {"type": "websocket.close", "code": 4401}

    def test_a_record_keeper_receives_a_new_red_proposal(
        self, keeper: User, counsellor: User, subject: Person
    ) -> None:
        def raise_one() -> RiskWarning:
            return actions.do_raise_warning(counsellor, subject.pk, "red", "谈话中流露轻生念头")

        socket = signed_in(keeper)

        async def run() -> tuple[dict[str, Any], RiskWarning]:
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

        socket = signed_in(city_keeper)

        async def run() -> list[dict[str, Any]]:
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

    def test_an_alert_sent_from_a_task_worker_thread_reaches_the_socket(
        self, keeper: User, city_keeper: User, open_case: Callable[..., Any]
    ) -> None:
        """The embedded server runs the task worker's threads beside its event loop: a breach
        found there is handed to the server's loop (lib/live.py), where the socket waits."""
        case = open_case("red")
        client = verified_login(Client(), city_keeper)
        socket = WebsocketCommunicator(RememberLoop(CareAlertConsumer.as_asgi()), PATH)
        socket.scope["user"] = city_keeper
        socket.scope["session"] = client.session

        def in_a_worker_thread() -> None:
            def check() -> None:
                try:
                    sla.check_service_levels(timezone.now() + timedelta(hours=2))
                finally:
                    connections.close_all()

            worker = threading.Thread(target=check, name="huey-worker", daemon=True)
            worker.start()
            worker.join(timeout=30)

        async def run() -> dict[str, Any]:
            connected, _ = await socket.connect()
            assert connected
            await asyncio.get_running_loop().run_in_executor(None, in_a_worker_thread)
            message = await socket.receive_json_from(timeout=5)
            await socket.disconnect()
            return message

        assert run_async(run(), debug=True) == {
            "type": "care.escalation",
            "link": f"/console/care/cases/{case.pk}/",
            "tier": "red",
        }


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
