"""Browser journey on a desk: a record keeper opens a campaign response with a quality flag."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, City, browser_login, totp_code, totp_device
from sunflower.accounts.models import User
from sunflower.assessments.tests.helpers import PHQ9_MODERATE
from sunflower.assessments.tests.records import keeper, open_campaign, take

pytestmark = pytest.mark.browser
ARTIFACTS = Path("test-artifacts")


def snapshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


class RecordKeeperBrowserTestCase:
    def test_a_record_keeper_opens_a_response_with_a_quality_flag(
        self, live_server: Any, desk: Any, bob: User, city: City, consenting: User
    ) -> None:
        problems: list[str] = []
        desk.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        desk.on("pageerror", lambda error: problems.append(str(error)))
        open_campaign(bob, city.city)
        take(consenting, "phq9", PHQ9_MODERATE, slowly=False)  # answered at once: too fast
        keeper("keeper-a", city.district_a)

        browser_login(desk, live_server.url, "keeper-a")
        desk.get_by_role("link", name="测评结果").first.click()
        desk.wait_for_load_state("networkidle")
        expect(desk.get_by_role("cell", name="作答过快")).to_be_visible()
        snapshot(desk, "records-result-list-desk")

        desk.get_by_role("link", name="王小明").click()
        desk.wait_for_load_state("networkidle")
        notice = desk.get_by_role("region", name="作答质量提示")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("不会因为这些提示被删除或作废")
        expect(desk.get_by_role("heading", name="逐题作答")).to_be_visible()
        expect(desk.get_by_role("link", name="下载 PDF 报告")).to_be_visible()
        snapshot(desk, "records-result-detail-desk")
        # The live-alert socket (care app) needs the ASGI server, which live_server is not.
        assert [p for p in problems if "/ws/" not in p] == []

    def test_a_record_keeper_requests_an_export_after_reauthenticating(
        self, live_server: Any, desk: Any, bob: User, city: City, consenting: User
    ) -> None:
        open_campaign(bob, city.district_a, name="东港区普查")
        user = keeper("keeper-a", city.district_a)
        keeper("keeper-city", city.city)

        browser_login(desk, live_server.url, "keeper-a")
        desk.get_by_role("link", name="测评数据导出").first.click()
        desk.get_by_role("link", name="申请导出").click()
        desk.get_by_label("密码").fill(PASSWORD)
        desk.get_by_label("动态验证码").fill(totp_code(totp_device(user)))
        desk.get_by_role("button", name="确认").click()
        desk.wait_for_load_state("networkidle")

        desk.get_by_label("测评活动").select_option(index=1)  # the one campaign
        desk.get_by_label("CSV 文本（.csv）").check()
        desk.get_by_label("用途说明").fill("年度普查结果汇总分析")
        snapshot(desk, "records-export-form-desk")
        desk.get_by_role("button", name="提交申请").click()
        desk.wait_for_load_state("networkidle")
        expect(desk.get_by_text("须由另一位档案管理员审批").first).to_be_visible()
        expect(desk.get_by_text("待审批").first).to_be_visible()
        snapshot(desk, "records-export-detail-desk")
