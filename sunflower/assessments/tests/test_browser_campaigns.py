"""Browser journey: a programme admin runs an anonymous campaign; a cadre answers it on a phone,
sees help for a crisis answer, and the database keeps no identity with the response."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import browser_login
from sunflower.accounts.models import User
from sunflower.assessments.models import (
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignMode,
    CampaignStatus,
    Response,
    ResponseStatus,
)
from sunflower.assessments.tests.test_browser_assessments import (
    CADRE_LOGIN,
    answer,
    snapshot,
    watch,
)
from sunflower.audit.models import AuditEvent

pytestmark = pytest.mark.browser


class AnonymousCampaignBrowserTestCase:
    def test_an_anonymous_campaign_stores_no_identity(
        self, live_server: Any, desk: Any, phone: Any, bob: User, consenting: User
    ) -> None:
        desk_problems = watch(desk)
        browser_login(desk, live_server.url, "bob")
        nav = desk.get_by_role("navigation", name="工作台导航")
        nav.get_by_role("link", name="测评活动").click()
        desk.get_by_role("link", name="新建测评活动").click()
        desk.get_by_label("名称").fill("2026 年冬季匿名普查")
        desk.get_by_label("患者健康问卷抑郁量表（PHQ-9）").check()
        desk.get_by_label("测评范围（含下级单位）").select_option(label="滨海市（370000）")
        now = timezone.localtime()
        desk.get_by_label("开放时间").fill((now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
        desk.get_by_label("截止时间").fill((now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
        desk.get_by_label("匿名", exact=False).first.check()
        snapshot(desk, "campaign-create-desk")
        desk.get_by_role("button", name="创建").click()
        desk.once("dialog", lambda dialog: dialog.accept())
        desk.get_by_role("button", name="开始测评活动").click()
        desk.get_by_text("测评活动已开始").wait_for()
        snapshot(desk, "campaign-detail-desk")
        campaign = Campaign.objects.get()
        assert (campaign.mode, campaign.status) == (CampaignMode.ANONYMOUS, CampaignStatus.OPEN)

        problems = watch(phone)
        browser_login(phone, live_server.url, CADRE_LOGIN)
        phone.get_by_role("navigation", name="主导航").get_by_role("link", name="测评").click()
        task = phone.get_by_role("region", name="待完成的测评任务")
        expect(task.get_by_text("匿名方式：不保存您的身份")).to_be_visible()
        task.get_by_role("link", name="开始作答").click()
        expect(phone.get_by_text("无法通知任何人来联系您")).to_be_visible()
        snapshot(phone, "campaign-anonymous-intro-phone")
        phone.get_by_role("button", name="开始测评").click()
        for number in range(1, 6):
            answer(phone, number, "完全不会")
        phone.get_by_role("button", name="下一页").click()
        for number in range(6, 9):
            answer(phone, number, "完全不会")
        answer(phone, 9, "好几天")
        phone.get_by_role("button", name="提交").click()

        panel = phone.get_by_role("alert").filter(has_text="您不必独自面对")
        expect(panel).to_be_visible()
        expect(panel.get_by_text("无法通知任何人来联系您")).to_be_visible()
        snapshot(phone, "campaign-anonymous-result-phone")

        stored = Response.objects.get(campaign=campaign, status=ResponseStatus.SUBMITTED)
        assert stored.person_id is None
        assert stored.submission_token is None
        assert not Response.objects.filter(person=consenting.person, answers__isnull=False).exists()
        assignment = Assignment.objects.get(campaign=campaign, person=consenting.person)
        assert (assignment.status, assignment.response_id) == (AssignmentStatus.DONE, None)
        assert not AuditEvent.objects.filter(action="warning.proposed").exists()
        assert not AuditEvent.objects.filter(object_id=str(stored.pk)).exists()
        assert problems == []
        assert desk_problems == []
