"""The roster import journey in a real Chromium at a desktop viewport."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from sunflower.accounts.models import User
from sunflower.orgs.models import Person
from sunflower.orgs.tests.rosterfiles import cadre, xlsx

pytestmark = pytest.mark.browser
ARTIFACTS = Path("test-artifacts")


class ImportBrowserTestCase:
    def test_a_liaison_fixes_a_file_and_imports_it(
        self, live_server: Any, desk: Any, alice: User, tmp_path: Path
    ) -> None:
        bad, good = tmp_path / "bad.xlsx", tmp_path / "good.xlsx"
        bad.write_bytes(
            xlsx([cadre(1), cadre(2, 手机号="1380013800"), cadre(3, 单位代码="370200")])
        )
        good.write_bytes(xlsx([cadre(1), cadre(2), cadre(3)]))
        browser_login(desk, live_server.url, "alice")
        desk.goto(f"{live_server.url}/console/roster/import/")

        desk.set_input_files("input[type=file]", str(bad))
        desk.get_by_role("button", name="上传并校验").click()
        desk.wait_for_load_state("networkidle")
        errors = desk.locator("table.import-errors tbody tr")
        expect(errors).to_have_count(2)
        assert errors.nth(0).inner_text().split("\t")[:2] == ["3", "手机号"]
        expect(desk.get_by_role("button", name="确认导入")).to_have_count(0)
        ARTIFACTS.mkdir(exist_ok=True)
        desk.screenshot(path=str(ARTIFACTS / "roster-import-errors.png"), full_page=True)

        desk.get_by_role("link", name="重新上传文件").click()
        desk.set_input_files("input[type=file]", str(good))
        desk.get_by_role("button", name="上传并校验").click()
        desk.wait_for_load_state("networkidle")
        desk.get_by_role("button", name="确认导入").click()
        desk.wait_for_load_state("networkidle")
        expect(desk.get_by_role("heading", level=1)).to_have_text("导入完成")
        assert Person.objects.count() == 3
