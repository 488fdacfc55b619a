"""A talk officer records a talk at the desk (and on a phone); the record keeper in scope reads
it; a programme admin cannot, and sees only suppressed counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from conftest import browser_login
from sunflower.accounts.models import User
from sunflower.care import talks
from sunflower.care.models_talks import Talk
from sunflower.orgs.models import Person

pytestmark = pytest.mark.browser
ARTIFACTS = Path("test-artifacts")
NOTE = "谈到孩子高考压力，商定下月再谈"


def snapshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def second_desk(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


class RecordTalkBrowserTestCase:
    def test_a_talk_officer_records_a_talk_that_only_the_keeper_in_scope_reads(
        self,
        live_server: Any,
        desk: Any,
        second_desk: Any,
        phone: Any,
        keeper: User,
        talk_officer: User,
        bob: User,
        subject: Person,
    ) -> None:
        talks.do_assign(keeper, subject.pk, talk_officer.pk)
        problems = watch(desk)
        browser_login(desk, live_server.url, "talk-officer")
        nav = desk.get_by_role("navigation", name="工作台导航")
        nav.get_by_role("link", name="我的谈心对象").click()
        row = desk.locator("table tbody tr").filter(has_text="赵一")
        snapshot(desk, "talks-cadres-desk")
        row.get_by_role("link", name="记录谈话").click()
        desk.get_by_label("谈话类型").select_option("targeted")
        desk.get_by_label("思想").check()
        desk.get_by_label("生活").check()
        desk.locator("input[name=pressure][value='3']").check()
        desk.get_by_label("表达的诉求").fill("希望周末少安排加班")
        desk.get_by_label("商定的措施").fill("与科长沟通排班")
        desk.get_by_label("谈话记录").fill(NOTE)
        snapshot(desk, "talks-form-desk")
        desk.get_by_role("button", name="保存记录").click()
        expect(desk.get_by_text("谈话记录已保存")).to_be_visible()
        talk = Talk.objects.get()
        assert talk.get_details().notes == NOTE
        snapshot(desk, "talks-detail-desk")

        # The same form at a phone's width: one column, nothing wider than the screen.
        browser_login(phone, live_server.url, "talk-officer")
        phone.goto(live_server.url + reverse("care:talk-create", args=[subject.pk]))
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        expect(phone.get_by_role("button", name="保存记录")).to_be_visible()
        snapshot(phone, "talks-form-phone")

        browser_login(second_desk, live_server.url, "keeper")
        nav = second_desk.get_by_role("navigation", name="工作台导航")
        nav.get_by_role("link", name="谈心谈话记录").click()
        second_desk.locator("table tbody tr").filter(has_text="赵一").get_by_role(
            "link", name="查看"
        ).click()
        expect(second_desk.get_by_text(NOTE)).to_be_visible()
        snapshot(second_desk, "talks-keeper-reads")
        entry = talks.do_create_attention(
            keeper,
            subject.pk,
            codes=["heavy_burden"],
            note="子女升学压力",
            talk_every_days=14,
            responsible_id=talk_officer.pk,
            review_on=timezone.localdate() + timedelta(days=60),
        )
        nav.get_by_role("link", name="重点关注").click()
        expect(second_desk.get_by_role("cell", name="心理负担重")).to_be_visible()
        snapshot(second_desk, "attention-list-keeper")
        second_desk.locator("table tbody tr").first.get_by_role("link", name="查看").click()
        expect(
            second_desk.get_by_role("definition").filter(has_text="子女升学压力")
        ).to_be_visible()
        snapshot(second_desk, "attention-detail-keeper")
        second_desk.get_by_role("link", name="退出重点关注").click()
        second_desk.get_by_label("退出理由").fill("复核后情况好转")
        second_desk.get_by_role("button", name="确认退出").click()
        expect(second_desk.locator(".field-error")).to_have_count(1)  # the box was not ticked
        second_desk.get_by_label("我已核实情况，确认将该干部移出重点关注名单").check()
        second_desk.get_by_role("button", name="确认退出").click()
        expect(second_desk.get_by_text("已退出重点关注").first).to_be_visible()
        entry.refresh_from_db()
        assert entry.exit_reason == "复核后情况好转"

        # The programme admin: no talk pages in the navigation, the talk itself refused,
        # and counts only.
        second_desk.context.clear_cookies()
        browser_login(second_desk, live_server.url, "bob")
        nav = second_desk.get_by_role("navigation", name="工作台导航")
        expect(nav.get_by_role("link", name="谈心谈话记录")).to_have_count(0)
        response = second_desk.goto(live_server.url + reverse("care:talk-detail", args=[talk.pk]))
        assert response is not None and response.status == 403
        expect(second_desk.get_by_text(NOTE)).to_have_count(0)
        nav = second_desk.goto(live_server.url + reverse("care:talk-counts"))
        expect(second_desk.get_by_role("heading", name="谈心谈话与重点关注统计")).to_be_visible()
        expect(second_desk.get_by_text("赵一")).to_have_count(0)
        snapshot(second_desk, "talks-counts-admin")
        assert problems == []
