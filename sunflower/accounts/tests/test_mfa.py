"""Two-factor authentication: mandatory for staff, optional for cadres, asked again in sudo."""

import base64
import datetime as dt
import re
import uuid
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken

from conftest import (
    PASSWORD,
    City,
    logged_in,
    make_user,
    reauthenticate,
    totp_code,
    totp_device,
)
from sunflower.accounts import mfa
from sunflower.accounts.models import LoginEvent, Role, User
from sunflower.accounts.otp import AuthenticatorDevice
from sunflower.audit.models import AuditEvent
from sunflower.keystore import keyring

START = dt.datetime(2026, 3, 2, 9, 0, 10, tzinfo=dt.UTC)


def password_login(user: User, identifier: str = "") -> Client:
    """A client past the password step only, as a real login leaves it."""
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": identifier or user.username, "password": PASSWORD},
    )
    assert response.status_code == 302
    return client


def code_for(device: AuthenticatorDevice) -> str:
    """What the authenticator app shows now, computed from the device's key."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def enrol(client: Client) -> list[str]:
    """Open the enrolment page, confirm with the app's code, return the recovery codes."""
    page = client.get(reverse("accounts:mfa-enrol")).content.decode()
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', page)
    assert secret is not None
    device = AuthenticatorDevice.objects.get(confirmed=False)
    encoded = secret.group(1).replace(" ", "")
    assert base64.b32decode(encoded + "=" * (-len(encoded) % 8)) == device.bin_key
    response = client.post(reverse("accounts:mfa-enrol"), {"otp_token": code_for(device)})
    assert response.status_code == 200
    return re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", response.content.decode())


class StaffEnrolmentTestCase:
    def test_staff_without_an_authenticator_cannot_reach_the_console(self, alice: User) -> None:
        client = password_login(alice)
        for name in ("web:console", "orgs:person-list", "accounts:password-change"):
            response = client.get(reverse(name))
            assert response["Location"].startswith(reverse("accounts:mfa-enrol")), name
        # A session made without the login page is no different.
        bare = Client()
        bare.force_login(alice)
        assert bare.get(reverse("web:console"))["Location"].startswith(
            reverse("accounts:mfa-enrol")
        )

    def test_the_enrolment_page_draws_the_qr_code_itself(self, alice: User) -> None:
        page = password_login(alice).get(reverse("accounts:mfa-enrol")).content.decode()
        assert '<svg class="qr-code" role="img"' in page
        assert re.findall(r'<img [^>]*src="([^"]+)"', page) == ["/static/sunflower/logo.svg"]
        assert "otpauth://" not in page  # the key travels only inside the QR code and as text

    def test_a_correct_code_turns_it_on_and_shows_ten_recovery_codes_once(
        self, alice: User
    ) -> None:
        with time_machine.travel(START, tick=False):
            client = password_login(alice)
            codes = enrol(client)
            assert len(codes) == 10 and len(set(codes)) == 10
            assert AuthenticatorDevice.objects.get(user=alice).confirmed
            stored = set(StaticToken.objects.values_list("token", flat=True))
            assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes}
            assert client.get(reverse("web:console")).status_code == 200
            # The codes are not shown again; replacing the device first asks for sudo.
            again = client.get(reverse("accounts:mfa-enrol"))
            assert again["Location"].startswith(reverse("accounts:sudo"))
        event = AuditEvent.objects.get(action="auth.mfa.enrol")
        assert (event.actor, event.outcome) == (alice, "ok")

    def test_a_wrong_code_is_refused(self, alice: User) -> None:
        with time_machine.travel(START, tick=False):
            client = password_login(alice)
            client.get(reverse("accounts:mfa-enrol"))
            device = AuthenticatorDevice.objects.get(user=alice)
            wrong = f"{(int(code_for(device)) + 1) % 10**6:06d}"
            response = client.post(reverse("accounts:mfa-enrol"), {"otp_token": wrong})
            assert "验证码不正确" in response.content.decode()
            device.refresh_from_db()
            assert not device.confirmed
            assert client.get(reverse("web:console"))["Location"].startswith(
                reverse("accounts:mfa-enrol")
            )
        assert AuditEvent.objects.get(action="auth.mfa.enrol").outcome == "denied"

    def test_a_code_more_than_a_step_old_is_refused(self, alice: User) -> None:
        with time_machine.travel(START, tick=False) as clock:
            client = password_login(alice)
            client.get(reverse("accounts:mfa-enrol"))
            device = AuthenticatorDevice.objects.get(user=alice)
            shown = code_for(device)
            clock.shift(dt.timedelta(seconds=75))
            client.post(reverse("accounts:mfa-enrol"), {"otp_token": shown})
            device.refresh_from_db()
            assert not device.confirmed

    def test_reloading_the_page_keeps_the_same_key(self, alice: User) -> None:
        client = password_login(alice)
        client.get(reverse("accounts:mfa-enrol"))
        client.get(reverse("accounts:mfa-enrol"))
        assert AuthenticatorDevice.objects.filter(user=alice).count() == 1


class VerifyTestCase:
    def test_staff_with_an_authenticator_give_a_code_after_the_password(self, alice: User) -> None:
        device = totp_device(alice)
        with time_machine.travel(START, tick=False):
            client = password_login(alice)
            response = client.get(reverse("web:console"))
            assert response["Location"] == f"{reverse('accounts:mfa-verify')}?next=%2Fconsole%2F"
            response = client.post(
                response["Location"], {"otp_token": code_for(device), "next": "/console/"}
            )
            assert response["Location"] == "/console/"
            assert client.get(reverse("web:console")).status_code == 200
        outcomes = LoginEvent.objects.filter(user=alice).order_by("id")
        assert [e.outcome for e in outcomes] == ["login", "mfa_ok"]

    def test_a_wrong_code_is_refused_recorded_and_slows_the_next_try(self, alice: User) -> None:
        device = totp_device(alice)
        verify = reverse("accounts:mfa-verify")
        with time_machine.travel(START, tick=False) as clock:
            client = password_login(alice)
            wrong = f"{(int(code_for(device)) + 5) % 10**6:06d}"
            response = client.post(verify, {"otp_token": wrong})
            assert "验证码不正确" in response.content.decode()
            # django-otp's throttle: right after a failure even the right code must wait.
            response = client.post(verify, {"otp_token": code_for(device)})
            assert "错误次数过多，请1秒后再试" in response.content.decode()
            clock.shift(dt.timedelta(seconds=2))
            assert client.post(verify, {"otp_token": code_for(device)}).status_code == 302
        # The try during the pause was not checked, so only one failure is on record.
        assert LoginEvent.objects.filter(user=alice, outcome="mfa_failed").count() == 1
        assert AuditEvent.objects.filter(action="auth.mfa.verify", outcome="denied").count() == 1

    def test_a_code_cannot_be_used_twice(self, alice: User) -> None:
        device = totp_device(alice)
        with time_machine.travel(START, tick=False):
            code = code_for(device)
            first, second = password_login(alice), password_login(alice)
            verify = reverse("accounts:mfa-verify")
            assert first.post(verify, {"otp_token": code}).status_code == 302
            response = second.post(verify, {"otp_token": code})
            assert response.status_code == 200

    def test_the_test_authenticator_gives_a_fresh_code_after_a_late_one(self, alice: User) -> None:
        # A code typed just before a step boundary and checked just after it moves the device's
        # drift; the next code the tests' authenticator gives must still be accepted.
        device = totp_device(alice)
        with time_machine.travel(START, tick=False) as clock:
            late = code_for(device)
            clock.shift(dt.timedelta(seconds=device.step))
            verify = reverse("accounts:mfa-verify")
            assert password_login(alice).post(verify, {"otp_token": late}).status_code == 302
            device.refresh_from_db()
            assert device.drift == -1
            response = password_login(alice).post(verify, {"otp_token": totp_code(device)})
            assert response.status_code == 302

    def test_a_recovery_code_works_once(self, alice: User) -> None:
        verify = reverse("accounts:mfa-verify")
        with time_machine.travel(START, tick=False) as clock:
            codes = enrol(password_login(alice))
            client = password_login(alice)
            assert client.post(verify, {"otp_token": codes[0]}).status_code == 302
            assert client.get(reverse("web:console")).status_code == 200
            again = password_login(alice)
            assert again.post(verify, {"otp_token": codes[0]}).status_code == 200
            # After the throttle's pause, the next one is accepted, typed any which way.
            clock.shift(dt.timedelta(seconds=2))
            response = again.post(verify, {"otp_token": codes[1].replace("-", " ").upper()})
            assert response.status_code == 302
        event = AuditEvent.objects.filter(action="auth.mfa.recovery").order_by("id").first()
        assert event is not None and event.changes == {"left": 9}
        assert LoginEvent.objects.filter(user=alice, outcome="recovery").count() == 2

    def test_an_unverified_session_cannot_replace_the_authenticator(self, alice: User) -> None:
        totp_device(alice)
        client = password_login(alice)
        assert client.get(reverse("accounts:mfa-enrol"))["Location"] == reverse(
            "accounts:mfa-verify"
        )
        assert AuthenticatorDevice.objects.filter(user=alice).count() == 1

    def test_logging_out_is_open_before_the_second_factor(self, alice: User) -> None:
        client = password_login(alice)
        response = client.post(reverse("accounts:logout"))
        assert response["Location"] == reverse("accounts:login")


class CadreSecondFactorTestCase:
    def test_it_is_optional_for_cadres(self, cadre: User) -> None:
        client = password_login(cadre, "13800000001")
        assert client.get(reverse("web:portal")).status_code == 200
        page = client.get(reverse("accounts:mfa")).content.decode()
        assert "未开启" in page and "开启两步验证" in page

    def test_a_cadre_who_turns_it_on_is_asked_at_the_next_login(self, cadre: User) -> None:
        codes = enrol(logged_in(cadre))
        assert len(codes) == 10
        client = password_login(cadre, "13800000001")
        assert client.get(reverse("web:portal"))["Location"].startswith(
            reverse("accounts:mfa-verify")
        )

    def test_a_cadre_may_turn_it_off_after_re_authenticating(self, cadre: User) -> None:
        client = logged_in(cadre)
        enrol(client)
        disable = reverse("accounts:mfa-disable")
        response = client.post(disable, {"next": reverse("accounts:mfa")})
        assert response["Location"].startswith(reverse("accounts:sudo"))
        assert reauthenticate(client, cadre).status_code == 302
        client.post(disable)
        assert not AuthenticatorDevice.objects.filter(user=cadre).exists()
        assert AuditEvent.objects.filter(action="auth.mfa.disable").count() == 1
        assert client.get(reverse("web:portal")).status_code == 200

    def test_staff_cannot_turn_it_off(self, alice: User) -> None:
        assert logged_in(alice).post(reverse("accounts:mfa-disable")).status_code == 403


class SudoSecondFactorTestCase:
    def test_staff_with_an_authenticator_must_give_a_fresh_code(self, alice: User) -> None:
        sudo = reverse("accounts:sudo")
        with time_machine.travel(START, tick=False) as clock:
            client = logged_in(alice)
            device = totp_device(alice)
            page = client.get(sudo).content.decode()
            assert "动态验证码" in page
            response = client.post(sudo, {"password": PASSWORD, "next": "/"})
            assert response.status_code == 200
            shown = code_for(device)
            clock.shift(dt.timedelta(seconds=75))
            response = client.post(sudo, {"password": PASSWORD, "otp_token": shown, "next": "/"})
            assert "动态验证码不正确" in response.content.decode()
            clock.shift(dt.timedelta(seconds=2))
            response = client.post(
                sudo, {"password": PASSWORD, "otp_token": code_for(device), "next": "/"}
            )
            assert response["Location"] == "/"
        assert list(
            AuditEvent.objects.filter(action="auth.sudo")
            .order_by("id")
            .values_list("outcome", flat=True)
        ) == ["denied", "denied", "ok"]

    def test_a_cadre_without_an_authenticator_gives_only_the_password(self, cadre: User) -> None:
        client = logged_in(cadre)
        assert "动态验证码" not in client.get(reverse("accounts:sudo")).content.decode()
        response = client.post(reverse("accounts:sudo"), {"password": PASSWORD, "next": "/"})
        assert response["Location"] == "/"


class RecoveryCodesTestCase:
    def test_new_codes_need_sudo_and_replace_the_old_ones(self, alice: User) -> None:
        client = password_login(alice)
        old = enrol(client)
        url = reverse("accounts:mfa-recovery-codes")
        assert client.post(url, {"next": "/"})["Location"].startswith(reverse("accounts:sudo"))
        reauthenticate(client, alice)
        page = client.post(url).content.decode()
        new = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", page)
        assert len(new) == 10 and not set(new) & set(old)
        assert StaticToken.objects.filter(device__user=alice).count() == 10
        assert AuditEvent.objects.filter(action="auth.mfa.recovery_codes").count() == 1

    def test_the_settings_page_counts_the_codes_left(self, alice: User) -> None:
        client = password_login(alice)
        enrol(client)
        page = client.get(reverse("accounts:mfa")).content.decode()
        assert "已开启" in page and "10个" in page and "关闭两步验证" not in page

    def test_it_warns_when_two_codes_are_left(self, alice: User) -> None:
        codes = enrol(password_login(alice))
        keep = [mfa.recovery_digest(alice, code) for code in codes[:3]]
        StaticToken.objects.exclude(token__in=keep).delete()
        client = password_login(alice)
        response = client.post(reverse("accounts:mfa-verify"), {"otp_token": codes[0]}, follow=True)
        assert "您的恢复码只剩2个" in response.content.decode()


class SecondFactorResetTestCase:
    def test_a_security_admin_removes_a_lost_authenticator(self, city: City, alice: User) -> None:
        secadmin = make_user("secadmin", (Role.SECURITY_ADMIN, city.city))
        totp_device(alice)
        client = logged_in(secadmin)
        url = reverse("accounts-admin:mfa-reset", args=[alice.pk])
        assert client.post(url, {"next": "/"})["Location"].startswith(reverse("accounts:sudo"))
        reauthenticate(client, secadmin)
        client.post(url)
        assert not AuthenticatorDevice.objects.filter(user=alice).exists()
        event = AuditEvent.objects.get(action="auth.mfa.reset")
        assert (event.actor, event.object_id) == (secadmin, str(alice.pk))
        # At the next login alice enrols again.
        assert (
            password_login(alice)
            .get(reverse("web:console"))["Location"]
            .startswith(reverse("accounts:mfa-enrol"))
        )

    def test_an_account_outside_the_admins_scope_is_not_found(
        self, city: City, charlie: User
    ) -> None:
        local = make_user("local-sec", (Role.SECURITY_ADMIN, city.district_a))
        totp_device(charlie)
        client = logged_in(local)
        reauthenticate(client, local)
        url = reverse("accounts-admin:mfa-reset", args=[charlie.pk])
        assert client.post(url).status_code == 404
        assert AuthenticatorDevice.objects.filter(user=charlie).exists()

    def test_the_user_page_offers_the_reset(self, city: City, alice: User) -> None:
        secadmin = make_user("secadmin", (Role.SECURITY_ADMIN, city.city))
        totp_device(alice)
        page = logged_in(secadmin).get(reverse("accounts-admin:user-roles", args=[alice.pk]))
        assert "重置两步验证" in page.content.decode()


def stored_key(device: AuthenticatorDevice) -> str:
    """The key column as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_authenticatordevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def store_key(device: AuthenticatorDevice, raw: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_authenticatordevice SET key = %s WHERE id = %s", [raw, device.pk]
        )


def flip_last_character(ciphertext: str) -> str:
    """Change one character of the sealed body. Not the very last: in unpadded base64 its low
    bits may be unused, and then the altered text decodes to the same bytes."""
    at = len(ciphertext) - 5
    return ciphertext[:at] + ("A" if ciphertext[at] != "A" else "B") + ciphertext[at + 1 :]


def under_another_column(ciphertext: str, hex_key: str) -> str:
    """The right key, sealed for another column: a ciphertext copied from elsewhere."""
    return keyring.encrypt("system:otp", hex_key, "accounts_user.mobile")


def under_another_key_id(key_id: str) -> Any:
    def alter(ciphertext: str, hex_key: str) -> str:
        version, suite, _key_id, body = ciphertext.split(".")
        return f"{version}.{suite}.{key_id}.{body}"

    return alter


ALTERATIONS = {
    "altered-byte": lambda ciphertext, hex_key: flip_last_character(ciphertext),
    "other-column": under_another_column,
    "missing-data-key": under_another_key_id(str(uuid.uuid4())),
    "malformed-key-id": under_another_key_id("no-such-key"),
    "not-ciphertext": lambda ciphertext, hex_key: hex_key,
}


class EncryptedKeyTestCase:
    """ADR 9: the TOTP key is encrypted at rest, and a key that cannot be decrypted refuses
    every code instead of failing the page."""

    def test_the_key_is_not_stored_in_clear(self, alice: User) -> None:
        with time_machine.travel(START, tick=False):
            codes = enrol(password_login(alice))
        assert len(codes) == 10
        device = AuthenticatorDevice.objects.get(user=alice)
        hex_key = device.key
        assert re.fullmatch(r"[0-9a-f]{40}", hex_key)
        raw = stored_key(device)
        assert raw.startswith("sf1.")
        base32 = base64.b32encode(device.bin_key).decode().rstrip("=")
        for clear in (hex_key, hex_key.upper(), base32):
            assert clear not in raw
        # A successful code saves the counters, not the key again.
        with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
            assert device.verify_token(code_for(device))
        assert stored_key(device) == raw

    def test_the_device_is_found_by_django_otp(self, alice: User) -> None:
        import django_otp

        device = totp_device(alice)
        assert list(django_otp.devices_for_user(alice)) == [device]
        assert django_otp.user_has_device(alice)
        with time_machine.travel(START, tick=False):
            assert django_otp.match_token(alice, code_for(device)) == device

    @pytest.mark.parametrize("alter", ALTERATIONS.values(), ids=ALTERATIONS.keys())
    def test_a_key_that_cannot_be_decrypted_fails_closed(self, alice: User, alter: Any) -> None:
        device = totp_device(alice)
        right_code_device = AuthenticatorDevice(key=device.key)
        altered = alter(stored_key(device), device.key)
        store_key(device, altered)
        keyring.forget_cached_keys()
        verify = reverse("accounts:mfa-verify")
        with time_machine.travel(START, tick=False) as clock:
            code = code_for(right_code_device)
            client = password_login(alice)
            assert client.get(verify).status_code == 200
            response = client.post(verify, {"otp_token": code})
            assert response.status_code == 200
            assert "验证码不正确" in response.content.decode()
            assert client.get(reverse("web:console"))["Location"].startswith(verify)
            assert not mfa.check_current_totp(alice, code)
            # Sudo refuses the code too, with the form's message rather than an error page.
            clock.shift(dt.timedelta(seconds=5))
            response = logged_in(alice).post(
                reverse("accounts:sudo"), {"password": PASSWORD, "otp_token": code, "next": "/"}
            )
            assert response.status_code == 200
            assert "动态验证码不正确" in response.content.decode()
        assert AuthenticatorDevice.objects.get(pk=device.pk).key is None
        assert LoginEvent.objects.filter(user=alice, outcome="mfa_failed").count() == 1
        # The refusals saved only the throttle: the column is left as found, for investigation.
        assert stored_key(device) == altered

    def test_an_unreadable_pending_key_is_replaced_at_enrolment(self, alice: User) -> None:
        client = password_login(alice)
        client.get(reverse("accounts:mfa-enrol"))
        pending = AuthenticatorDevice.objects.get(user=alice, confirmed=False)
        store_key(pending, flip_last_character(stored_key(pending)))
        with time_machine.travel(START, tick=False):
            codes = enrol(client)
        assert len(codes) == 10
        device = AuthenticatorDevice.objects.get(user=alice)
        assert device.pk != pending.pk and device.confirmed and device.key
