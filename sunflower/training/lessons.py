"""Online lessons: who may see and manage them, and the rules that turn playback into credit.

Access. A programme admin manages the lessons of courses whose plan's unit is in their scope.
A cadre sees a lesson when it and its course are published and the cadre's unit is within the
plan's unit. Everything else answers 404, as if the lesson did not exist.

Progress (`do_record_heartbeat`). The lesson page's script reports, every few seconds and on
play, pause, seek and end, the player's position and the seconds elapsed since its previous
report. The server trusts neither number alone:

* The step from the previous report is *continuous* when the position moved forward by no more
  than `SPEED_LIMIT` × the elapsed time + a small tolerance, where the elapsed time is the
  smaller of what the client says and what the server's clock saw (capped at `MAX_STEP`).
* `furthest_seconds` is the end of the span [0, furthest] the cadre has played continuously
  from the start: a continuous step that begins inside that span (or within the tolerance of
  its end) extends it to where the step ended. Continuous steps elsewhere count toward
  `watched_seconds` (a statistic) but do not extend the span.
* A step that jumps past `furthest_seconds` faster than playback could is a skip: it sets
  `skip_detected` and is not credited. Seeking backwards, or forwards within the span already
  reached, is never a skip. After a skip the player is *off the span* (`off_span`) until it
  comes back inside it: no tolerance at the span's end then, or a row of jumps each just under
  the tolerance, with a moment of play between them, would carry the span forward.
* However the steps add up, the span never grows beyond `SPEED_LIMIT` × the time the server
  saw pass during the steps that extended it (`span_play_seconds`): the per-step tolerance
  cannot be turned into faster-than-1.5× playback.

A lesson is *completed* when `furthest_seconds` ≥ 90 % of its duration — so every second up to
that point was played at (at most 1.5×) normal speed without skipping ahead, and a cadre who
skipped must go back to where the span ends and watch on from there — and, when the lesson has
quiz questions, the quiz is passed (score ≥ pass mark, any number of attempts). Completion is
recorded once, with an audit entry, under a row lock.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from sunflower.accounts.models import Role, User
from sunflower.accounts.scope import scope_roots, unit_in_scope
from sunflower.audit.events import changed_fields, record
from sunflower.orgs.models import Person
from sunflower.training.models import Course, Lesson, LessonProgress, QuizQuestion

ADMIN_ROLES = (Role.PROGRAMME_ADMIN,)
COMPLETION_SHARE = 0.9
SPEED_LIMIT = 1.5  # playbackRate up to 1.5× is fine; faster is skimming
TOLERANCE = 2.0  # seconds: timer jitter and the player's own rounding
MAX_STEP = 60.0  # seconds: the longest gap between reports one step may cover
MAX_DURATION = 24 * 3600
HEARTBEAT_SECONDS = 10  # how often the player reports while playing (tests shorten it)


# Access ------------------------------------------------------------------------------------


def courses_for_admin(user: User) -> QuerySet[Course]:
    condition = Q(pk__in=[])
    for root in scope_roots(user, ADMIN_ROLES):
        condition |= Q(plan__unit__path__startswith=root.path)
    return Course.objects.filter(condition).select_related("plan", "plan__unit")


def get_course_for_admin(user: User, course_id: int) -> Course:
    course = courses_for_admin(user).filter(pk=course_id).first()
    if course is None:
        raise Http404
    return course


def get_lesson_for_admin(user: User, lesson_id: int) -> Lesson:
    lesson = (
        Lesson.objects.select_related("course", "course__plan", "course__plan__unit")
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise Http404
    if not unit_in_scope(user, lesson.course.plan.unit, ADMIN_ROLES):
        raise Http404
    return lesson


def person_of(user: User) -> Person:
    person = Person.objects.select_related("unit").filter(user=user).first()
    if person is None:
        raise Http404
    return person


def lessons_for_cadre(person: Person) -> QuerySet[Lesson]:
    """Published lessons of published courses whose plan covers the cadre's unit."""
    # The unit's path lists its ancestors' ids and its own (orgs.models.Unit).
    covering = [int(part) for part in person.unit.path.strip("/").split("/") if part]
    return Lesson.objects.filter(
        published=True,
        course__published=True,
        course__plan__unit_id__in=covering,
    ).select_related("course")


def get_lesson_for_cadre(person: Person, lesson_id: int) -> Lesson:
    lesson = lessons_for_cadre(person).filter(pk=lesson_id).first()
    if lesson is None:
        raise Http404
    return lesson


def get_lesson_for_viewer(user: User, lesson_id: int) -> Lesson:
    """For the media stream: the cadre's published lesson, or a lesson the admin manages."""
    if user.has_role(*ADMIN_ROLES):
        try:
            return get_lesson_for_admin(user, lesson_id)
        except Http404:
            pass
    if user.has_role(Role.CADRE):
        return get_lesson_for_cadre(person_of(user), lesson_id)
    raise Http404


@dataclass
class CourseRow:
    course: Course
    lessons: int
    completed: int


def courses_for_cadre(person: Person) -> list[CourseRow]:
    """The courses with lessons for this cadre, with how many lessons they completed."""
    lessons = lessons_for_cadre(person)
    counts = (
        lessons.values("course")
        .annotate(
            total=Count("pk"),
            done=Count(
                "pk", filter=Q(progress__person=person, progress__completed_at__isnull=False)
            ),
        )
        .order_by()
    )
    by_course = {row["course"]: row for row in counts}
    courses = Course.objects.filter(pk__in=by_course).order_by("title")
    return [
        CourseRow(course, by_course[course.pk]["total"], by_course[course.pk]["done"])
        for course in courses
    ]


# Admin actions -----------------------------------------------------------------------------


def _audit(
    action: str, actor: User, lesson: Lesson, request: HttpRequest | None, **changes: Any
) -> None:
    record(
        action,
        actor=actor,
        target=lesson,
        request=request,
        actor_role=Role.PROGRAMME_ADMIN,
        scope_unit_id=lesson.course.plan.unit_id,
        changes=changes,
    )


@transaction.atomic
def do_create_lesson(
    actor: User, course: Course, fields: dict[str, Any], request: HttpRequest | None = None
) -> Lesson:
    """Store a checked upload (fields come from LessonUploadForm.lesson_fields)."""
    last = course.lessons.order_by("-position").values_list("position", flat=True).first()
    lesson = Lesson(course=course, created_by=actor, position=(last or 0) + 1, **fields)
    lesson.save()
    _audit(
        "training.lesson.create",
        actor,
        lesson,
        request,
        content_type=lesson.content_type,
        size=lesson.size,
    )
    return lesson


EDITABLE = ("title", "summary", "duration_seconds", "quiz_pass_mark", "position")


@transaction.atomic
def do_update_lesson(
    actor: User, lesson: Lesson, fields: dict[str, Any], request: HttpRequest | None = None
) -> Lesson:
    before = {name: getattr(lesson, name) for name in EDITABLE}
    for name, value in fields.items():
        setattr(lesson, name, value)
    diff = changed_fields(before, {name: getattr(lesson, name) for name in EDITABLE})
    if diff["fields"]:
        lesson.save(update_fields=diff["fields"])
        _audit("training.lesson.update", actor, lesson, request, **diff)
    return lesson


class LessonError(Exception):
    pass


@transaction.atomic
def do_set_published(
    actor: User, lesson: Lesson, published: bool, request: HttpRequest | None = None
) -> Lesson:
    if published and not lesson.duration_seconds:
        from django.utils.translation import gettext as _

        raise LessonError(_("请先填写时长再发布：完成进度按时长计算。"))
    if lesson.published != published:
        lesson.published = published
        lesson.save(update_fields=["published"])
        _audit(
            "training.lesson.publish" if published else "training.lesson.unpublish",
            actor,
            lesson,
            request,
        )
    return lesson


@transaction.atomic
def do_add_question(
    actor: User,
    lesson: Lesson,
    text: str,
    options: list[str],
    correct_option: int,
    request: HttpRequest | None = None,
) -> QuizQuestion:
    last = lesson.questions.order_by("-position").values_list("position", flat=True).first()
    question = QuizQuestion.objects.create(
        lesson=lesson,
        position=(last or 0) + 1,
        text=text,
        options=options,
        correct_option=correct_option,
    )
    _audit("training.lesson.quiz", actor, lesson, request, added=question.pk)
    return question


@transaction.atomic
def do_remove_question(
    actor: User, lesson: Lesson, question_id: int, request: HttpRequest | None = None
) -> None:
    deleted, _ = lesson.questions.filter(pk=question_id).delete()
    if not deleted:
        raise Http404
    _audit("training.lesson.quiz", actor, lesson, request, removed=question_id)


# Progress ----------------------------------------------------------------------------------


def _locked_progress(person: Person, lesson: Lesson) -> LessonProgress:
    LessonProgress.objects.get_or_create(person=person, lesson=lesson)
    return LessonProgress.objects.select_for_update().get(person=person, lesson=lesson)


def media_reached(progress: LessonProgress, lesson: Lesson) -> bool:
    duration = lesson.duration_seconds
    return duration > 0 and progress.furthest_seconds >= COMPLETION_SHARE * duration


def allowed_advance(elapsed: float) -> float:
    """How far the position may move in *elapsed* seconds and still be playback. The tolerance
    shrinks for very short steps so that many tiny reports cannot add up to a fast-forward."""
    return SPEED_LIMIT * elapsed + min(TOLERANCE, 0.5 * elapsed)


def apply_step(
    progress: LessonProgress, position: float, elapsed: float | None, now: datetime, duration: int
) -> None:
    """Move *progress* to the reported *position* (see the module docstring). Does not save."""
    position = max(0.0, min(position, float(duration) if duration else position))
    server_elapsed = (
        (now - progress.last_heartbeat_at).total_seconds()
        if progress.last_heartbeat_at is not None
        else 0.0
    )
    step_time = min(server_elapsed, elapsed if elapsed is not None else server_elapsed)
    step_time = max(0.0, min(step_time, MAX_STEP))
    start = progress.last_position
    advance = position - start
    span_end = progress.furthest_seconds
    if 0 <= advance <= allowed_advance(step_time):
        progress.watched_seconds += advance
        reach = span_end if progress.off_span else span_end + TOLERANCE
        if start <= reach and position > span_end:
            progress.span_play_seconds += max(0.0, min(server_elapsed, MAX_STEP))
            budget = SPEED_LIMIT * progress.span_play_seconds
            progress.furthest_seconds = max(span_end, min(position, budget))
    elif advance > 0 and position > span_end:
        progress.skip_detected = True
        progress.off_span = True
    if position <= progress.furthest_seconds:
        progress.off_span = False
    progress.last_position = position
    progress.last_heartbeat_at = now


def _complete_if_due(
    progress: LessonProgress, lesson: Lesson, now: datetime, request: HttpRequest | None
) -> bool:
    if progress.completed_at is not None or not media_reached(progress, lesson):
        return False
    if lesson.questions.exists() and not progress.quiz_passed:
        return False
    progress.completed_at = now
    record(
        "training.lesson.complete",
        actor=request.user if request is not None else None,
        target=lesson,
        request=request,
        actor_role=Role.CADRE,
        scope_unit_id=progress.person.unit_id,
        changes={"person": str(progress.person_id), "skip_detected": progress.skip_detected},
    )
    return True


@transaction.atomic
def do_record_heartbeat(
    person: Person,
    lesson: Lesson,
    position: float,
    elapsed: float | None,
    request: HttpRequest | None = None,
) -> LessonProgress:
    now = timezone.now()
    progress = _locked_progress(person, lesson)
    apply_step(progress, position, elapsed, now, lesson.duration_seconds)
    _complete_if_due(progress, lesson, now, request)
    progress.save()
    return progress


@dataclass(frozen=True)
class QuizOutcome:
    score: int
    passed: bool
    progress: LessonProgress


def score(questions: list[QuizQuestion], answers: dict[int, int]) -> int:
    if not questions:
        return 100
    right = sum(1 for q in questions if answers.get(q.pk) == q.correct_option)
    return round(100 * right / len(questions))


@transaction.atomic
def do_submit_quiz(
    person: Person, lesson: Lesson, answers: dict[int, int], request: HttpRequest | None = None
) -> QuizOutcome:
    """Mark an attempt; allowed once the media is reached, and as often as the cadre likes."""
    progress = _locked_progress(person, lesson)
    if not media_reached(progress, lesson):
        from django.utils.translation import gettext as _

        raise LessonError(_("请先看完（听完）本课时，再做测验。"))
    result = score(list(lesson.questions.all()), answers)
    passed = result >= lesson.quiz_pass_mark
    progress.quiz_attempts += 1
    progress.quiz_best_score = max(progress.quiz_best_score or 0, result)
    progress.quiz_passed = progress.quiz_passed or passed
    _complete_if_due(progress, lesson, timezone.now(), request)
    progress.save()
    return QuizOutcome(result, passed, progress)


# Compliance --------------------------------------------------------------------------------


def completed_lessons_between(
    person_ids: Collection[UUID], start: datetime, end: datetime
) -> set[UUID]:
    """Who completed a lesson of a course that counts toward the requirement in [start, end):
    registered with training.compliance as one of the ways to meet the requirement."""
    return set(
        LessonProgress.objects.filter(
            person_id__in=list(person_ids),
            completed_at__gte=start,
            completed_at__lt=end,
            lesson__course__counts_toward_requirement=True,
        ).values_list("person_id", flat=True)
    )
