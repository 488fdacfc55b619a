"""The audit administrator searches the trail and verifies the chain in a real browser."""

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from conftest import City, browser_login, make_user, totp_device
from sunflower.accounts.models import Role, User
from sunflower.audit import chain
from sunflower.audit.events import record

pytestmark = pytest.mark.browser


@pytest.fixture
def auditor(city: City) -> User:
    user = make_user("auditor", (Role.AUDIT_ADMIN, city.city))
    totp_device(user)
    return user


class AuditBrowserTestCase:
    def test_the_audit_admin_searches_and_verifies_the_trail(
        self, live_server: Any, desk: Any, auditor: User, alice: User
    ) -> None:
        record("roster.create", actor=alice, changes={"fields": ["name"]})
        record("role.grant", actor=auditor)
        browser_login(desk, live_server.url, "auditor")
        desk.get_by_role("navigation", name="工作台导航").get_by_role(
            "link", name="审计日志"
        ).click()
        desk.get_by_label("操作", exact=True).fill("roster.")
        desk.get_by_role("button", name="查询").click()
        rows = desk.locator("table tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("roster.create")

        desk.get_by_role("button", name="校验审计链").click()
        expect(desk.get_by_role("status")).to_contain_text("审计链完整")
        Path("test-artifacts").mkdir(exist_ok=True)
        desk.screenshot(path="test-artifacts/audit-verified.png", full_page=True)

    def test_the_page_names_a_tampered_entry(
        self, live_server: Any, desk: Any, auditor: User
    ) -> None:
        event = record("roster.create")
        chain.seal_all()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = replica")
            cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.pk])
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")
        browser_login(desk, live_server.url, "auditor")
        desk.goto(f"{live_server.url}/console/audit/")
        desk.get_by_role("button", name="校验审计链").click()
        expect(desk.locator(".messages")).to_contain_text("审计链校验失败")
        expect(desk.locator(".messages")).to_contain_text(f"事件编号 {event.pk}")
