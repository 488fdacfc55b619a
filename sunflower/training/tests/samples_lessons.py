"""Test data for online lessons: courses, lessons with small generated media, the matrix's."""

from __future__ import annotations

import io
import wave
from typing import Any

import pytest
from django.core.files.base import ContentFile

from conftest import City, make_user
from sunflower.accounts.models import Role, User
from sunflower.orgs.models import Unit
from sunflower.training.models import (
    Course,
    DeliveryMode,
    Lesson,
    QuizQuestion,
    TrainingPlan,
)

# 64 bytes that start like a real MP4 ('ftyp' box, isom brand): enough for sniffing and ranges.
MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(40))


def silent_wav(seconds: float, rate: int = 8000) -> bytes:
    """A valid WAV file of silence (8-bit mono): Chromium plays it in <audio>."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(rate)
        out.writeframes(b"\x80" * int(seconds * rate))
    return buffer.getvalue()


def make_course(
    unit: Unit,
    *,
    published: bool = True,
    counts: bool = True,
    title: str = "心理调适线上课",
    year: int = 2026,
) -> Course:
    plan, _ = TrainingPlan.objects.get_or_create(
        unit=unit, year=year, defaults={"title": f"{unit.name}{year}年度培训计划"}
    )
    return Course.objects.create(
        plan=plan,
        title=title,
        mode=DeliveryMode.ONLINE,
        published=published,
        counts_toward_requirement=counts,
    )


def make_lesson(
    course: Course,
    *,
    data: bytes | None = None,
    content_type: str = "audio/wav",
    duration: int = 100,
    published: bool = True,
    title: str = "呼吸放松训练",
    questions: int = 0,
) -> Lesson:
    data = silent_wav(2) if data is None else data
    lesson = Lesson(
        course=course,
        title=title,
        kind="audio" if content_type.startswith("audio/") else "video",
        content_type=content_type,
        size=len(data),
        duration_seconds=duration,
        published=published,
    )
    lesson.media.save("sample", ContentFile(data), save=False)
    lesson.save()
    for number in range(questions):
        QuizQuestion.objects.create(
            lesson=lesson,
            position=number,
            text=f"第{number + 1}题",
            options=["对", "错"],
            correct_option=0,
        )
    return lesson


def lesson_sample_for_matrix(arg: str, cast: dict[str, Any]) -> int:
    """A published lesson with one quiz question in a city-wide plan: every city-wide
    programme admin manages it and the matrix's cadre (in town A1) may learn it."""
    lesson = cast.get("lesson")
    if lesson is None:
        unit = cast["users"]["programme_admin"].assignments.get().unit
        lesson = make_lesson(make_course(unit), questions=1)
        cast["lesson"] = lesson
    if arg == "course_id":
        return int(lesson.course_id)
    if arg == "question_id":
        question = lesson.questions.first() or QuizQuestion.objects.create(
            lesson=lesson, text="题", options=["对", "错"], correct_option=0
        )
        return int(question.pk)
    return int(lesson.pk)


# Fixtures (imported by the lesson test modules) ---------------------------------------------


@pytest.fixture
def admin_a(city: City) -> User:
    """The programme admin of district A, whose plan the sample course belongs to."""
    return make_user("admin-a", (Role.PROGRAMME_ADMIN, city.district_a))


@pytest.fixture
def admin_b(city: City) -> User:
    """The programme admin of district B: must never see district A's lessons."""
    return make_user("admin-b", (Role.PROGRAMME_ADMIN, city.district_b))


@pytest.fixture
def course(city: City) -> Course:
    return make_course(city.district_a)


@pytest.fixture
def lesson(course: Course) -> Lesson:
    return make_lesson(course, duration=100)
