"""Browser journeys: a cadre consents, withdraws and asks for deletion on a phone; a record
keeper approves it on a desk, re-authenticating on the way."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, browser_login, totp_code, totp_device
from sunflower.accounts.models import User
from sunflower.keystore import keyring
from sunflower.keystore.models import DataKey
from sunflower.privacy import actions
from sunflower.privacy.models import ConsentNotice, DeletionStatus

pytestmark = pytest.mark.browser
ARTIFACTS = Path("test-artifacts")


def snapshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def watch(page: Any) -> list[str]:
    problems: list[str] = []
    # Errors and warnings (a CSP violation is one); Chromium's verbose DOM hints are not.
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if message.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


class CadrePrivacyBrowserTestCase:
    def test_a_cadre_consents_withdraws_and_asks_for_deletion(
        self, live_server: Any, phone: Any, cadre: User, notice: ConsentNotice
    ) -> None:
        problems = watch(phone)
        browser_login(phone, live_server.url, "13800000001")
        phone.get_by_role("navigation", name="主导航").get_by_role("link", name="我的").click()
        phone.get_by_role("link", name="个人信息与授权").click()
        expect(phone.get_by_text("尚未同意")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390

        phone.get_by_role("link", name="阅读告知书").click()
        expect(phone.get_by_role("heading", level=1)).to_have_text("心理健康服务个人信息处理告知书")
        box = phone.get_by_label(
            "我已阅读并理解上述告知书，单独同意平台按告知书处理我的心理健康信息"
        )
        expect(box).not_to_be_checked()
        phone.get_by_role("button", name="同意", exact=True).click()
        expect(phone.get_by_text("请先勾选，表示您已阅读并单独同意")).to_be_visible()
        phone.get_by_label(
            "我已阅读并理解上述告知书，单独同意平台按告知书处理我的心理健康信息"
        ).check()
        phone.get_by_role("button", name="同意", exact=True).click()
        expect(phone.get_by_text("已记录您的同意")).to_be_visible()
        snapshot(phone, "privacy-overview-phone")

        phone.get_by_role("link", name="撤回同意").click()
        expect(phone.get_by_text("不能再参加需要保存结果的心理测评")).to_be_visible()
        phone.get_by_role("button", name="确认撤回同意").click()
        expect(phone.get_by_text("尚未同意")).to_be_visible()

        phone.get_by_role("link", name="申请删除").click()
        phone.get_by_label("申请理由（选填）").fill("调离后不再需要")
        phone.get_by_label("我了解：删除后这些信息将永久无法恢复").check()
        phone.get_by_role("button", name="提交删除申请").click()
        expect(phone.get_by_text("待审核")).to_be_visible()
        expect(phone.get_by_text("调离后不再需要")).to_be_visible()
        assert problems == []


class RecordKeeperBrowserTestCase:
    def test_a_record_keeper_approves_a_deletion_after_re_authenticating(
        self, live_server: Any, desk: Any, cadre: User, keeper: User
    ) -> None:
        deletion = actions.do_request_deletion(cadre, "调离")
        problems = watch(desk)
        browser_login(desk, live_server.url, "keeper")
        desk.get_by_role("navigation", name="工作台导航").get_by_role(
            "link", name="删除申请"
        ).click()
        snapshot(desk, "privacy-deletions-desk")
        desk.get_by_role("link", name="审核").click()
        desk.get_by_label("确认删除：请输入申请人的姓名").fill("王小明")
        desk.get_by_role("button", name="同意并永久删除").click()

        desk.wait_for_url(re.compile("/accounts/sudo/"))
        desk.get_by_label("登录密码").fill(PASSWORD)
        desk.get_by_label("动态验证码").fill(totp_code(totp_device(keeper)))
        desk.get_by_role("button", name="确认").click()
        desk.get_by_label("确认删除：请输入申请人的姓名").fill("王小明")
        desk.get_by_role("button", name="同意并永久删除").click()

        expect(desk.get_by_text("已同意并完成删除")).to_be_visible()
        deletion.refresh_from_db()
        assert deletion.status == DeletionStatus.DONE
        key = DataKey.objects.get(subject=keyring.person_subject(cadre.person.pk))
        assert key.shredded_at is not None
        # The live-alert socket (care) has no WebSocket server under the WSGI live server.
        assert [p for p in problems if "/ws/" not in p] == []
