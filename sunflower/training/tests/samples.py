"""Sample training objects for tests and the permission matrix."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from sunflower.orgs.models import Unit
from sunflower.training import checkin
from sunflower.training.models import (
    Attendance,
    AttendanceSource,
    Course,
    DeliveryMode,
    LessonProgress,
    Session,
    TrainingPlan,
)


def make_plan(unit: Unit, year: int = 2026) -> TrainingPlan:
    return TrainingPlan.objects.get_or_create(
        unit=unit, year=year, defaults={"title": f"{unit.name}{year}年度培训计划"}
    )[0]


def make_course(
    unit: Unit, *, counts: bool = True, published: bool = True, year: int = 2026
) -> Course:
    return Course.objects.create(
        plan=make_plan(unit, year),
        title="干部心理健康与压力管理" if counts else "谈心谈话技巧",
        mode=DeliveryMode.TOPICAL_LECTURE,
        counts_toward_requirement=counts,
        published=published,
    )


def make_session(
    course: Course,
    starts_at: datetime | None = None,
    *,
    hours: int = 2,
    capacity: int = 50,
    targets: list[Unit] | None = None,
) -> Session:
    starts_at = starts_at or timezone.now() + timedelta(days=1)
    session = Session.objects.create(
        course=course,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        place="市委党校报告厅",
        capacity=capacity,
    )
    if targets:
        session.target_units.set(targets)
    return session


def training_sample_for_matrix(arg: str, cast: dict[str, Any]) -> Any:
    """A session under way over the whole city, which the cadre has attended."""
    if "training_session" not in cast:
        root = cast["users"]["programme_admin"].assignments.get().unit
        course = make_course(root, year=timezone.localdate().year)
        session = make_session(course, timezone.now() - timedelta(minutes=20), hours=3)
        attendance = Attendance.objects.create(
            session=session,
            person=cast["users"]["cadre"].person,
            checked_in_at=timezone.now(),
            source=AttendanceSource.QR,
        )
        cast["training_session"] = session
        cast["training_attendance"] = attendance
    session = cast["training_session"]
    if arg == "plan_id":
        return session.course.plan_id
    if arg == "course_id":
        return session.course_id
    if arg == "session_id":
        return session.pk
    if arg == "attendance_id":
        return cast["training_attendance"].pk
    if arg == "lesson_id":
        return completed_lesson_for_matrix(cast).pk
    if arg == "token":
        return checkin.make_token(session)
    if arg == "person_id":
        return cast["person"].pk
    raise AssertionError(f"no training sample for {arg!r}")


def completed_lesson_for_matrix(cast: dict[str, Any]) -> Any:
    """A city-wide online lesson of a counting course that the matrix's cadre has completed."""
    from sunflower.training.tests import samples_lessons

    lesson = cast.get("completed_lesson")
    if lesson is None:
        root = cast["users"]["programme_admin"].assignments.get().unit
        lesson = samples_lessons.make_lesson(samples_lessons.make_course(root))
        LessonProgress.objects.create(
            person=cast["users"]["cadre"].person,
            lesson=lesson,
            furthest_seconds=lesson.duration_seconds,
            completed_at=timezone.now(),
        )
        cast["completed_lesson"] = lesson
    return lesson
