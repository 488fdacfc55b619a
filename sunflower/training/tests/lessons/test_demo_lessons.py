"""The demo step: three generated relaxation lessons in the online course, with progress."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conftest import City, make_user
from sunflower.lib.demo import DemoContext, demo_steps
from sunflower.training.demo_lessons import build_lessons, delete_lessons, relaxation_wav
from sunflower.training.media import sniff, wav_duration
from sunflower.training.models import Lesson, LessonProgress
from sunflower.training.tests.samples_lessons import make_course


def context(lines: list[str]) -> DemoContext:
    return DemoContext(seed=7, now=datetime(2026, 11, 1, tzinfo=UTC), say=lines.append)


class DemoLessonsTestCase:
    def test_the_generated_track_is_a_small_valid_wav(self) -> None:
        data = relaxation_wav(3)
        assert sniff(data[:64]) == "audio/wav"
        assert wav_duration(io.BytesIO(data)) == 3
        assert len(data) < 30_000

    def test_it_runs_after_the_training_step(self) -> None:
        names = [step.name for step in demo_steps()]
        assert "training-lessons" in names
        if "training" in names:
            assert names.index("training") < names.index("training-lessons")

    def test_it_adds_three_lessons_and_some_progress(
        self, city: City, make_person: Any, settings: Any, tmp_path: Path
    ) -> None:
        settings.MEDIA_ROOT = tmp_path
        course = make_course(city.city)
        for number in range(12):
            make_user(f"demo-cadre-{number}", person=make_person(unit=city.town_a1))
        lines: list[str] = []
        build_lessons(context(lines))
        lessons = list(Lesson.objects.filter(course=course))
        assert len(lessons) == 3
        assert all(lesson.published and lesson.duration_seconds == 30 for lesson in lessons)
        assert all(
            (tmp_path / lesson.media.name).stat().st_size == lesson.size for lesson in lessons
        )
        assert lessons[0].questions.count() == 1
        assert LessonProgress.objects.exists()
        assert "3 audio lessons" in lines[0]

        delete_lessons()
        assert not Lesson.objects.exists()
        assert not any(path.is_file() for path in tmp_path.rglob("*"))

    def test_it_skips_without_an_online_course(self, db: None) -> None:
        lines: list[str] = []
        build_lessons(context(lines))
        assert not Lesson.objects.exists() and "skipped" in lines[0]
