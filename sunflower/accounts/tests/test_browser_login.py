"""Hardened login in a real Chromium: staff enrol an authenticator, then log in with a code;
five wrong passwords show the lockout message."""

import base64
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from conftest import browser_login
from sunflower.accounts.models import User

pytestmark = pytest.mark.browser
ARTIFACTS = Path("test-artifacts")


def snapshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


class Authenticator:
    """What a phone app does with the key read off the page: a code per 30-second step, each
    step used at most once (the server refuses a code twice)."""

    def __init__(self, secret: str) -> None:
        encoded = re.sub(r"\s", "", secret)
        self.key = base64.b32decode(encoded + "=" * (-len(encoded) % 8))
        self.last_step = -1

    def code(self) -> str:
        totp = TOTP(self.key)
        totp.time = time.time()
        if totp.t() <= self.last_step:
            totp.time = (self.last_step + 1) * 30
        self.last_step = totp.t()
        return f"{totp.token():06d}"

    def wrong_code(self) -> str:
        totp = TOTP(self.key)
        return f"{(totp.token() + 1) % 10**6:06d}"


class StaffSecondFactorBrowserTestCase:
    def test_a_staff_member_enrols_then_logs_in_again_with_a_code(
        self, live_server: Any, desk: Any, alice: User
    ) -> None:
        browser_login(desk, live_server.url, "alice", second_factor=False)
        assert "/accounts/mfa/setup/" in desk.url
        expect(desk.get_by_role("heading", name="设置两步验证")).to_be_visible()
        expect(desk.get_by_role("img", name="用验证器App扫描此二维码")).to_be_visible()
        app = Authenticator(desk.locator("#totp-secret").inner_text())
        snapshot(desk, "mfa-enrol-desktop")

        desk.get_by_label("验证码").fill(app.code())
        desk.get_by_role("button", name="完成绑定").click()
        desk.wait_for_load_state("networkidle")
        codes = desk.get_by_role("list", name="恢复码").locator("code").all_inner_texts()
        assert len(codes) == 10
        snapshot(desk, "mfa-recovery-codes-desktop")
        desk.get_by_role("link", name="我已保存，继续").click()
        desk.wait_for_load_state("networkidle")
        assert desk.url.endswith("/console/")

        desk.get_by_role("button", name="退出").click()
        desk.wait_for_load_state("networkidle")
        browser_login(desk, live_server.url, "alice", second_factor=False)
        assert "/accounts/mfa/verify/" in desk.url
        desk.get_by_label("验证码").fill(app.wrong_code())
        desk.get_by_role("button", name="验证").click()
        desk.wait_for_load_state("networkidle")
        expect(desk.get_by_role("alert")).to_contain_text("验证码不正确")
        snapshot(desk, "mfa-verify-desktop")
        desk.wait_for_timeout(1100)  # django-otp pauses a second after a wrong code
        desk.get_by_label("验证码").fill(app.code())
        desk.get_by_role("button", name="验证").click()
        desk.wait_for_load_state("networkidle")
        assert desk.url.endswith("/console/")

        desk.get_by_role("link", name="登录记录").click()
        rows = desk.locator("table tbody tr")
        expect(rows.nth(0)).to_contain_text("两步验证通过")
        expect(rows.nth(1)).to_contain_text("两步验证失败")
        snapshot(desk, "login-history-desktop")


class LockoutBrowserTestCase:
    def test_five_wrong_passwords_show_the_lockout_message(
        self, live_server: Any, phone: Any, cadre: User
    ) -> None:
        for _ in range(4):
            browser_login(phone, live_server.url, "13800000001", "Not-The-Password-1")
            expect(phone.get_by_role("alert")).to_contain_text("账号或密码不正确")
        browser_login(phone, live_server.url, "13800000001", "Not-The-Password-1")
        expect(phone.get_by_role("alert")).to_have_text(
            "登录失败次数过多，账号已临时锁定，请10分钟后再试。"
        )
        snapshot(phone, "lockout-phone")
        # The right password does not help while the lock lasts.
        browser_login(phone, live_server.url, "13800000001")
        expect(phone.get_by_role("alert")).to_contain_text("登录失败次数过多")
