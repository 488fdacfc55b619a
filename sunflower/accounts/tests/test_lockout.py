"""Lockout (django-axes): five failures lock for ten minutes, by account and by address."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from asgiref.sync import async_to_sync
from axes.models import AccessAttempt
from django.test import AsyncClient, Client
from django.urls import reverse

from conftest import PASSWORD, logged_in
from sunflower.accounts.models import LoginEvent, User
from sunflower.audit.models import AuditEvent

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
WRONG = "Wrong-Pass-2026"
LOCKED = "登录失败次数过多，账号已临时锁定"


def attempt(identifier: str, password: str = WRONG, ip: str = "10.0.0.1") -> Any:
    return Client().post(
        reverse("accounts:login"),
        {"username": identifier, "password": password},
        REMOTE_ADDR=ip,
    )


def fail(times: int, identifier: str, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        assert attempt(identifier, ip=ip).status_code == 200


class LockoutTestCase:
    def test_the_fifth_failure_locks_the_account_for_ten_minutes(self, alice: User) -> None:
        with time_machine.travel(START, tick=False) as clock:
            fail(4, "alice")
            response = attempt("alice")
            assert response.status_code == 429
            assert f"{LOCKED}，请10分钟后再试。" in response.content.decode()
            # The right password is refused too while the lock lasts.
            assert attempt("alice", PASSWORD).status_code == 429
            clock.shift(dt.timedelta(minutes=9, seconds=30))
            response = attempt("alice", PASSWORD)
            assert response.status_code == 429
            assert "请1分钟后再试" in response.content.decode()
            clock.shift(dt.timedelta(seconds=31))
            assert attempt("alice", PASSWORD).status_code == 302

    def test_four_failures_do_not_lock(self, alice: User) -> None:
        with time_machine.travel(START, tick=False):
            fail(4, "alice")
            assert attempt("alice", PASSWORD).status_code == 302

    def test_tries_while_locked_do_not_extend_the_lock(self, alice: User) -> None:
        with time_machine.travel(START, tick=False) as clock:
            fail(4, "alice")
            attempt("alice")
            clock.shift(dt.timedelta(minutes=8))
            assert attempt("alice").status_code == 429
            clock.shift(dt.timedelta(minutes=2, seconds=1))
            assert attempt("alice", PASSWORD).status_code == 302

    def test_the_count_follows_the_account_whichever_identifier_is_typed(self, alice: User) -> None:
        alice.mobile = "13600001111"
        alice.save()
        spellings = ["alice", "13600001111", "136 0000 1111", "+86 136-0000-1111", "alice"]
        with time_machine.travel(START, tick=False):
            # From five addresses, so that only the account's count can reach the limit.
            for n, identifier in enumerate(spellings):
                attempt(identifier, ip=f"10.0.1.{n}")
            assert attempt("alice", PASSWORD, ip="10.0.1.99").status_code == 429
        assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"alice"}

    def test_five_failures_from_one_address_lock_it_for_every_account(
        self, alice: User, bob: User, charlie: User
    ) -> None:
        with time_machine.travel(START, tick=False) as clock:
            for identifier in ("alice", "bob", "charlie", "nobody", "alice"):
                attempt(identifier, ip="10.0.2.7")
            response = attempt("bob", PASSWORD, ip="10.0.2.7")
            assert response.status_code == 429
            assert LOCKED in response.content.decode()
            # The same account from another address is not locked: only two failures on it.
            assert attempt("bob", PASSWORD, ip="10.0.2.8").status_code == 302
            clock.shift(dt.timedelta(minutes=10, seconds=1))
            assert attempt("charlie", PASSWORD, ip="10.0.2.7").status_code == 302

    def test_the_address_lock_can_be_turned_off(
        self, alice: User, bob: User, settings: Any
    ) -> None:
        settings.AXES_LOCKOUT_PARAMETERS = ["username"]
        with time_machine.travel(START, tick=False):
            for identifier in ("alice", "bob", "alice", "bob", "alice"):
                attempt(identifier, ip="10.0.2.9")
            assert attempt("bob", PASSWORD, ip="10.0.2.9").status_code == 302

    def test_it_keeps_no_unknown_identifier_in_clear(self, db: None) -> None:
        attempt("13912345678")
        attempt("MyPassword-typed-as-login")
        names = list(AccessAttempt.objects.values_list("username", flat=True))
        assert len(names) == 2 and all(name.startswith("?") for name in names)
        stored = " ".join(
            f"{row.username} {row.get_data} {row.post_data}" for row in AccessAttempt.objects.all()
        )
        assert "13912345678" not in stored and "MyPassword" not in stored
        assert WRONG not in stored

    def test_an_unknown_account_locks_like_a_real_one(self, db: None) -> None:
        with time_machine.travel(START, tick=False):
            for n in range(5):
                attempt("nobody", ip=f"10.0.3.{n}")
            response = attempt("nobody", ip="10.0.3.9")
        assert response.status_code == 429 and LOCKED in response.content.decode()

    def test_it_records_failures_and_the_lock(self, alice: User) -> None:
        with time_machine.travel(START, tick=False):
            fail(4, "alice")
            attempt("alice")
        outcomes = list(
            LoginEvent.objects.filter(user=alice)
            .order_by("occurred_at", "id")
            .values_list("outcome", flat=True)
        )
        assert outcomes == ["failed"] * 4 + ["locked"]
        event = AuditEvent.objects.get(action="auth.lockout")
        assert (event.outcome, event.object_id, event.source_ip) == (
            "denied",
            str(alice.pk),
            "10.0.0.1",
        )


class AsgiLockoutTestCase:
    def test_the_lockout_page_survives_asgi_serving(self, alice: User) -> None:
        # `sunflower serve` runs pages under ASGI, where axes' own middleware would replace
        # the login page with a bare message.
        async def five_failures() -> Any:
            client = AsyncClient()
            data = {"username": "alice", "password": WRONG}
            for _ in range(4):
                await client.post(reverse("accounts:login"), data)
            return await client.post(reverse("accounts:login"), data)

        response = async_to_sync(five_failures)()
        assert response.status_code == 429
        page = response.content.decode()
        assert '<form method="post"' in page and f"{LOCKED}，请10分钟后再试。" in page


class SudoLockoutTestCase:
    def test_wrong_passwords_in_sudo_mode_count_and_end_the_session(self, alice: User) -> None:
        with time_machine.travel(START, tick=False):
            client = logged_in(alice)
            sudo = reverse("accounts:sudo")
            for _ in range(4):
                response = client.post(sudo, {"password": WRONG, "otp_token": "000000"})
                assert response.status_code == 200
            response = client.post(sudo, {"password": WRONG, "otp_token": "000000"}, follow=True)
            assert response.redirect_chain[0][0] == reverse("accounts:login")
            assert LOCKED in response.content.decode()
            # The session has ended, and the account is locked for a fresh login too.
            assert client.get(reverse("web:console"))["Location"].startswith(
                reverse("accounts:login")
            )
            assert attempt("alice", PASSWORD, ip="10.0.4.1").status_code == 429
        # One for the sudo attempt that set the lock, one for the refused login.
        assert LoginEvent.objects.filter(user=alice, outcome="locked").count() == 2


class ProxyAddressTestCase:
    @pytest.mark.parametrize("forwarded", ["203.0.113.5", "198.51.100.1, 203.0.113.5"])
    def test_it_counts_the_address_the_proxy_saw(
        self, forwarded: str, alice: User, settings: Any
    ) -> None:
        settings.SUNFLOWER_PROXY_COUNT = 1
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
        client.post(reverse("accounts:login"), {"username": "alice", "password": WRONG})
        assert AccessAttempt.objects.get().ip_address == "203.0.113.5"

    def test_without_a_proxy_it_ignores_the_header(self, alice: User) -> None:
        client = Client(REMOTE_ADDR="10.0.5.5", HTTP_X_FORWARDED_FOR="203.0.113.5")
        client.post(reverse("accounts:login"), {"username": "alice", "password": WRONG})
        assert AccessAttempt.objects.get().ip_address == "10.0.5.5"
