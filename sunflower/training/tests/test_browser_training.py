"""Browser journeys: the trainer's QR page on a desk, a cadre checking in on a phone, and a
liaison viewing the non-compliant cadres."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import City, browser_login, make_user
from sunflower.accounts.models import User
from sunflower.training.models import Attendance
from sunflower.training.tests.samples import make_course, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = "test-artifacts"


def shot(page: Any, name: str) -> None:
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=f"{ARTIFACTS}/{name}.png", full_page=True)


def test_a_cadre_checks_in_with_the_code_on_the_projector(
    live_server: Any, desk: Any, phone: Any, city: City, alice: User, cadre: User
) -> None:
    session = make_session(
        make_course(city.city), timezone.now() - timedelta(minutes=3), targets=[city.district_a]
    )
    browser_login(desk, live_server.url, "alice")
    desk.goto(f"{live_server.url}/console/training/sessions/{session.pk}/qr/")
    desk.wait_for_selector("#qr-link svg")
    shot(desk, "training-qr")
    link = desk.get_attribute("#qr-link", "href")
    assert "/m/training/checkin/" in link

    browser_login(phone, live_server.url, "13800000001")
    phone.goto(link)
    result = phone.locator("#checkin-result")
    expect(result).to_contain_text("签到成功")
    shot(phone, "training-checkin")
    phone.goto(link)
    expect(phone.locator("#checkin-result")).to_contain_text("无需重复扫码")
    assert Attendance.objects.filter(session=session).count() == 1
    # Within a window the projector shows a new code, and the count follows.
    expect(desk.locator("#qr-count")).to_have_text("1", timeout=35000)
    assert desk.get_attribute("#qr-link", "href") != link


def test_a_liaison_views_the_non_compliant_cadres(
    live_server: Any, desk: Any, city: City, make_person: Any
) -> None:
    make_user("liaison-a", ("liaison", city.district_a))
    make_person(unit=city.town_a1, name="未参训干部")
    browser_login(desk, live_server.url, "liaison-a")
    desk.goto(f"{live_server.url}/console/training/compliance/")
    shot(desk, "training-compliance")
    desk.get_by_role("link", name="未完成干部名单").first.click()
    desk.wait_for_selector("#non-compliant")
    expect(desk.locator("#non-compliant")).to_contain_text("未参训干部")
    shot(desk, "training-non-compliant")
