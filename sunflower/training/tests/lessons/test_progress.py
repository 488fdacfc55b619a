"""Progress through a lesson: continuous playback is credited, skipping ahead is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from conftest import City
from sunflower.accounts.models import User
from sunflower.audit.models import AuditEvent
from sunflower.orgs.models import Person
from sunflower.training import lessons
from sunflower.training.models import Course, Lesson, LessonProgress
from sunflower.training.tests.samples_lessons import make_course, make_lesson

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


class Player:
    """A cadre's player reporting to the server on a controlled clock."""

    def __init__(self, person: Person, lesson: Lesson, traveller: time_machine.Coordinates):
        self.person, self.lesson, self.clock = person, lesson, traveller
        self.position = 0.0

    def report(self, elapsed: float = 0.0) -> LessonProgress:
        return lessons.do_record_heartbeat(self.person, self.lesson, self.position, elapsed)

    def play(self, seconds: float, *, rate: float = 1.0, every: float = 10.0) -> LessonProgress:
        progress = self.report()
        played = 0.0
        while played < seconds:
            step = min(every, seconds - played)
            self.clock.shift(timedelta(seconds=step))
            self.position = min(self.position + step * rate, self.lesson.duration_seconds)
            played += step
            progress = self.report(step)
        return progress

    def seek(self, position: float) -> LessonProgress:
        self.clock.shift(timedelta(seconds=0.5))
        self.position = position
        return self.report(0.5)


@pytest.fixture
def clock() -> time_machine.Coordinates:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def person(cadre: User) -> Person:
    assert cadre.person is not None
    return cadre.person


class ProgressTestCase:
    def test_it_completes_after_continuous_watching_to_ninety_percent(
        self, person: Person, lesson: Lesson, clock: time_machine.Coordinates
    ) -> None:
        player = Player(person, lesson, clock)
        progress = player.play(80)
        assert progress.furthest_seconds == 80 and progress.completed_at is None
        progress = player.play(10)
        assert progress.furthest_seconds == 90
        assert progress.completed_at == START + timedelta(seconds=90)
        assert not progress.skip_detected
        assert progress.watched_seconds == 90

    def test_it_allows_up_to_one_and_a_half_times_speed(
        self, person: Person, lesson: Lesson, clock: time_machine.Coordinates
    ) -> None:
        progress = Player(person, lesson, clock).play(60, rate=1.5)
        assert progress.furthest_seconds == 90
        assert progress.completed_at is not None

    def test_it_does_not_credit_fast_forwarding(
        self, person: Person, lesson: Lesson, clock: time_machine.Coordinates
    ) -> None:
        progress = Player(person, lesson, clock).play(30, rate=4)
        assert progress.furthest_seconds < 10
        assert progress.skip_detected
        assert progress.completed_at is None

    def test_it_does_not_complete_after_skipping_ahead(
        self, person: Person, lesson: Lesson, clock: time_machine.Coordinates
    ) -> None:
        player = Player(person, lesson, clock)
        player.play(20)
        progress = player.seek(70)
        assert progress.skip_detected and progress.furthest_seconds == 20
        progress = player.play(30)  # 70 → 100: watched, but not continuous from the start
        assert progress.furthest_seconds == 20
        assert progress.watched_seconds == 50
        assert progress.completed_at is None

    def test_it_completes_once_the_skipped_part_is_watched(
        self, person: Person, lesson: Lesson, clock: time_machine.Coordinates
    ) -> None:
        player = Player(person, lesson, clock)
        player.play(20)
        player.seek(70)
        player.play(30)
        player.seek(18)  # back to just before where the continuous span ends
        progress = player.play(60)
        assert progress.furthest_seconds == 78
        assert progress.completed_at is None
        progress = player.play(12)
        assert progress.completed_at is not None
        assert progress.skip_detected  # the flag stays, for the record

    def test_it_does_not_count_seeking_back_as_a_skip(
        self, person: Person, lesson: Lesson, clock: time_machine.Coordinates
    ) -> None:
        player = Player(person, lesson, clock)
        player.play(50)
        player.seek(10)
        progress = player.seek(45)  # forward again, inside what was already reached
        assert not progress.skip_detected
        assert progress.furthest_seconds == 50

    def test_it_trusts_the_servers_clock_over_the_clients(
        self, person: Person, lesson: Lesson, clock: time_machine.Coordinates
    ) -> None:
        player = Player(person, lesson, clock)
        player.report()
        clock.shift(timedelta(seconds=2))
        player.position = 60
        progress = player.report(elapsed=60)  # claims a minute passed; two seconds did
        assert progress.furthest_seconds == 0 and progress.skip_detected

    def test_it_does_not_add_up_many_tiny_reports(
        self, person: Person, lesson: Lesson, clock: time_machine.Coordinates
    ) -> None:
        progress = Player(person, lesson, clock).play(5, rate=3, every=0.1)
        assert progress.furthest_seconds <= 5 * 2 + 0.01

    def test_it_does_not_let_jumps_just_under_the_tolerance_carry_the_span(
        self, person: Person, course: Course, clock: time_machine.Coordinates
    ) -> None:
        # Seek +1.99 s, play 0.1 s, again and again: once, 600 s were "watched" in ~27 s.
        long = make_lesson(course, duration=600)
        player = Player(person, long, clock)
        player.report()
        for _ in range(300):
            clock.shift(timedelta(seconds=0.01))
            player.position += 1.99
            player.report(0.01)
            clock.shift(timedelta(seconds=0.1))
            player.position += 0.1
            progress = player.report(0.1)
        assert progress.completed_at is None
        assert progress.skip_detected
        assert progress.furthest_seconds == 0

    def test_it_does_not_let_a_jump_back_to_just_past_the_span_carry_it(
        self, person: Person, course: Course, clock: time_machine.Coordinates
    ) -> None:
        long = make_lesson(course, duration=600)
        player = Player(person, long, clock)
        player.play(10)
        for _ in range(300):
            progress = player.report()
            player.seek(progress.furthest_seconds + 3)  # a skip, flagged
            player.seek(progress.furthest_seconds + 1.99)  # back, but not into the span
            progress = player.play(0.1, every=0.1)
        assert progress.completed_at is None
        assert progress.furthest_seconds == 10

    def test_it_never_credits_more_than_one_and_a_half_times_the_time_played(
        self, person: Person, lesson: Lesson, clock: time_machine.Coordinates
    ) -> None:
        # Steps of 4 s each just inside the per-step allowance (1.5 × 4 + 2) add up to 2×.
        progress = Player(person, lesson, clock).play(60, rate=2, every=4)
        assert progress.furthest_seconds <= lessons.SPEED_LIMIT * 60
        assert progress.completed_at is None

    def test_it_does_not_credit_a_long_gap_at_once(
        self, person: Person, lesson: Lesson, clock: time_machine.Coordinates
    ) -> None:
        player = Player(person, lesson, clock)
        player.report()
        clock.shift(timedelta(hours=1))
        player.position = 95
        progress = player.report(elapsed=3600)
        assert progress.furthest_seconds == 0 and progress.completed_at is None

    def test_it_records_completion_once(
        self, person: Person, lesson: Lesson, clock: time_machine.Coordinates
    ) -> None:
        player = Player(person, lesson, clock)
        first = player.play(95).completed_at
        player.seek(0)
        assert player.play(100).completed_at == first
        assert AuditEvent.objects.filter(action="training.lesson.complete").count() == 1
        assert LessonProgress.objects.count() == 1

    def test_it_does_not_complete_a_lesson_without_a_duration(
        self, person: Person, course: Course, clock: time_machine.Coordinates
    ) -> None:
        unknown = make_lesson(course, duration=0, published=False)
        progress = Player(person, unknown, clock).play(60)
        assert progress.completed_at is None


class QuizTestCase:
    @pytest.fixture
    def quizzed(self, course: Course) -> Lesson:
        quizzed = make_lesson(course, duration=40, questions=2)
        quizzed.quiz_pass_mark = 100
        quizzed.save()
        return quizzed

    def test_it_refuses_the_quiz_before_the_media_is_watched(
        self, person: Person, quizzed: Lesson
    ) -> None:
        with pytest.raises(lessons.LessonError):
            lessons.do_submit_quiz(person, quizzed, {})

    def test_it_completes_when_the_quiz_is_passed_after_a_failed_attempt(
        self, person: Person, quizzed: Lesson, clock: time_machine.Coordinates
    ) -> None:
        progress = Player(person, quizzed, clock).play(40)
        assert lessons.media_reached(progress, quizzed) and progress.completed_at is None
        first, second = quizzed.questions.all()
        failed = lessons.do_submit_quiz(person, quizzed, {first.pk: 0, second.pk: 1})
        assert (failed.score, failed.passed, failed.progress.completed_at) == (50, False, None)
        passed = lessons.do_submit_quiz(person, quizzed, {first.pk: 0, second.pk: 0})
        assert (passed.score, passed.passed) == (100, True)
        assert passed.progress.completed_at is not None
        assert (passed.progress.quiz_attempts, passed.progress.quiz_best_score) == (2, 100)
        assert AuditEvent.objects.filter(action="training.lesson.complete").count() == 1


class CompletionSourceTestCase:
    def test_it_names_cadres_who_completed_a_counting_lesson_in_the_period(
        self, person: Person, lesson: Lesson, city: City, clock: time_machine.Coordinates
    ) -> None:
        Player(person, lesson, clock).play(90)
        optional = make_lesson(make_course(city.district_a, counts=False, title="选修"))
        LessonProgress.objects.create(
            person=person, lesson=optional, completed_at=START, furthest_seconds=100
        )
        h1 = (datetime(2025, 12, 31, 16, tzinfo=UTC), datetime(2026, 6, 30, 16, tzinfo=UTC))
        h2 = (datetime(2026, 6, 30, 16, tzinfo=UTC), datetime(2026, 12, 31, 16, tzinfo=UTC))
        assert lessons.completed_lessons_between([person.pk], *h1) == {person.pk}
        assert lessons.completed_lessons_between([person.pk], *h2) == set()
        LessonProgress.objects.filter(lesson=lesson).delete()
        assert lessons.completed_lessons_between([person.pk], *h1) == set()

    def test_it_is_registered_with_compliance(self) -> None:
        from sunflower.training.compliance import completion_sources

        assert lessons.completed_lessons_between in completion_sources()
