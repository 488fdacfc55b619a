"""Streaming lesson media with HTTP range requests, to the people allowed to see it."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient
from django.urls import reverse

from conftest import City, logged_in, make_user
from sunflower.accounts.models import Role, User
from sunflower.training.models import Course, Lesson
from sunflower.training.tests.samples_lessons import make_course, make_lesson

DATA = bytes(range(256)) * 40  # 10,240 bytes, each position recognisable


@pytest.fixture
def video(course: Course) -> Lesson:
    # Not a playable file, but a recognisable one: the stream does not care what is inside.
    return make_lesson(course, data=DATA, content_type="video/mp4")


def get(client: Any, lesson: Lesson, **headers: str) -> Any:
    return client.get(reverse("lessons:media", args=[lesson.pk]), headers=headers)


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


class RangeTestCase:
    def test_it_sends_the_whole_file_without_a_range(self, cadre: User, video: Lesson) -> None:
        response = get(logged_in(cadre), video)
        assert response.status_code == 200
        assert response["Accept-Ranges"] == "bytes"
        assert response["Content-Type"] == "video/mp4"
        assert response["Content-Length"] == str(len(DATA))
        assert "private" in response["Cache-Control"]
        assert response.streaming
        assert body(response) == DATA

    @pytest.mark.parametrize(
        ("header", "start", "end"),
        [
            ("bytes=0-99", 0, 99),  # the first bytes, as a player probes
            ("bytes=5000-5999", 5000, 5999),  # the middle, after a seek
            ("bytes=-1000", 9240, 10239),  # suffix
            ("bytes=10000-", 10000, 10239),  # open-ended
            ("bytes=10000-99999", 10000, 10239),  # an end past the file
        ],
    )
    def test_it_answers_a_range_with_206(
        self, cadre: User, video: Lesson, header: str, start: int, end: int
    ) -> None:
        response = get(logged_in(cadre), video, Range=header)
        assert response.status_code == 206
        assert response["Content-Range"] == f"bytes {start}-{end}/{len(DATA)}"
        assert response["Content-Length"] == str(end - start + 1)
        assert response["Accept-Ranges"] == "bytes"
        assert body(response) == DATA[start : end + 1]

    @pytest.mark.parametrize("header", ["bytes=10240-", "bytes=20000-20100", "bytes=-0"])
    def test_it_answers_416_outside_the_file(self, cadre: User, video: Lesson, header: str) -> None:
        response = get(logged_in(cadre), video, Range=header)
        assert response.status_code == 416
        assert response["Content-Range"] == f"bytes */{len(DATA)}"

    def test_it_sends_everything_for_several_ranges(self, cadre: User, video: Lesson) -> None:
        response = get(logged_in(cadre), video, Range="bytes=0-1,5-6")
        assert response.status_code == 200
        assert body(response) == DATA

    def test_it_streams_in_chunks(self, cadre: User, course: Course, settings: Any) -> None:
        big = make_lesson(course, data=b"\x00" * (200 * 1024), content_type="video/mp4")
        chunks = list(get(logged_in(cadre), big).streaming_content)
        assert len(chunks) == 4 and max(len(c) for c in chunks) == 64 * 1024

    def test_it_answers_head_without_a_body(self, cadre: User, video: Lesson) -> None:
        response = logged_in(cadre).head(reverse("lessons:media", args=[video.pk]))
        assert response.status_code == 200
        assert response["Content-Length"] == str(len(DATA))

    def test_it_streams_asynchronously_under_asgi(self, cadre: User, video: Lesson) -> None:
        # Under ASGI a synchronous iterator would be read whole before the first byte is sent.
        async def fetch() -> tuple[Any, bytes]:
            client = AsyncClient()
            await client.aforce_login(cadre)
            response = await client.get(
                reverse("lessons:media", args=[video.pk]), headers={"Range": "bytes=100-199"}
            )
            return response, b"".join([part async for part in response.streaming_content])

        response, content = async_to_sync(fetch)()
        assert response.status_code == 206
        assert response.is_async
        assert content == DATA[100:200]


class MediaAccessTestCase:
    def test_it_asks_for_login(self, video: Lesson) -> None:
        response = get(logged_in_anonymous(), video)
        assert response.status_code == 302

    def test_it_hides_an_unpublished_lesson_from_cadres(self, cadre: User, course: Course) -> None:
        draft = make_lesson(course, published=False)
        assert get(logged_in(cadre), draft).status_code == 404

    def test_it_hides_a_lesson_of_an_unpublished_course(self, cadre: User, city: City) -> None:
        hidden = make_lesson(make_course(city.district_a, published=False))
        assert get(logged_in(cadre), hidden).status_code == 404

    def test_it_hides_another_units_lesson_from_cadres(self, cadre: User, city: City) -> None:
        elsewhere = make_lesson(make_course(city.district_b))
        assert get(logged_in(cadre), elsewhere).status_code == 404

    def test_it_serves_a_city_wide_plans_lesson_to_every_cadre(
        self, cadre: User, city: City
    ) -> None:
        citywide = make_lesson(make_course(city.city, title="全市线上课"))
        assert get(logged_in(cadre), citywide).status_code == 200

    def test_it_serves_a_draft_to_the_admin_managing_it(
        self, admin_a: User, course: Course
    ) -> None:
        draft = make_lesson(course, published=False)
        assert get(logged_in(admin_a), draft).status_code == 200

    def test_it_hides_a_lesson_from_another_units_admin(self, admin_b: User, video: Lesson) -> None:
        assert get(logged_in(admin_b), video).status_code == 404

    def test_it_refuses_other_staff(self, city: City, video: Lesson) -> None:
        liaison = make_user("liaison-a", (Role.LIAISON, city.district_a))
        assert get(logged_in(liaison), video).status_code == 403


def logged_in_anonymous() -> Any:
    from django.test import Client

    return Client()
