"""The mental-health record at the desk: a record keeper in scope finds and reads it; one
outside scope breaks glass (reason, re-authentication) and reads it under the banner; the
audit admin reviews the grant."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, browser_login, totp_code, totp_device
from sunflower.accounts.models import User
from sunflower.care import actions
from sunflower.care.models import BreakGlassGrant, CrisisCase
from sunflower.care.workflow import CaseStatus
from sunflower.orgs.models import Person

pytestmark = pytest.mark.browser
ARTIFACTS = Path("test-artifacts")
REASON = "同事报告该干部今晨发出轻生信息，本人失联，需立即核实既往预警和紧急联系人"


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


@pytest.fixture
def worked_case(keeper: User, subject: Person, open_case: Callable[..., CrisisCase]) -> CrisisCase:
    case = open_case()
    actions.do_transition(keeper, case.pk, CaseStatus.ASSESSED, note="已面谈，评估为高风险")
    return case


class RecordBrowserTestCase:
    def test_a_record_keeper_in_scope_finds_and_reads_the_record(
        self, live_server: Any, desk: Any, keeper: User, subject: Person, worked_case: CrisisCase
    ) -> None:
        problems = watch(desk)
        browser_login(desk, live_server.url, "keeper")
        desk.get_by_role("navigation", name="工作台导航").get_by_role(
            "link", name="心理健康档案"
        ).click()
        desk.get_by_label("姓名或单位").fill("赵一")
        desk.get_by_role("button", name="查找").click()
        desk.get_by_role("link", name="查看档案").click()
        expect(desk.get_by_role("heading", name="心理健康档案：赵一")).to_be_visible()
        expect(desk.get_by_text("已面谈，评估为高风险")).to_be_visible()
        expect(desk.get_by_text("紧急调阅", exact=True)).to_have_count(0)
        snapshot(desk, "care-record-desk")
        assert [p for p in problems if "/ws/" not in p] == []

    def test_a_record_keeper_outside_scope_breaks_glass_and_sees_the_banner(
        self,
        live_server: Any,
        browser: Any,
        desk: Any,
        outsider: User,
        subject: Person,
        worked_case: CrisisCase,
    ) -> None:
        problems = watch(desk)
        browser_login(desk, live_server.url, "outsider")
        desk.get_by_role("navigation", name="工作台导航").get_by_role(
            "link", name="心理健康档案"
        ).click()
        desk.get_by_role("link", name="申请紧急调阅").click()

        desk.wait_for_url(re.compile("/accounts/sudo/"))
        desk.get_by_label("登录密码").fill(PASSWORD)
        desk.get_by_label("动态验证码").fill(totp_code(totp_device(outsider)))
        desk.get_by_role("button", name="确认").click()

        expect(desk.get_by_role("heading", name="紧急调阅", exact=True)).to_be_visible()
        desk.get_by_label("干部身份证号或手机号").fill(subject.id_number or "")
        desk.get_by_label("紧急调阅理由").fill("情况紧急")
        desk.get_by_role("button", name="确认紧急调阅").click()
        expect(desk.locator(".field-error").first).to_be_visible()
        snapshot(desk, "care-break-glass-desk")
        desk.get_by_label("紧急调阅理由").fill(REASON)
        desk.get_by_role("button", name="确认紧急调阅").click()

        banner = desk.get_by_role("alert").filter(has_text="紧急调阅")
        expect(banner).to_be_visible()
        expect(desk.get_by_role("heading", name="心理健康档案：赵一")).to_be_visible()
        expect(desk.get_by_text("已面谈，评估为高风险")).to_be_visible()
        snapshot(desk, "care-record-break-glass-desk")
        assert BreakGlassGrant.objects.get().user == outsider
        assert [p for p in problems if "/ws/" not in p] == []

    def test_the_audit_admin_reviews_the_grant(
        self, live_server: Any, desk: Any, outsider: User, subject: Person, city: Any
    ) -> None:
        from conftest import make_user
        from sunflower.accounts.models import Role
        from sunflower.care import record

        make_user("auditor", (Role.AUDIT_ADMIN, city.city))
        record.do_break_glass(outsider, subject.id_number or "", REASON)
        problems = watch(desk)
        browser_login(desk, live_server.url, "auditor")
        desk.get_by_role("navigation", name="工作台导航").get_by_role(
            "link", name="紧急调阅记录"
        ).click()
        expect(desk.get_by_text(REASON)).to_be_visible()
        snapshot(desk, "care-break-glass-list-desk")
        assert [p for p in problems if "/ws/" not in p] == []
