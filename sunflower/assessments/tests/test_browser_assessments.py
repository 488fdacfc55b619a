"""Browser journeys on a phone: a crisis answer shows help at once; leave and resume; history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import City, browser_login, make_user
from sunflower.accounts.models import Role, User
from sunflower.assessments.models import Response, ResponseStatus
from sunflower.assessments.tests.helpers import take
from sunflower.care.models import RiskWarning

pytestmark = pytest.mark.browser
ARTIFACTS = Path("test-artifacts")
CADRE_LOGIN = "13800000001"


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


def answer(page: Any, number: int, label: str) -> None:
    page.get_by_role("group", name=f"{number}.").get_by_label(label, exact=True).check()


def open_phq9(page: Any) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="测评").click()
    page.get_by_role("link", name="患者健康问卷抑郁量表（PHQ-9）").click()


class TakeAssessmentBrowserTestCase:
    def test_a_crisis_answer_shows_the_help_panel_and_reaches_the_record_keeper(
        self, live_server: Any, phone: Any, desk: Any, consenting: User, city: City
    ) -> None:
        problems = watch(phone)
        browser_login(phone, live_server.url, CADRE_LOGIN)
        phone.get_by_role("navigation", name="主导航").get_by_role("link", name="测评").click()
        snapshot(phone, "assess-catalogue-phone")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.get_by_role("link", name="患者健康问卷抑郁量表（PHQ-9）").click()
        expect(phone.get_by_text("结果只有您本人能看到")).to_be_visible()
        phone.get_by_role("button", name="开始测评").click()

        for number in range(1, 5):
            answer(phone, number, "好几天")
        phone.get_by_role("button", name="下一页").click()
        expect(phone.get_by_text("第 5 题还没有作答")).to_be_visible()
        answer(phone, 5, "完全不会")
        snapshot(phone, "assess-item-page-phone")
        phone.get_by_role("button", name="下一页").click()
        for number in range(6, 9):
            answer(phone, number, "完全不会")
        answer(phone, 9, "好几天")
        phone.get_by_role("button", name="提交").click()

        panel = phone.get_by_role("alert").filter(has_text="您不必独自面对")
        expect(panel).to_be_visible()
        assert panel.get_by_role("link", name="12356").get_attribute("href") == "tel:12356"
        expect(panel.get_by_role("link", name="联系服务站")).to_be_visible()
        snapshot(phone, "assess-result-help-phone")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        response = Response.objects.get(status=ResponseStatus.SUBMITTED)
        proposal = RiskWarning.objects.get()
        assert (proposal.response_id, proposal.tier) == (response.pk, "red")
        assert problems == []

        # The record keeper in scope finds the new proposal at the top of the queue.
        make_user("keeper", (Role.RECORD_KEEPER, city.city))
        desk_problems = watch(desk)
        browser_login(desk, live_server.url, "keeper")
        desk.get_by_role("navigation", name="工作台导航").get_by_role(
            "link", name="风险预警"
        ).click()
        first = desk.locator("table tbody tr").first
        expect(first.get_by_text("一级（红色）")).to_be_visible()
        expect(first.get_by_text("王小明")).to_be_visible()
        snapshot(desk, "assess-keeper-sees-proposal-desk")
        assert [p for p in desk_problems if "/ws/" not in p] == []

    def test_a_cadre_leaves_half_way_and_resumes(
        self, live_server: Any, phone: Any, consenting: User
    ) -> None:
        browser_login(phone, live_server.url, CADRE_LOGIN)
        open_phq9(phone)
        phone.get_by_role("button", name="开始测评").click()
        for number in range(1, 6):
            answer(phone, number, "一半以上的天数")
        phone.get_by_role("button", name="下一页").click()
        expect(phone.get_by_text("第 2 / 2 页")).to_be_visible()
        phone.goto(f"{live_server.url}/m/")  # leaves

        open_phq9(phone)
        phone.get_by_role("button", name="继续上次的测评").click()
        expect(phone.get_by_text("已答 5 / 9 题")).to_be_visible()
        phone.get_by_role("button", name="上一页").click()
        assert (
            phone.get_by_role("group", name="1.")
            .get_by_label("一半以上的天数", exact=True)
            .is_checked()
        )
        phone.get_by_role("button", name="下一页").click()
        for number in range(6, 10):
            answer(phone, number, "完全不会")
        phone.get_by_role("button", name="提交").click()
        expect(phone.get_by_text("中度抑郁症状").first).to_be_visible()
        assert Response.objects.get().answer_list() == [2, 2, 2, 2, 2, 0, 0, 0, 0]

    def test_the_history_shows_two_attempts(
        self, live_server: Any, phone: Any, consenting: User
    ) -> None:
        take(consenting, "phq9", [3, 3, 2, 2, 2, 2, 2, 2, 0])
        take(consenting, "phq9", [1, 1, 1, 1, 0, 0, 0, 0, 0])
        browser_login(phone, live_server.url, CADRE_LOGIN)
        open_phq9(phone)
        phone.goto(f"{live_server.url}/m/assessments/phq9/history/")
        expect(phone.locator("svg circle")).to_have_count(2)
        rows = phone.get_by_role("table").locator("tbody tr")
        expect(rows).to_have_count(2)
        expect(phone.get_by_text("可靠改善", exact=True)).to_be_visible()
        snapshot(phone, "assess-history-phone")
