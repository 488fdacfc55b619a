"""Browser journeys through the shell, in a real Chromium (see conftest.browser)."""

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from sunflower.accounts.models import User

pytestmark = pytest.mark.browser
ARTIFACTS = Path("test-artifacts")


def snapshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


class CadrePortalBrowserTestCase:
    def test_a_cadre_logs_in_on_a_phone_and_sees_the_portal(
        self, live_server: Any, phone: Any, cadre: User
    ) -> None:
        problems: list[str] = []
        phone.on("console", lambda message: problems.append(message.text))
        phone.on("pageerror", lambda error: problems.append(str(error)))
        browser_login(phone, live_server.url, "13800000001")
        assert phone.url.endswith("/m/")
        expect(phone.get_by_role("heading", level=1)).to_have_text(re.compile(r"^\s*王小明"))
        tabs = phone.get_by_role("navigation", name="主导航")
        for label in ("首页", "测评", "学习", "服务", "我的"):
            expect(tabs.get_by_role("link", name=label)).to_be_visible()
        expect(phone.get_by_role("link", name="12356")).to_be_visible()
        # The tab bar fits the phone: no horizontal scrolling.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        snapshot(phone, "cadre-portal-phone")
        assert problems == []  # no script errors, no Content Security Policy violations
        tabs.get_by_role("link", name="我的").click()
        expect(phone.get_by_text("东港区海滨街道")).to_be_visible()

    def test_a_wrong_password_explains_itself(
        self, live_server: Any, phone: Any, cadre: User
    ) -> None:
        browser_login(phone, live_server.url, "13800000001", "not-the-password")
        expect(phone.get_by_role("alert")).to_have_text("账号或密码不正确，请重新输入。")


class DisplayPreferencesBrowserTestCase:
    def test_large_text_mode_enlarges_the_text_and_survives_navigation(
        self, live_server: Any, phone: Any, cadre: User
    ) -> None:
        browser_login(phone, live_server.url, "13800000001")
        body_size = "parseFloat(getComputedStyle(document.body).fontSize)"
        before = phone.evaluate(body_size)
        phone.get_by_role("button", name="大字").click()
        phone.wait_for_load_state("networkidle")
        after = phone.evaluate(body_size)
        assert after >= before * 1.2
        assert phone.get_by_role("button", name="大字").get_attribute("aria-pressed") == "true"
        phone.get_by_role("link", name="学习", exact=True).click()
        assert phone.evaluate(body_size) == after
        snapshot(phone, "cadre-portal-large-text")

    def test_the_language_switch_turns_the_page_english_and_back(
        self, live_server: Any, phone: Any, cadre: User
    ) -> None:
        browser_login(phone, live_server.url, "13800000001")
        phone.get_by_role("button", name="English").click()
        phone.wait_for_load_state("networkidle")
        assert phone.locator("html").get_attribute("lang") == "en"
        expect(phone.get_by_role("link", name="Me", exact=True)).to_be_visible()
        snapshot(phone, "cadre-portal-english")
        phone.get_by_role("button", name="中文").click()
        phone.wait_for_load_state("networkidle")
        assert phone.locator("html").get_attribute("lang") == "zh-hans"
        expect(phone.get_by_role("link", name="我的", exact=True)).to_be_visible()
