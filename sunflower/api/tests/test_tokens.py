"""Signing in through the API: tokens, their lifetime, and who may hold one."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from conftest import PASSWORD, City, make_user, totp_code, totp_device
from sunflower.accounts.models import LoginEvent, Role, User
from sunflower.api import tokens
from sunflower.api.models import ApiToken
from sunflower.api.tests.conftest import ApiClient, api_as
from sunflower.audit.models import AuditEvent


class IssueTestCase:
    def test_a_cadre_gets_a_token_shown_once_and_stored_as_a_digest(self, cadre: User) -> None:
        answer = ApiClient().post(
            "auth/token", {"login": "cadre", "password": PASSWORD, "device": "iPhone"}
        )
        assert answer.status_code == 201
        token = answer.json()["token"]
        assert token.startswith("sf_") and len(token) > 40
        row = ApiToken.objects.get(user=cadre)
        assert row.digest == tokens.digest_of(token) and token not in row.digest
        assert row.device == "iPhone"
        assert answer.json()["idle_hours"] == 24
        assert LoginEvent.objects.filter(user=cadre, outcome=LoginEvent.Outcome.LOGIN).exists()
        assert ApiClient(token).get("me/").status_code == 200

    def test_the_mobile_number_signs_in_too(self, cadre: User) -> None:
        answer = ApiClient().post("auth/token", {"login": "13800000001", "password": PASSWORD})
        assert answer.status_code == 201

    def test_a_wrong_password_is_refused_in_chinese_and_recorded(self, cadre: User) -> None:
        answer = ApiClient().post("auth/token", {"login": "cadre", "password": "wrong"})
        assert answer.status_code == 401
        assert answer.json() == {
            "detail": "账号或密码不正确，请重新输入。",
            "code": "invalid_login",
        }
        assert LoginEvent.objects.filter(user=cadre, outcome=LoginEvent.Outcome.FAILED).exists()
        assert not ApiToken.objects.exists()

    def test_repeated_failures_lock_the_account_as_on_the_login_page(self, cadre: User) -> None:
        app = ApiClient()
        for _ in range(5):
            app.post("auth/token", {"login": "cadre", "password": "wrong"})
        answer = app.post("auth/token", {"login": "cadre", "password": PASSWORD})
        assert answer.status_code == 429
        assert "账号已临时锁定" in answer.json()["detail"]
        assert not ApiToken.objects.exists()

    def test_staff_accounts_are_refused_and_the_refusal_is_audited(self, city: City) -> None:
        keeper = make_user("keeper", (Role.RECORD_KEEPER, city.city))
        answer = ApiClient().post("auth/token", {"login": "keeper", "password": PASSWORD})
        assert answer.status_code == 403
        assert answer.json()["code"] == "staff_account"
        assert not ApiToken.objects.exists()
        refused = AuditEvent.objects.get(action="auth.api.refused")
        assert refused.object_id == str(keeper.pk) and refused.outcome == "denied"

    def test_a_cadre_with_two_step_verification_gives_a_code(self, cadre: User) -> None:
        device = totp_device(cadre)
        app = ApiClient()
        login = {"login": "cadre", "password": PASSWORD}
        asked = app.post("auth/token", login)
        assert asked.status_code == 401 and asked.json()["code"] == "second_factor_required"
        wrong = app.post("auth/token", {**login, "code": "000000"})
        assert wrong.status_code == 401 and wrong.json()["code"] == "second_factor_failed"
        assert LoginEvent.objects.filter(user=cadre, outcome="mfa_failed").exists()
        assert not ApiToken.objects.exists()
        with time_machine.travel(timezone.now() + dt.timedelta(seconds=3), tick=False):
            device.refresh_from_db()  # a failure slows the next try down by a second
            good = app.post("auth/token", {**login, "code": totp_code(device)})
        assert good.status_code == 201
        assert LoginEvent.objects.filter(user=cadre, outcome="mfa_ok").exists()
        assert not good.cookies.get("sessionid")  # no session is made for the app

    @override_settings(SUNFLOWER_CADRE_PASSWORD_MAX_AGE_DAYS=90)
    def test_an_expired_password_is_changed_on_the_web_first(self, cadre: User) -> None:
        app = api_as(cadre)
        User.objects.filter(pk=cadre.pk).update(
            password_changed_at=timezone.now() - dt.timedelta(days=91)
        )
        answer = ApiClient().post("auth/token", {"login": "cadre", "password": PASSWORD})
        assert answer.status_code == 403 and answer.json()["code"] == "password_expired"
        assert app.get("me/").json()["code"] == "password_expired"

    @pytest.mark.parametrize("field", ["login", "password", "device"])
    def test_control_characters_are_refused_as_malformed(self, cadre: User, field: str) -> None:
        body = {"login": "cadre", "password": PASSWORD, "device": "phone"}
        body[field] += "\x00"
        answer = ApiClient().post("auth/token", body)
        assert answer.status_code == 422 and answer.json()["code"] == "malformed"

    def test_a_malformed_request_is_explained(self, cadre: User) -> None:
        answer = ApiClient().post("auth/token", raw="{not json")
        assert answer.status_code in (400, 422)
        answer = ApiClient().post("auth/token", {"login": "cadre"})
        assert answer.status_code == 422
        assert answer.json()["code"] == "malformed"
        assert "password" in answer.json()["detail"]


class CheckTestCase:
    def test_no_token_or_a_wrong_one_is_not_signed_in(self, cadre: User) -> None:
        for app in (ApiClient(), ApiClient("sf_not-a-real-token"), ApiClient("garbage")):
            answer = app.get("me/")
            assert answer.status_code == 401
            assert answer.json()["code"] == "not_signed_in"

    def test_signing_out_ends_the_token_at_once(self, cadre: User) -> None:
        app = api_as(cadre)
        assert app.delete("auth/token").status_code == 204
        assert app.get("me/").status_code == 401
        assert LoginEvent.objects.filter(user=cadre, outcome=LoginEvent.Outcome.LOGOUT).exists()

    def test_a_token_ends_at_its_lifetime(self, cadre: User) -> None:
        app = api_as(cadre)
        with time_machine.travel(timezone.now() + dt.timedelta(hours=20), tick=False):
            assert app.get("me/").status_code == 200
        with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1), tick=False):
            assert app.get("me/").status_code == 401

    def test_a_token_unused_for_a_day_ends(self, cadre: User) -> None:
        app = api_as(cadre)
        with time_machine.travel(timezone.now() + dt.timedelta(hours=25), tick=False):
            assert app.get("me/").status_code == 401

    def test_use_keeps_a_token_alive_and_is_written_at_most_every_few_minutes(
        self, cadre: User
    ) -> None:
        app = api_as(cadre)
        row = ApiToken.objects.get(user=cadre)
        start = timezone.now()
        with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
            assert app.get("me/").status_code == 200
        row.refresh_from_db()
        assert row.last_used_at < start + dt.timedelta(minutes=1)  # not written yet
        for hours in (20, 40, 60):
            with time_machine.travel(start + dt.timedelta(hours=hours), tick=False):
                assert app.get("me/").status_code == 200

    def test_a_new_password_signs_every_device_out(self, cadre: User) -> None:
        first, second = api_as(cadre), api_as(cadre)
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=1), tick=False):
            cadre.set_password("A-new-password-2026")
            cadre.save()
            assert first.get("me/").status_code == 401
            assert second.get("me/").status_code == 401
            assert api_as(cadre).get("me/").status_code == 200

    def test_a_deactivated_account_is_signed_out(self, cadre: User) -> None:
        app = api_as(cadre)
        User.objects.filter(pk=cadre.pk).update(is_active=False)
        assert app.get("me/").status_code == 401

    def test_a_staff_role_granted_later_refuses_the_token(self, city: City, cadre: User) -> None:
        app = api_as(cadre)
        from sunflower.accounts.models import RoleAssignment

        RoleAssignment.objects.create(user=cadre, role=Role.TALK_OFFICER, unit=city.city)
        answer = app.get("me/")
        assert answer.status_code == 403
        assert answer.json()["code"] == "staff_account"

    def test_too_many_requests_are_slowed_down(self, cadre: User) -> None:
        app = api_as(cadre)
        cache.clear()
        with override_settings(SUNFLOWER_API_RATE="3/m"):
            codes = [app.get("me/").status_code for _ in range(4)]
        cache.clear()
        assert codes == [200, 200, 200, 429]
        with override_settings(SUNFLOWER_API_RATE="1/m"):
            app.get("me/")
            slowed = app.get("me/")
        cache.clear()
        assert slowed.json()["code"] == "throttled" and "秒后再试" in slowed.json()["detail"]
        assert int(slowed["Retry-After"]) >= 1


@pytest.mark.parametrize("path", ["openapi.json", "docs/"])
def test_the_api_describes_itself(path: str, db: None) -> None:
    answer = ApiClient().get(path)
    assert answer.status_code == 200
    if path == "openapi.json":
        paths = answer.json()["paths"]
        assert "/api/v1/responses/" in paths and "/api/v1/auth/token" in paths
