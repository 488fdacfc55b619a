"""Browser journey on a desk: a programme admin recommends an article for a result band."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from sunflower.accounts.models import User
from sunflower.audit.models import AuditEvent
from sunflower.content import actions
from sunflower.content.models import Recommendation
from sunflower.content.tests.test_search import make_item

pytestmark = pytest.mark.browser


class RecommendationBrowserTestCase:
    def test_the_admin_adds_a_rule_sees_the_preview_and_deletes_it(
        self, live_server: Any, desk: Any, bob: User
    ) -> None:
        problems: list[str] = []
        desk.on("pageerror", lambda error: problems.append(str(error)))
        item = make_item(bob, "情绪低落时可以做的五件小事", "正文")
        actions.do_save_item(bob, item, fields={}, tags=actions.tags_from_text("情绪"))

        browser_login(desk, live_server.url, "bob")
        desk.goto(f"{live_server.url}/console/content/")
        desk.get_by_role("link", name="测评结果推荐").click()
        expect(desk.get_by_text("还没有推荐规则")).to_be_visible()
        desk.get_by_role("link", name="添加规则").first.click()

        target = desk.get_by_label("量表与结果分级")
        target.select_option(label="PHQ-9 · 中度抑郁症状")
        desk.get_by_role("button", name="保存").click()  # neither a tag nor an item
        expect(desk.get_by_text("请选择一个标签，或指定一条内容。")).to_be_visible()
        desk.get_by_label("标签").select_option(label="情绪")
        desk.get_by_role("button", name="保存").click()
        desk.wait_for_load_state("networkidle")

        expect(desk.get_by_text("已添加推荐规则")).to_be_visible()
        preview = desk.get_by_role("row").filter(has_text="中度抑郁症状")
        expect(preview).to_contain_text("情绪低落时可以做的五件小事")
        rule = Recommendation.objects.get()
        assert rule.tag is not None
        assert (rule.instrument_id, rule.band_code, rule.tag.name) == ("phq9", "moderate", "情绪")

        preview.get_by_role("link", name="删除").click()
        desk.get_by_role("button", name="确认删除").click()
        desk.wait_for_load_state("networkidle")
        expect(desk.get_by_text("已删除推荐规则")).to_be_visible()
        assert not Recommendation.objects.exists()
        assert AuditEvent.objects.filter(action="content.recommendation.delete").exists()
        assert problems == []
