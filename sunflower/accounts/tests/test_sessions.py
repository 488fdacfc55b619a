"""Session timeouts: idle staff 15 minutes, idle cadres 30, any session 8 hours."""

import datetime as dt
from typing import Any

import time_machine
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, logged_in
from sunflower.accounts.models import LoginEvent, User

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
IDLE = "因长时间未操作，已安全退出，请重新登录"


def signed_out(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )


class IdleTimeoutTestCase:
    def test_staff_are_signed_out_after_fifteen_idle_minutes(self, alice: User) -> None:
        console = reverse("web:console")
        with time_machine.travel(START, tick=False) as clock:
            client = logged_in(alice)
            clock.shift(dt.timedelta(minutes=14))
            assert client.get(console).status_code == 200
            # Activity restarts the idle clock.
            clock.shift(dt.timedelta(minutes=14))
            assert client.get(console).status_code == 200
            clock.shift(dt.timedelta(minutes=15, seconds=1))
            response = client.get(console)
            assert signed_out(response)
            assert response["Location"] == f"{reverse('accounts:login')}?next=%2Fconsole%2F"
            page = client.get(response["Location"])
            assert IDLE in page.content.decode()
            assert client.get(console).status_code == 302
        assert LoginEvent.objects.filter(user=alice, outcome="timeout").count() == 1

    def test_cadres_have_thirty_idle_minutes(self, cadre: User) -> None:
        portal = reverse("web:portal")
        with time_machine.travel(START, tick=False) as clock:
            client = logged_in(cadre)
            clock.shift(dt.timedelta(minutes=29))
            assert client.get(portal).status_code == 200
            clock.shift(dt.timedelta(minutes=30, seconds=1))
            assert signed_out(client.get(portal))

    def test_a_staff_member_who_is_also_a_cadre_gets_the_shorter_limit(
        self, alice: User, make_person: Any
    ) -> None:
        alice.person = make_person()
        alice.save()
        with time_machine.travel(START, tick=False) as clock:
            client = logged_in(alice)
            clock.shift(dt.timedelta(minutes=16))
            assert signed_out(client.get(reverse("web:portal")))

    def test_the_limits_are_configurable(self, alice: User, settings: Any) -> None:
        settings.SUNFLOWER_IDLE_MINUTES_STAFF = 5
        with time_machine.travel(START, tick=False) as clock:
            client = logged_in(alice)
            clock.shift(dt.timedelta(minutes=5, seconds=1))
            assert signed_out(client.get(reverse("web:console")))

    def test_htmx_requests_are_told_to_load_the_login_page(self, alice: User) -> None:
        with time_machine.travel(START, tick=False) as clock:
            client = logged_in(alice)
            clock.shift(dt.timedelta(minutes=20))
            response = client.get(reverse("web:console"), HTTP_HX_REQUEST="true")
        assert response.status_code == 204
        assert response["HX-Redirect"].startswith(reverse("accounts:login"))


class SessionLifetimeTestCase:
    def test_any_session_ends_after_eight_hours_even_when_busy(self, cadre: User) -> None:
        portal = reverse("web:portal")
        with time_machine.travel(START, tick=False) as clock:
            client = logged_in(cadre)
            for _ in range(47):
                clock.shift(dt.timedelta(minutes=10))
                assert client.get(portal).status_code == 200
            clock.shift(dt.timedelta(minutes=10, seconds=1))  # 8 hours and a second
            response = client.get(portal)
            assert signed_out(response)
            page = client.get(response["Location"])
            assert "登录已超过8小时，为安全起见，请重新登录" in page.content.decode()

    def test_a_real_login_starts_the_idle_clock(self, cadre: User) -> None:
        with time_machine.travel(START, tick=False) as clock:
            client = Client()
            client.post(
                reverse("accounts:login"), {"username": "13800000001", "password": PASSWORD}
            )
            clock.shift(dt.timedelta(minutes=25))
            assert client.get(reverse("web:portal")).status_code == 200
            clock.shift(dt.timedelta(minutes=31))
            assert signed_out(client.get(reverse("web:portal")))

    def test_the_cookie_lasts_no_longer_than_the_session(self, settings: Any) -> None:
        assert settings.SESSION_COOKIE_AGE <= settings.SUNFLOWER_SESSION_MAX_HOURS * 3600
