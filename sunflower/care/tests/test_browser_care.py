"""A record keeper reviews a red warning at the desk and works the case that it opens."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from sunflower.accounts.models import User
from sunflower.care.models import CaseAction, CrisisCase, RiskWarning, WarningStatus
from sunflower.orgs.models import Person

pytestmark = pytest.mark.browser
ARTIFACTS = Path("test-artifacts")


def snapshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


class ReviewWarningBrowserTestCase:
    def test_a_record_keeper_confirms_a_red_warning_and_records_a_call(
        self,
        live_server: Any,
        desk: Any,
        keeper: User,
        subject: Person,
        raise_warning: Callable[..., RiskWarning],
    ) -> None:
        raise_warning(subject, "yellow")
        warning = raise_warning(subject, "red")
        problems: list[str] = []
        desk.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        desk.on("pageerror", lambda error: problems.append(str(error)))
        browser_login(desk, live_server.url, "keeper")
        nav = desk.get_by_role("navigation", name="工作台导航")
        nav.get_by_role("link", name="风险预警").click()
        rows = desk.locator("table tbody tr")
        expect(rows.first.get_by_text("一级（红色）")).to_be_visible()
        snapshot(desk, "care-warnings-desk")

        rows.first.get_by_role("link", name="审核").click()
        expect(desk.get_by_text("谈话中流露轻生念头")).to_be_visible()
        snapshot(desk, "care-warning-review-desk")
        desk.get_by_role("button", name="提交审核结论").click()

        expect(desk.get_by_text("已确认预警，并已建立（或并入）危机个案")).to_be_visible()
        warning.refresh_from_db()
        assert warning.status == WarningStatus.CONFIRMED
        case = CrisisCase.objects.get()
        desk.wait_for_url(re.compile(f"/console/care/cases/{case.pk}/"))
        desk.get_by_label("类型").select_option("call")
        desk.get_by_role("textbox", name="记录", exact=True).fill("已电话联系本人，同意明日面谈")
        desk.get_by_role("button", name="保存记录").click()
        expect(desk.get_by_text("处置记录已保存")).to_be_visible()
        assert CaseAction.objects.get().note == "已电话联系本人，同意明日面谈"
        desk.get_by_role("button", name="转为评估").click()
        expect(desk.get_by_text("个案状态已更新为“评估”")).to_be_visible()
        snapshot(desk, "care-case-desk")

        nav.get_by_role("link", name="危机个案").click()
        snapshot(desk, "care-cases-desk")
        assert [p for p in problems if "/ws/" not in p] == []
