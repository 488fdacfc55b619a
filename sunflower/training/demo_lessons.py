"""Demo step "training-lessons": three relaxation audio lessons in the demo's online course,
with generated sound (no media files in the repository), and some cadres' progress."""

from __future__ import annotations

import io
import math
import random
import wave
from array import array
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db.models import Q

from sunflower.lib.demo import DemoContext, DemoStep, register_demo_step
from sunflower.orgs.models import Person
from sunflower.training.models import (
    Course,
    DeliveryMode,
    Lesson,
    LessonKind,
    LessonProgress,
    QuizQuestion,
)

SAMPLE_RATE = 8000
LESSONS = (
    (
        "呼吸放松训练",
        "跟随声音的起伏慢慢吸气、呼气：声音变强时吸气，变弱时呼气。",
        220.0,
        8.0,
    ),
    ("身体扫描放松", "从头到脚依次放松身体各部位，留意每一处的感觉。", 196.0, 10.0),
    ("正念冥想入门", "把注意力放在当下的声音上，念头出现时温和地回到声音。", 174.6, 12.0),
)
QUIZ = (
    "感到紧张时，哪种呼吸方式更有助于放松？",
    ["屏住呼吸", "缓慢而深长的腹式呼吸", "快速浅呼吸"],
    1,
)


def relaxation_wav(seconds: int, tone: float = 220.0, breath: float = 8.0) -> bytes:
    """A soft tone whose loudness rises and falls once every *breath* seconds (8 kHz, 8-bit
    mono PCM, about 8 KB a second): a stand-in relaxation track, and a valid WAV file."""
    samples = array("B")
    for n in range(seconds * SAMPLE_RATE):
        t = n / SAMPLE_RATE
        swell = 0.55 - 0.45 * math.cos(2 * math.pi * t / breath)
        fade = min(1.0, t / 1.5, (seconds - t) / 1.5)
        value = math.sin(2 * math.pi * tone * t) + 0.35 * math.sin(3 * math.pi * tone * t)
        samples.append(128 + int(70 * swell * fade * value / 1.35))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def build_lessons(context: DemoContext) -> None:
    course = (
        Course.objects.filter(mode=DeliveryMode.ONLINE)
        .select_related("plan__unit")
        .order_by("-plan__year", "pk")
        .first()
    )
    if course is None:
        context.say("  线上课时 lessons: no online course in the demo plan, skipped\n")
        return
    rng = random.Random(context.seed * 7919 + 55)  # noqa: S311 (demo data, not secrets)
    lessons = []
    for position, (title, summary, tone, breath) in enumerate(LESSONS, start=1):
        seconds = 30
        lesson = Lesson(
            course=course,
            title=title,
            summary=summary,
            kind=LessonKind.AUDIO,
            content_type="audio/wav",
            size=0,
            duration_seconds=seconds,
            position=position,
            published=True,
        )
        data = relaxation_wav(seconds, tone, breath)
        lesson.size = len(data)
        lesson.media.save(f"demo-{position}.wav", ContentFile(data), save=False)
        lesson.save()
        lessons.append(lesson)
    text, options, correct = QUIZ
    QuizQuestion.objects.create(
        lesson=lessons[0], position=1, text=text, options=options, correct_option=correct
    )

    unit = course.plan.unit
    people = list(
        Person.objects.current()
        .filter(Q(unit__path__startswith=unit.path), user__isnull=False)
        .order_by("pk")[:400]
    )
    rows = []
    for person in rng.sample(people, k=min(len(people), 60)):
        for lesson in lessons:
            roll = rng.random()
            if roll < 0.45:
                continue
            done = roll > 0.65
            reached = lesson.duration_seconds * (1.0 if done else rng.uniform(0.1, 0.8))
            at = context.now - timedelta(days=rng.uniform(1, 150), minutes=rng.uniform(0, 600))
            passed = done and lesson is lessons[0]
            rows.append(
                LessonProgress(
                    person=person,
                    lesson=lesson,
                    furthest_seconds=reached,
                    watched_seconds=reached,
                    last_position=reached,
                    last_heartbeat_at=at,
                    skip_detected=not done and rng.random() < 0.2,
                    quiz_passed=passed,
                    quiz_attempts=(rng.choice((1, 1, 2)) if passed else 0),
                    quiz_best_score=100 if passed else None,
                    completed_at=at if done else None,
                )
            )
    LessonProgress.objects.bulk_create(rows)
    completed = sum(1 for row in rows if row.completed_at)
    context.say(
        f"  线上课时 lessons: {len(lessons)} audio lessons in {course.title},"
        f" {len(rows)} progress rows ({completed} completed)\n"
    )


def delete_lessons() -> None:
    """Every lesson and its media file (the demo's are the only ones in a demo database)."""
    for lesson in Lesson.objects.all():
        lesson.media.delete(save=False)
    Lesson.objects.all().delete()


def register() -> None:
    register_demo_step(DemoStep("training-lessons", 55, build_lessons, delete_lessons))
