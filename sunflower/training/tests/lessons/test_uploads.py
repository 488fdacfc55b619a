"""Uploading a lesson: checked by real content type and size; nothing kept on a bad upload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import logged_in
from sunflower.accounts.models import User
from sunflower.audit.models import AuditEvent
from sunflower.training.models import Course, Lesson
from sunflower.training.tests.samples_lessons import MP4_HEAD, silent_wav


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def upload(client: Any, course: Course, name: str, data: bytes, **fields: Any) -> Any:
    return client.post(
        reverse("lessons:admin-create", args=[course.pk]),
        {"title": "放松训练", "summary": "", "file": SimpleUploadedFile(name, data), **fields},
    )


class LessonUploadTestCase:
    def test_it_stores_a_wav_and_reads_its_duration(
        self, admin_a: User, course: Course, settings: Any, tmp_path: Path
    ) -> None:
        settings.MEDIA_ROOT = tmp_path
        response = upload(logged_in(admin_a), course, "relax.wav", silent_wav(7))
        lesson = Lesson.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("lessons:admin-edit", args=[lesson.pk])
        assert (lesson.content_type, lesson.kind, lesson.duration_seconds) == (
            "audio/wav",
            "audio",
            7,
        )
        assert not lesson.published
        assert lesson.media.name.startswith("lessons/") and lesson.media.name.endswith(".wav")
        assert "relax" not in lesson.media.name  # the uploader's file name is not kept
        assert stored_files(tmp_path) == [tmp_path / lesson.media.name]
        assert AuditEvent.objects.filter(action="training.lesson.create").count() == 1

    def test_it_takes_an_mp4_by_content_whatever_the_name(
        self, admin_a: User, course: Course, settings: Any, tmp_path: Path
    ) -> None:
        settings.MEDIA_ROOT = tmp_path
        upload(logged_in(admin_a), course, "lecture.bin", MP4_HEAD, duration_seconds="600")
        lesson = Lesson.objects.get()
        assert (lesson.content_type, lesson.kind, lesson.duration_seconds) == (
            "video/mp4",
            "video",
            600,
        )
        assert lesson.size == len(MP4_HEAD)

    def test_it_refuses_a_file_whose_content_is_not_media(
        self, admin_a: User, course: Course, settings: Any, tmp_path: Path
    ) -> None:
        settings.MEDIA_ROOT = tmp_path
        response = upload(logged_in(admin_a), course, "lecture.mp4", b"PK\x03\x04" + bytes(100))
        assert response.status_code == 200
        assert "无法识别的文件内容" in response.content.decode()
        assert "改扩展名无效" in response.content.decode()
        assert Lesson.objects.count() == 0
        assert stored_files(tmp_path) == []

    def test_it_refuses_a_file_over_the_size_limit(
        self, admin_a: User, course: Course, settings: Any, tmp_path: Path
    ) -> None:
        settings.MEDIA_ROOT = tmp_path
        settings.SUNFLOWER_MAX_LESSON_BYTES = 1000
        response = upload(logged_in(admin_a), course, "relax.wav", silent_wav(1))
        assert response.status_code == 200
        assert "文件太大" in response.content.decode()
        assert Lesson.objects.count() == 0
        assert stored_files(tmp_path) == []

    def test_it_refuses_an_empty_file(self, admin_a: User, course: Course) -> None:
        response = upload(logged_in(admin_a), course, "empty.mp4", b"")
        assert response.status_code == 200
        assert Lesson.objects.count() == 0

    def test_it_hides_another_units_course(self, admin_b: User, course: Course) -> None:
        client = logged_in(admin_b)
        assert client.get(reverse("lessons:admin-create", args=[course.pk])).status_code == 404
        response = upload(client, course, "relax.wav", silent_wav(1))
        assert response.status_code == 404
        assert Lesson.objects.count() == 0
