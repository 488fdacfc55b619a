"""The crisis journey end to end (issue 5): a cadre endorses PHQ-9 item 9 on a phone; the record
keeper on duty gets a live alert at the desk, confirms the proposal, and the case opens; nobody
contacts the cadre within the red tier's hour, so the service-level check escalates it to the
city's record keeper, which both desks can see; the keeper records the call, works the case
through follow-up and closes it. The app is served by uvicorn (pages and WebSockets)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import City, browser_login, make_user
from sunflower.accounts.models import Role, User
from sunflower.assessments.tests.test_browser_assessments import (
    CADRE_LOGIN,
    answer,
    open_phq9,
    snapshot,
    watch,
)
from sunflower.care.models import CrisisCase, RiskWarning, SlaBreach, WarningStatus
from sunflower.care.sla import check_service_levels
from sunflower.care.workflow import CaseStatus
from sunflower.notifications.models import Message

pytestmark = pytest.mark.browser


class CrisisJourneyBrowserTestCase:
    def test_alert_confirm_escalate_follow_up_close(
        self, asgi_server: str, phone: Any, desk: Any, consenting: User, city: City
    ) -> None:
        make_user("keeper", (Role.RECORD_KEEPER, city.district_a))
        city_keeper = make_user("city-keeper", (Role.RECORD_KEEPER, city.city))
        desk_problems = watch(desk)
        browser_login(desk, asgi_server, "keeper")
        desk.get_by_role("navigation", name="工作台导航").get_by_role(
            "link", name="危机个案"
        ).click()
        desk.wait_for_timeout(500)  # the alert socket connects on every console page

        # The cadre answers PHQ-9 with item 9 endorsed and sees help at once.
        browser_login(phone, asgi_server, CADRE_LOGIN)
        open_phq9(phone)
        phone.get_by_role("button", name="开始测评").click()
        for number in range(1, 6):
            answer(phone, number, "完全不会")
        phone.get_by_role("button", name="下一页").click()
        for number in range(6, 9):
            answer(phone, number, "完全不会")
        answer(phone, 9, "好几天")
        phone.get_by_role("button", name="提交").click()
        expect(phone.get_by_role("alert").filter(has_text="您不必独自面对")).to_be_visible()

        # The record keeper's live alert: a banner with a link, no name, no score.
        alert = desk.locator("#care-alerts [role=alert]").first
        alert.wait_for(timeout=15_000)
        expect(alert).not_to_contain_text("王小明")
        snapshot(desk, "crisis-live-alert-desk")
        alert.get_by_role("link").click()
        warning = RiskWarning.objects.get()
        desk.wait_for_url(re.compile(f"/console/care/warnings/{warning.pk}/"))
        desk.get_by_role("button", name="提交审核结论").click()
        expect(desk.get_by_text("已确认预警，并已建立（或并入）危机个案")).to_be_visible()
        warning.refresh_from_db()
        assert warning.status == WarningStatus.CONFIRMED
        case = CrisisCase.objects.get()
        assert (case.tier, case.status) == ("red", CaseStatus.DETECTED)

        # Nobody called within the hour: the periodic check escalates to the city level.
        later = timezone.now() + timedelta(minutes=61)
        breaches = check_service_levels(later)
        assert [b.kind for b in breaches] == ["first_contact"]
        assert city_keeper in SlaBreach.objects.get().escalated_to.all()
        assert Message.objects.filter(recipient=city_keeper, kind="care.escalation").exists()
        desk.get_by_role("navigation", name="工作台导航").get_by_role(
            "link", name="危机个案"
        ).click()
        row = desk.locator("table tbody tr").first
        expect(row.get_by_text("已超时")).to_be_visible()
        snapshot(desk, "crisis-breach-desk")
        row.get_by_role("link").first.click()
        expect(desk.get_by_text("已升级至第 1 级")).to_be_visible()

        # The city's record keeper sees the escalated case in their own list.
        city_desk = desk.context.browser.new_context(
            viewport={"width": 1366, "height": 900}, locale="zh-CN"
        )
        city_page = city_desk.new_page()
        browser_login(city_page, asgi_server, "city-keeper")
        city_page.goto(f"{asgi_server}/console/care/cases/")
        expect(city_page.locator("table tbody tr").first.get_by_text("已超时")).to_be_visible()
        city_desk.close()

        # The keeper calls, then works the case through follow-up to closure.
        desk.get_by_label("类型").select_option("call")
        desk.get_by_role("textbox", name="记录", exact=True).fill(
            "已电话联系本人，情绪稳定，约好明天面谈"
        )
        desk.get_by_role("button", name="保存记录").click()
        expect(desk.get_by_text("处置记录已保存")).to_be_visible()
        for target in ("评估", "干预", "随访"):
            desk.get_by_role("button", name=f"转为{target}").click()
            expect(desk.get_by_text(f"个案状态已更新为“{target}”")).to_be_visible()
        desk.get_by_label("结案理由").fill("连续随访情况稳定，本人同意结案")
        desk.once("dialog", lambda dialog: dialog.accept())
        desk.get_by_role("button", name="转为结案").click()
        expect(desk.get_by_text("个案状态已更新为“结案”")).to_be_visible()
        snapshot(desk, "crisis-closed-desk")
        case.refresh_from_db()
        assert case.status == CaseStatus.CLOSED
        assert case.closing_reason == "连续随访情况稳定，本人同意结案"
        assert [t.to_status for t in case.transitions.all()] == [
            "detected", "assessed", "intervening", "follow_up", "closed",
        ]  # fmt: skip
        assert desk_problems == []
