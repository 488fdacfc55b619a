"""The login history (登录记录): every login event recorded, each account sees only its own."""

import datetime as dt
from typing import Any

import time_machine
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, logged_in
from sunflower.accounts.history import record_login_event
from sunflower.accounts.models import LoginEvent, User


def login(identifier: str, password: str = PASSWORD, agent: str = "TestBrowser/1.0") -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("accounts:login"), {"username": identifier, "password": password})
    return client


class LoginRecordingTestCase:
    def test_it_records_success_failure_and_logout_with_address_and_browser(
        self, cadre: User
    ) -> None:
        login("13800000001", "Wrong-Pass-2026")
        client = login("13800000001")
        client.post(reverse("accounts:logout"))
        events = list(LoginEvent.objects.filter(user=cadre).order_by("id"))
        assert [e.outcome for e in events] == ["failed", "login", "logout"]
        assert {(e.source_ip, e.user_agent) for e in events} == {("10.1.2.3", "TestBrowser/1.0")}

    def test_it_shortens_a_long_browser_string(self, cadre: User) -> None:
        login("13800000001", agent="X" * 500)
        assert len(LoginEvent.objects.get(user=cadre).user_agent) == 200

    def test_it_records_nothing_for_an_unknown_account(self, db: None) -> None:
        login("nobody")
        assert not LoginEvent.objects.exists()


class LoginHistoryPageTestCase:
    def test_it_requires_login(self, db: None) -> None:
        response = Client().get(reverse("accounts:login-history"))
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_each_account_sees_only_its_own(self, alice: User, bob: User) -> None:
        record_login_event(alice, LoginEvent.Outcome.LOGIN, None)
        LoginEvent.objects.create(user=bob, outcome="failed", user_agent="BobBrowser/2.0")
        page = logged_in(alice).get(reverse("accounts:login-history")).content.decode()
        assert "密码登录成功" in page
        assert "BobBrowser" not in page and "密码错误" not in page

    def test_it_shows_the_latest_fifty_in_a_constant_number_of_queries(
        self, cadre: User, django_assert_max_num_queries: Any
    ) -> None:
        LoginEvent.objects.bulk_create(
            LoginEvent(user=cadre, outcome="login", user_agent=f"Agent-{n:03d}") for n in range(60)
        )
        client = logged_in(cadre)
        with django_assert_max_num_queries(8):
            page = client.get(reverse("accounts:login-history")).content.decode()
        assert page.count("<tr>") == 51  # the header and fifty rows
        assert "Agent-059" in page and "Agent-009" not in page

    def test_it_is_linked_from_the_console_and_the_portal(self, alice: User, cadre: User) -> None:
        url = reverse("accounts:login-history")
        console = logged_in(alice).get(reverse("web:console")).content.decode()
        portal_me = logged_in(cadre).get(reverse("web:portal-me")).content.decode()
        assert f'href="{url}"' in console and f'href="{url}"' in portal_me


class RetentionTestCase:
    def test_the_nightly_task_keeps_the_audit_retention_period(
        self, cadre: User, settings: Any
    ) -> None:
        from sunflower.accounts.tasks import prune_login_history

        settings.SUNFLOWER_AUDIT_RETENTION_DAYS = 200
        start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        with time_machine.travel(start, tick=False) as clock:
            old = record_login_event(cadre, LoginEvent.Outcome.LOGIN, None)
            clock.shift(dt.timedelta(days=100))
            kept = record_login_event(cadre, LoginEvent.Outcome.LOGIN, None)
            clock.shift(dt.timedelta(days=101))
            assert prune_login_history.call_local() == 1
        assert list(LoginEvent.objects.values_list("pk", flat=True)) == [kept.pk]
        assert not LoginEvent.objects.filter(pk=old.pk).exists()
