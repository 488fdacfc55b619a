"""Browser journey on a desk: the city-wide programme admin raises a warning threshold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, browser_login, totp_code, totp_device
from sunflower.accounts.models import User
from sunflower.assessments.models import WarningRule
from sunflower.audit.models import AuditEvent

pytestmark = pytest.mark.browser
ARTIFACTS = Path("test-artifacts")


class WarningRuleBrowserTestCase:
    def test_the_admin_raises_phq9s_yellow_threshold_after_reauthenticating(
        self, live_server: Any, desk: Any, bob: User
    ) -> None:
        problems: list[str] = []
        desk.on("pageerror", lambda error: problems.append(str(error)))
        yellow = WarningRule.objects.get(instrument_id="phq9", tier="yellow")

        browser_login(desk, live_server.url, "bob")
        desk.get_by_role("link", name="预警规则").first.click()
        desk.wait_for_load_state("networkidle")
        row = desk.get_by_role("row").filter(has_text="PHQ-9")
        row.get_by_role("link", name="修改").last.click()  # the yellow column's rule
        desk.get_by_label("密码").fill(PASSWORD)
        desk.get_by_label("动态验证码").fill(totp_code(totp_device(bob)))
        desk.get_by_role("button", name="确认").click()
        desk.wait_for_load_state("networkidle")

        # Outside 0–27: refused, and the reason typed is kept.
        desk.get_by_label("阈值", exact=True).fill("40")
        desk.get_by_label("修改原因").fill("依据专家组意见调整三级预警阈值")
        desk.get_by_role("button", name="保存").click()
        desk.wait_for_load_state("networkidle")
        expect(desk.get_by_text("阈值应在该分数可能的范围 0–27 之内。")).to_be_visible()
        expect(desk.get_by_label("修改原因")).to_have_value("依据专家组意见调整三级预警阈值")

        desk.get_by_label("阈值", exact=True).fill("12")
        desk.get_by_role("button", name="保存").click()
        desk.wait_for_load_state("networkidle")
        expect(desk.get_by_text("新提交的结果即按新规则提出预警提示")).to_be_visible()
        expect(desk.get_by_role("row").filter(has_text="PHQ-9")).to_contain_text("≥ 12")
        ARTIFACTS.mkdir(exist_ok=True)
        desk.screenshot(path=str(ARTIFACTS / "warning-rules-saved-desk.png"), full_page=True)

        yellow.refresh_from_db()
        assert yellow.threshold == 12
        event = AuditEvent.objects.get(action="warning_rule.update")
        assert event.changes["reason"] == "依据专家组意见调整三级预警阈值"
        assert problems == []
