"""The shell: who lands where, who may open which section, and the health check."""

import asyncio
import json
import logging
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from conftest import logged_in
from sunflower.accounts.models import User
from sunflower.web.consumers import PingConsumer

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a fresh loop in its own thread: Playwright's sync API may have left
    an event loop in this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


PORTAL = [
    "web:portal",
    "web:portal-assessments",
    "web:portal-learn",
    "web:portal-services",
    "web:portal-me",
]


class PortalTestCase:
    @pytest.mark.parametrize("name", PORTAL)
    def test_it_serves_cadres_in_chinese(self, name: str, cadre: User) -> None:
        response = logged_in(cadre).get(reverse(name))
        assert response.status_code == 200
        assert '<html lang="zh-hans"' in response.content.decode()

    @pytest.mark.parametrize("name", PORTAL)
    def test_it_forbids_staff_without_a_roster_person(self, name: str, alice: User) -> None:
        assert logged_in(alice).get(reverse(name)).status_code == 403

    def test_it_always_shows_the_hotline_on_home(self, cadre: User) -> None:
        assert "12356" in logged_in(cadre).get(reverse("web:portal")).content.decode()

    def test_me_shows_the_cadres_own_unit(self, cadre: User) -> None:
        body = logged_in(cadre).get(reverse("web:portal-me")).content.decode()
        assert "东港区海滨街道" in body


class ConsoleTestCase:
    def test_it_forbids_cadres(self, cadre: User) -> None:
        assert logged_in(cadre).get(reverse("web:console")).status_code == 403

    def test_it_shows_roster_navigation_to_liaisons(self, alice: User) -> None:
        body = logged_in(alice).get(reverse("web:console")).content.decode()
        assert reverse("orgs:person-list") in body

    def test_it_redirects_anonymous_visitors_to_login(self, db: None) -> None:
        response = Client().get(reverse("web:home"))
        assert response["Location"].startswith(reverse("accounts:login"))


class HealthTestCase:
    def test_it_reports_the_database(self, db: None) -> None:
        response = Client().get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}


class RequestLogTestCase:
    def test_it_logs_the_route_not_the_url_or_person(
        self, alice: User, caplog: pytest.LogCaptureFixture, make_person: object
    ) -> None:
        person = make_person()  # type: ignore[operator]
        with caplog.at_level(logging.INFO, logger="sunflower.request"):
            logged_in(alice).get(reverse("orgs:person-edit", args=[person.pk]))
        record = next(r for r in caplog.records if r.name == "sunflower.request")
        assert record.route == "console/roster/<uuid:person_id>/"  # type: ignore[attr-defined]
        assert str(person.pk) not in json.dumps(record.__dict__, default=str)

    def test_the_redact_filter_masks_id_numbers_and_mobiles(self) -> None:
        from sunflower.lib.logging import redact

        text = redact("id 11010519491231002X phone 13800138000 ok")
        assert text == "id [id-number] phone [mobile] ok"


class WebSocketTestCase:
    def test_it_refuses_anonymous_sockets(self) -> None:
        async def run() -> tuple[bool, int | None]:
            communicator = WebsocketCommunicator(PingConsumer.as_asgi(), "/ws/ping/")
            communicator.scope["user"] = AnonymousUser()
            connected, code = await communicator.connect()
            return connected, code

        connected, code = run_async(run())
        assert not connected
        assert code == 4401

    def test_it_answers_a_ping(self, alice: User) -> None:
        async def run() -> dict[str, object]:
            communicator = WebsocketCommunicator(PingConsumer.as_asgi(), "/ws/ping/")
            communicator.scope["user"] = alice
            connected, _ = await communicator.connect()
            assert connected
            await communicator.send_json_to({"ping": 7})
            reply = await communicator.receive_json_from()
            await communicator.disconnect()
            return reply

        assert run_async(run()) == {"type": "pong", "echo": 7}
