"""Browser journeys: on a phone, a cadre listens to a lesson, is caught skipping ahead, goes back
and completes it (served by uvicorn, as in production: the stream is an async iterator there);
on a desk, the admin's upload is refused for its content, then accepted and published."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import City, browser_login, make_user
from sunflower.accounts.models import Role, User
from sunflower.training import lessons
from sunflower.training.models import Course, LessonProgress
from sunflower.training.tests.samples_lessons import make_course, make_lesson, silent_wav

pytestmark = pytest.mark.browser
ARTIFACTS = Path("test-artifacts")
CADRE_LOGIN = "13800000001"


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


def wait_until(page: Any, expression: str, timeout: float = 10) -> None:
    """Poll *expression* (wait_for_function evaluates a string, which the CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


@pytest.fixture
def online_course(city: City) -> Course:
    return make_course(city.district_a, title="压力管理线上课")


class LessonBrowserTestCase:
    def test_a_cadre_listens_to_a_lesson_to_completion(
        self,
        asgi_server: str,
        phone: Any,
        cadre: User,
        online_course: Course,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(lessons, "HEARTBEAT_SECONDS", 1)
        lesson = make_lesson(
            online_course, data=silent_wav(12), duration=12, title="三分钟呼吸放松"
        )
        problems = watch(phone)
        media_statuses: list[int] = []
        phone.on(
            "response",
            lambda r: media_statuses.append(r.status) if r.url.endswith("/media") else None,
        )
        browser_login(phone, asgi_server, CADRE_LOGIN)
        phone.get_by_role("navigation", name="主导航").get_by_role("link", name="学习").click()
        snapshot(phone, "lessons-learn-tab-phone")
        phone.get_by_role("link", name="压力管理线上课").click()
        snapshot(phone, "lessons-course-phone")
        phone.get_by_role("link", name="三分钟呼吸放松").click()
        wait_until(phone, "document.querySelector('audio').readyState >= 1")
        snapshot(phone, "lessons-player-phone")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390

        # Start (a click gives the page the user activation that play() needs), then skip.
        phone.get_by_role("heading", name="三分钟呼吸放松").click()
        phone.evaluate("(() => { const a = document.querySelector('audio'); a.play(); })()")
        phone.wait_for_timeout(2200)
        phone.evaluate("document.querySelector('audio').currentTime = 9")
        skip = phone.get_by_text("检测到快进跳过")
        skip.wait_for(state="visible", timeout=5000)
        phone.wait_for_timeout(1500)
        progress = LessonProgress.objects.get(lesson=lesson)
        assert progress.skip_detected and progress.completed_at is None
        assert progress.furthest_seconds < 6

        # Back to the start and through at 1.5×: complete.
        phone.evaluate(
            "(() => { const a = document.querySelector('audio');"
            " a.currentTime = 0; a.playbackRate = 1.5; a.play(); })()"
        )
        done = phone.get_by_text("本课时已完成")
        done.wait_for(state="visible", timeout=20000)
        snapshot(phone, "lessons-completed-phone")
        progress.refresh_from_db()
        assert progress.completed_at is not None
        assert progress.furthest_seconds >= 0.9 * 12
        assert media_statuses and set(media_statuses) <= {200, 206}
        assert 206 in media_statuses  # the browser asked for a range and got one

        phone.goto(f"{asgi_server}/m/learn/record/lessons/")
        expect(phone.get_by_text("计入每半年必修要求")).to_be_visible()
        snapshot(phone, "lessons-record-phone")
        assert problems == []

    def test_the_admin_uploads_and_previews_a_lesson(
        self, live_server: Any, desk: Any, city: City, online_course: Course, tmp_path: Path
    ) -> None:
        make_user("lesson-admin", (Role.PROGRAMME_ADMIN, city.district_a))
        problems = watch(desk)
        browser_login(desk, live_server.url, "lesson-admin")
        desk.get_by_role("navigation", name="工作台导航").get_by_role(
            "link", name="线上课时"
        ).click()
        desk.get_by_role("link", name="压力管理线上课").click()
        desk.get_by_role("link", name="上传课时").click()
        fake = tmp_path / "lecture.mp4"
        fake.write_bytes(b"PK\x03\x04" + bytes(200))
        desk.get_by_label("课时名称").fill("身体扫描")
        desk.get_by_label("视频或音频文件").set_input_files(str(fake))
        desk.get_by_role("button", name="上传").click()
        expect(desk.get_by_text("无法识别的文件内容")).to_be_visible()
        snapshot(desk, "lessons-upload-refused-desk")
        real = tmp_path / "scan.wav"
        real.write_bytes(silent_wav(5))
        desk.get_by_label("课时名称").fill("身体扫描")
        desk.get_by_label("视频或音频文件").set_input_files(str(real))
        desk.get_by_role("button", name="上传").click()
        expect(desk.get_by_role("heading", name="身体扫描")).to_be_visible()
        expect(desk.get_by_label("时长（秒）")).to_have_value("5")
        wait_until(desk, "document.querySelector('audio').readyState >= 1")
        snapshot(desk, "lessons-edit-desk")
        desk.once("dialog", lambda dialog: dialog.accept())
        desk.get_by_role("button", name="发布", exact=True).click()
        expect(desk.get_by_text("已发布。")).to_be_visible()
        assert problems == []
