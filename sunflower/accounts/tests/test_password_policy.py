"""Password policy: none of the last five again; staff passwords expire after 90 days."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, logged_in
from sunflower.accounts.models import PasswordHistory, User

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SUCCESSIVE = [f"Quiet-River-{n}a" for n in range(1, 7)]


def change(client: Client, old: str, new: str) -> Any:
    return client.post(
        reverse("accounts:password-change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


class PasswordHistoryTestCase:
    def test_it_refuses_each_of_the_last_five_and_allows_the_sixth(self, alice: User) -> None:
        # PASSWORD, then five more: the last five are SUCCESSIVE[0:5], PASSWORD is the sixth.
        for password in SUCCESSIVE[:5]:
            alice.set_password(password)
            alice.save()
        for recent in SUCCESSIVE[:5]:
            with pytest.raises(ValidationError) as refused:
                validate_password(recent, alice)
            assert refused.value.error_list[0].code == "password_reused"
        validate_password(PASSWORD, alice)

    def test_it_keeps_only_the_previous_four_hashes(self, alice: User) -> None:
        for password in SUCCESSIVE:
            alice.set_password(password)
            alice.save()
        kept = list(PasswordHistory.objects.filter(user=alice).values_list("password", flat=True))
        assert len(kept) == 4
        assert not any(password in kept for password in SUCCESSIVE)  # hashes, not passwords
        assert alice.password not in kept

    def test_the_password_page_refuses_a_recent_password(self, alice: User) -> None:
        client = logged_in(alice)
        assert change(client, PASSWORD, SUCCESSIVE[0]).status_code == 302
        response = change(client, SUCCESSIVE[0], PASSWORD)
        assert response.status_code == 200
        assert "不能使用最近5次用过的密码" in response.content.decode()
        alice.refresh_from_db()
        assert alice.check_password(SUCCESSIVE[0])

    def test_it_refuses_the_current_password(self, alice: User) -> None:
        response = change(logged_in(alice), PASSWORD, PASSWORD)
        assert "不能使用最近5次用过的密码" in response.content.decode()

    def test_the_number_remembered_is_configurable(self, alice: User, settings: Any) -> None:
        settings.SUNFLOWER_PASSWORD_HISTORY = 2
        for password in SUCCESSIVE[:2]:
            alice.set_password(password)
            alice.save()
        for recent in SUCCESSIVE[:2]:
            with pytest.raises(ValidationError):
                validate_password(recent, alice)
        validate_password(PASSWORD, alice)


class PasswordExpiryTestCase:
    def test_staff_must_change_a_password_older_than_ninety_days(self, alice: User) -> None:
        alice.password_changed_at = START
        alice.save()
        with time_machine.travel(START + dt.timedelta(days=91), tick=False):
            client = logged_in(alice)
            response = client.get(reverse("web:console"))
            assert response["Location"] == reverse("accounts:password-change")
            page = client.get(reverse("accounts:password-change"))
            assert page.status_code == 200
            assert "您的密码已使用超过90天，请先设置新密码。" in page.content.decode()
            # Every other page sends them back; logging out still works.
            assert client.get(reverse("orgs:person-list")).status_code == 302
            assert change(client, PASSWORD, SUCCESSIVE[0]).status_code == 302
            assert client.get(reverse("web:console")).status_code == 200

    def test_it_counts_from_account_creation_when_never_changed(self, alice: User) -> None:
        alice.date_joined = START
        alice.password_changed_at = None
        alice.save()
        with time_machine.travel(START + dt.timedelta(days=89), tick=False):
            assert logged_in(alice).get(reverse("web:console")).status_code == 200
        with time_machine.travel(START + dt.timedelta(days=91), tick=False):
            assert logged_in(alice).get(reverse("web:console")).status_code == 302

    def test_it_asks_right_after_login(self, alice: User) -> None:
        alice.password_changed_at = START
        alice.save()
        with time_machine.travel(START + dt.timedelta(days=120), tick=False):
            client = logged_in(alice)
            response = client.get(reverse("web:home"), follow=True)
            assert response.redirect_chain[-1][0] == reverse("accounts:password-change")

    def test_cadre_passwords_do_not_expire(self, cadre: User) -> None:
        cadre.password_changed_at = START
        cadre.save()
        with time_machine.travel(START + dt.timedelta(days=400), tick=False):
            assert logged_in(cadre).get(reverse("web:portal")).status_code == 200

    def test_cadre_expiry_can_be_turned_on(self, cadre: User, settings: Any) -> None:
        settings.SUNFLOWER_CADRE_PASSWORD_MAX_AGE_DAYS = 180
        cadre.password_changed_at = START
        cadre.save()
        with time_machine.travel(START + dt.timedelta(days=181), tick=False):
            response = logged_in(cadre).get(reverse("web:portal"))
        assert response["Location"] == reverse("accounts:password-change")

    def test_staff_expiry_can_be_turned_off(self, alice: User, settings: Any) -> None:
        settings.SUNFLOWER_PASSWORD_MAX_AGE_DAYS = 0
        alice.password_changed_at = START
        alice.save()
        with time_machine.travel(START + dt.timedelta(days=400), tick=False):
            assert logged_in(alice).get(reverse("web:console")).status_code == 200
