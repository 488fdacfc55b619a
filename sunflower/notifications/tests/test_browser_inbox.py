"""The inbox in a browser: the cadre's on a phone, a staff member's on a desk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from sunflower.accounts.models import User
from sunflower.notifications.api import notify

pytestmark = pytest.mark.browser
ARTIFACTS = Path("test-artifacts")


def snapshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if message.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.mark.django_db(transaction=True)
class InboxBrowserTestCase:
    def test_a_cadre_reads_a_reminder_on_a_phone(
        self, live_server: Any, phone: Any, cadre: User
    ) -> None:
        problems = watch(phone)
        notify([cadre], "care.warning")
        notify(
            [cadre],
            "campaign.reminder",
            link="/m/assessments/",
            text="您有一项测评任务将于 11月30日 18:00 截止，请登录向阳花平台完成。",
        )
        browser_login(phone, live_server.url, "13800000001")
        header_link = phone.get_by_role("link", name="消息 2 条未读")
        expect(header_link).to_be_visible()
        header_link.click()
        expect(phone.get_by_text("2 条未读")).to_be_visible()
        snapshot(phone, "inbox-phone")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        expect(phone.get_by_text("风险预警")).to_have_count(0)
        phone.get_by_role("link", name="测评提醒").click()
        phone.wait_for_url("**/m/assessments/")
        expect(phone.get_by_role("link", name="消息 1 条未读")).to_be_visible()
        assert problems == []

    def test_a_staff_member_marks_all_read_on_a_desk(
        self, live_server: Any, desk: Any, bob: User
    ) -> None:
        problems = watch(desk)
        for _ in range(3):
            notify([bob], "care.case_assigned")
        browser_login(desk, live_server.url, "bob")
        desk.get_by_role("link", name="消息 3 条未读").click()
        snapshot(desk, "inbox-desk")
        desk.get_by_role("button", name="全部标为已读").click()
        expect(desk.get_by_text("0 条未读")).to_be_visible()
        expect(desk.get_by_text("已将全部消息标为已读")).to_be_visible()
        snapshot(desk, "inbox-desk-read")
        assert problems == []
