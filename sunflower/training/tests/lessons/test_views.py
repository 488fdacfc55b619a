"""The lesson pages: the admin's management, the cadre's list, player, reports and quiz."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse

from conftest import City, logged_in
from sunflower.accounts.models import User
from sunflower.audit.models import AuditEvent
from sunflower.training.models import Course, Lesson, LessonProgress, QuizQuestion
from sunflower.training.tests.samples_lessons import make_course, make_lesson


class AdminPagesTestCase:
    def test_it_lists_courses_and_lessons_in_scope(
        self, admin_a: User, lesson: Lesson, city: City
    ) -> None:
        make_course(city.district_b, title="西湖区课程")
        client = logged_in(admin_a)
        page = client.get(reverse("lessons:admin-courses")).content.decode()
        assert lesson.course.title in page and "西湖区课程" not in page
        page = client.get(reverse("lessons:admin-list", args=[lesson.course_id])).content.decode()
        assert lesson.title in page and "1:40" in page

    def test_it_hides_another_units_lessons(self, admin_b: User, lesson: Lesson) -> None:
        client = logged_in(admin_b)
        for name, arg in (
            ("lessons:admin-list", lesson.course_id),
            ("lessons:admin-edit", lesson.pk),
            ("lessons:admin-quiz", lesson.pk),
        ):
            assert client.get(reverse(name, args=[arg])).status_code == 404
        response = client.post(reverse("lessons:admin-publish", args=[lesson.pk]), {"publish": "0"})
        assert response.status_code == 404
        lesson.refresh_from_db()
        assert lesson.published

    def test_it_edits_a_lesson_with_an_audit_entry(self, admin_a: User, lesson: Lesson) -> None:
        response = logged_in(admin_a).post(
            reverse("lessons:admin-edit", args=[lesson.pk]),
            {
                "title": "新标题",
                "summary": "简介",
                "duration_seconds": "120",
                "position": "2",
                "quiz_pass_mark": "80",
            },
        )
        assert response.status_code == 302
        lesson.refresh_from_db()
        assert (lesson.title, lesson.duration_seconds, lesson.quiz_pass_mark) == ("新标题", 120, 80)
        event = AuditEvent.objects.get(action="training.lesson.update")
        assert "duration_seconds" in event.changes["fields"]

    def test_it_publishes_only_with_a_duration(self, admin_a: User, course: Course) -> None:
        draft = make_lesson(course, duration=0, published=False)
        client = logged_in(admin_a)
        url = reverse("lessons:admin-publish", args=[draft.pk])
        page = client.post(url, {"publish": "1"}, follow=True).content.decode()
        assert "请先填写时长" in page
        draft.refresh_from_db()
        assert not draft.published
        Lesson.objects.filter(pk=draft.pk).update(duration_seconds=60)
        client.post(url, {"publish": "1"})
        draft.refresh_from_db()
        assert draft.published
        client.post(url, {"publish": "0"})
        draft.refresh_from_db()
        assert not draft.published
        actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
        assert actions == ["training.lesson.publish", "training.lesson.unpublish"]

    def test_the_edit_page_has_a_preview_and_confirmations(
        self, admin_a: User, lesson: Lesson
    ) -> None:
        page = logged_in(admin_a).get(reverse("lessons:admin-edit", args=[lesson.pk]))
        html = page.content.decode()
        assert f'src="{reverse("lessons:media", args=[lesson.pk])}"' in html
        assert "data-lesson-preview" in html and "data-duration-input" in html
        assert "data-confirm" in html

    def test_it_adds_and_removes_quiz_questions(self, admin_a: User, lesson: Lesson) -> None:
        client = logged_in(admin_a)
        url = reverse("lessons:admin-quiz", args=[lesson.pk])
        bad = client.post(url, {"text": "题", "options": "只有一个", "correct_option": "1"})
        assert "请填写 2–6 个选项" in bad.content.decode()
        wrong = client.post(url, {"text": "题", "options": "甲\n乙", "correct_option": "3"})
        assert "正确选项超出了选项个数" in wrong.content.decode()
        client.post(url, {"text": "哪个对？", "options": "甲\n\n乙\n丙", "correct_option": "2"})
        question = QuizQuestion.objects.get()
        assert (question.options, question.correct_option) == (["甲", "乙", "丙"], 1)
        client.post(reverse("lessons:admin-quiz-remove", args=[lesson.pk, question.pk]))
        assert not QuizQuestion.objects.exists()


class CadrePagesTestCase:
    def test_the_learn_tab_lists_online_courses(self, cadre: User, lesson: Lesson) -> None:
        page = logged_in(cadre).get(reverse("web:portal-learn")).content.decode()
        assert lesson.course.title in page
        assert "已完成 0 / 1 课时" in page

    def test_the_course_page_lists_published_lessons(
        self, cadre: User, lesson: Lesson, course: Course
    ) -> None:
        make_lesson(course, title="未发布的课时", published=False)
        page = logged_in(cadre).get(reverse("lessons:course", args=[course.pk])).content.decode()
        assert lesson.title in page and "未发布的课时" not in page

    def test_the_lesson_page_plays_the_media_with_the_script(
        self, cadre: User, lesson: Lesson
    ) -> None:
        html = logged_in(cadre).get(reverse("lessons:lesson", args=[lesson.pk])).content.decode()
        assert "<audio" in html and reverse("lessons:media", args=[lesson.pk]) in html
        assert "training/lesson.js" in html and "<script>" not in html
        assert reverse("lessons:heartbeat", args=[lesson.pk]) in html

    def test_it_hides_unpublished_and_other_units_lessons(
        self, cadre: User, course: Course, city: City
    ) -> None:
        client = logged_in(cadre)
        for hidden in (
            make_lesson(course, published=False),
            make_lesson(make_course(city.district_b)),
        ):
            assert client.get(reverse("lessons:lesson", args=[hidden.pk])).status_code == 404
            url = reverse("lessons:heartbeat", args=[hidden.pk])
            response = client.post(url, '{"position": 1}', content_type="application/json")
            assert response.status_code == 404
        assert client.get(reverse("lessons:course", args=[course.pk])).status_code == 404

    def test_the_heartbeat_reports_progress(self, cadre: User, lesson: Lesson) -> None:
        client = logged_in(cadre)
        url = reverse("lessons:heartbeat", args=[lesson.pk])
        response = client.post(url, json.dumps({"position": 0, "elapsed": 0}), "application/json")
        assert response.json() == {
            "furthest": 0.0,
            "percent": 0,
            "skip_detected": False,
            "media_reached": False,
            "completed": False,
        }
        response = client.post(url, json.dumps({"position": 80}), "application/json")
        assert response.json()["skip_detected"] is True

    def test_the_heartbeat_refuses_nonsense(self, cadre: User, lesson: Lesson) -> None:
        client = logged_in(cadre)
        url = reverse("lessons:heartbeat", args=[lesson.pk])
        for body in ("nope", '{"position": "x"}', '{"position": -1}', '{"elapsed": 1}'):
            assert client.post(url, body, "application/json").status_code == 400
        assert not LessonProgress.objects.exists()

    def test_the_quiz_shows_after_the_media_and_can_be_retried(
        self, cadre: User, course: Course
    ) -> None:
        quizzed = make_lesson(course, duration=40, questions=1)
        client = logged_in(cadre)
        page = client.get(reverse("lessons:lesson", args=[quizzed.pk])).content.decode()
        assert "提交答案" not in page
        assert cadre.person is not None
        LessonProgress.objects.create(person=cadre.person, lesson=quizzed, furthest_seconds=40)
        page = client.get(reverse("lessons:lesson", args=[quizzed.pk])).content.decode()
        assert "提交答案" in page
        question = quizzed.questions.get()
        url = reverse("lessons:quiz", args=[quizzed.pk])
        failed = client.post(url, {f"q{question.pk}": "1"}, follow=True).content.decode()
        assert "未达到及格分" in failed
        passed = client.post(url, {f"q{question.pk}": "0"}, follow=True).content.decode()
        assert "测验通过" in passed and "本课时已完成" in passed
        record = client.get(reverse("lessons:my-progress")).content.decode()
        assert quizzed.title in record and "计入每半年必修要求" in record

    def test_the_record_lists_only_the_cadres_own_progress(
        self, cadre: User, lesson: Lesson, make_person: Any
    ) -> None:
        other = make_person(name="李四")
        LessonProgress.objects.create(person=other, lesson=lesson, furthest_seconds=50)
        page = logged_in(cadre).get(reverse("lessons:my-progress")).content.decode()
        assert "还没有线上学习记录" in page
