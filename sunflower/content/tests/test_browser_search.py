"""A cadre searches the knowledge base in Chinese on a phone and sees highlighted results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from sunflower.accounts.models import User
from sunflower.content.tests.test_search import make_item

pytestmark = pytest.mark.browser
ARTIFACTS = Path("test-artifacts")


class SearchBrowserTestCase:
    def test_a_cadre_finds_an_article_by_a_word_inside_its_title(
        self, live_server: Any, phone: Any, bob: User, cadre: User
    ) -> None:
        make_item(bob, "考试焦虑怎么办", "遴选考试前紧张很正常。<b>粗体</b>")
        make_item(bob, "午休二十分钟", "短暂的午睡能提高下午的专注力。")
        problems: list[str] = []
        phone.on("pageerror", lambda error: problems.append(str(error)))
        browser_login(phone, live_server.url, "cadre")
        phone.goto(f"{live_server.url}/m/learn/")
        phone.get_by_role("searchbox", name="搜索心理健康知识").fill("焦虑")
        phone.get_by_role("button", name="搜索").click()
        phone.wait_for_load_state("networkidle")
        results = phone.locator(".kb-results li")
        expect(results).to_have_count(1)
        expect(results.first.locator("mark").first).to_have_text("焦虑")
        assert "<b>粗体</b>" in results.first.inner_text()  # shown as text, not markup
        ARTIFACTS.mkdir(exist_ok=True)
        phone.screenshot(path=str(ARTIFACTS / "content-search-phone.png"), full_page=True)
        results.first.get_by_role("link").click()
        phone.wait_for_load_state("networkidle")
        expect(phone.get_by_role("heading", level=1)).to_have_text("考试焦虑怎么办")
        assert problems == []
