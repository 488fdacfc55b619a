"""Online lessons: the programme admin's pages (console), the cadre's pages (phone portal), the
media stream both use, and the player's progress reports."""

from __future__ import annotations

import copy
import json

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import Role
from sunflower.training import lessons, media
from sunflower.training.forms_lessons import (
    LessonEditForm,
    LessonUploadForm,
    QuestionForm,
    QuizForm,
)
from sunflower.training.models import Lesson, LessonProgress

# Console -----------------------------------------------------------------------------------


@role_required(Role.PROGRAMME_ADMIN)
def admin_courses(request: HttpRequest) -> HttpResponse:
    rows = lessons.courses_for_admin(current_user(request)).order_by("-plan__year", "title")
    return render(request, "training/lessons/admin_courses.html", {"courses": rows})


@role_required(Role.PROGRAMME_ADMIN)
def admin_list(request: HttpRequest, course_id: int) -> HttpResponse:
    course = lessons.get_course_for_admin(current_user(request), course_id)
    rows = course.lessons.all()
    return render(request, "training/lessons/admin_list.html", {"course": course, "lessons": rows})


@role_required(Role.PROGRAMME_ADMIN)
@require_http_methods(["GET", "POST"])
def admin_create(request: HttpRequest, course_id: int) -> HttpResponse:
    actor = current_user(request)
    course = lessons.get_course_for_admin(actor, course_id)
    form = LessonUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        lesson = lessons.do_create_lesson(actor, course, form.lesson_fields(), request)
        messages.success(request, _("已上传。请预览并核对时长，确认无误后发布。"))
        return redirect("lessons:admin-edit", lesson_id=lesson.pk)
    return render(
        request,
        "training/lessons/admin_upload.html",
        {"course": course, "form": form, "max_bytes": settings.SUNFLOWER_MAX_LESSON_BYTES},
    )


@role_required(Role.PROGRAMME_ADMIN)
@require_http_methods(["GET", "POST"])
def admin_edit(request: HttpRequest, lesson_id: int) -> HttpResponse:
    actor = current_user(request)
    lesson = lessons.get_lesson_for_admin(actor, lesson_id)
    # The form edits a copy: validation writes into its instance, and the action compares.
    form = LessonEditForm(request.POST or None, instance=copy.copy(lesson))
    if request.method == "POST" and form.is_valid():
        lessons.do_update_lesson(
            actor, lesson, {name: form.cleaned_data[name] for name in lessons.EDITABLE}, request
        )
        messages.success(request, _("已保存。"))
        return redirect("lessons:admin-edit", lesson_id=lesson.pk)
    return render(
        request,
        "training/lessons/admin_edit.html",
        {"lesson": lesson, "form": form, "questions": lesson.questions.count()},
    )


@role_required(Role.PROGRAMME_ADMIN)
@require_POST
def admin_publish(request: HttpRequest, lesson_id: int) -> HttpResponse:
    actor = current_user(request)
    lesson = lessons.get_lesson_for_admin(actor, lesson_id)
    publish = request.POST.get("publish") == "1"
    try:
        lessons.do_set_published(actor, lesson, publish, request)
    except lessons.LessonError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已发布。") if publish else _("已下线，干部暂时看不到本课时。"))
    return redirect("lessons:admin-edit", lesson_id=lesson.pk)


@role_required(Role.PROGRAMME_ADMIN)
@require_http_methods(["GET", "POST"])
def admin_quiz(request: HttpRequest, lesson_id: int) -> HttpResponse:
    actor = current_user(request)
    lesson = lessons.get_lesson_for_admin(actor, lesson_id)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lessons.do_add_question(
            actor,
            lesson,
            form.cleaned_data["text"],
            form.cleaned_data["option_list"],
            form.cleaned_data["correct_option"] - 1,
            request,
        )
        messages.success(request, _("已添加测验题。"))
        return redirect("lessons:admin-quiz", lesson_id=lesson.pk)
    return render(
        request,
        "training/lessons/admin_quiz.html",
        {"lesson": lesson, "form": form, "questions": lesson.questions.all()},
    )


@role_required(Role.PROGRAMME_ADMIN)
@require_POST
def admin_quiz_remove(request: HttpRequest, lesson_id: int, question_id: int) -> HttpResponse:
    actor = current_user(request)
    lesson = lessons.get_lesson_for_admin(actor, lesson_id)
    lessons.do_remove_question(actor, lesson, question_id, request)
    messages.success(request, _("已删除测验题。"))
    return redirect("lessons:admin-quiz", lesson_id=lesson.pk)


# The stream --------------------------------------------------------------------------------


@role_required(Role.CADRE, Role.PROGRAMME_ADMIN)
@require_safe
def lesson_media(request: HttpRequest, lesson_id: int) -> HttpResponseBase:
    lesson = lessons.get_lesson_for_viewer(current_user(request), lesson_id)
    if not lesson.media.name:
        raise Http404
    return media.stream_file(request, lesson.media.storage, lesson.media.name, lesson.content_type)


# Portal ------------------------------------------------------------------------------------


@role_required(Role.CADRE)
def course_lessons(request: HttpRequest, course_id: int) -> HttpResponse:
    person = lessons.person_of(current_user(request))
    rows = list(
        lessons.lessons_for_cadre(person)
        .filter(course_id=course_id)
        .annotate(question_count=Count("questions"))
    )
    if not rows:
        raise Http404
    progress = {
        p.lesson_id: p for p in LessonProgress.objects.filter(person=person, lesson__in=rows)
    }
    items = [(lesson, progress.get(lesson.pk)) for lesson in rows]
    return render(
        request,
        "training/lessons/portal_course.html",
        {"tab": "learn", "course": rows[0].course, "items": items},
    )


@role_required(Role.CADRE)
def lesson_page(request: HttpRequest, lesson_id: int) -> HttpResponse:
    person = lessons.person_of(current_user(request))
    lesson = lessons.get_lesson_for_cadre(person, lesson_id)
    progress = LessonProgress.objects.filter(person=person, lesson=lesson).first()
    questions = list(lesson.questions.all())
    quiz_open = bool(questions) and progress is not None and lessons.media_reached(progress, lesson)
    return render(
        request,
        "training/lessons/portal_lesson.html",
        {
            "tab": "learn",
            "lesson": lesson,
            "progress": progress,
            "percent": _percent(progress, lesson.duration_seconds),
            # Rounded down: resuming a fraction past the span's end would be a jump out of it.
            "resume": int(progress.furthest_seconds) if progress is not None else 0,
            "questions": questions,
            "quiz_form": QuizForm(questions=questions) if quiz_open else None,
            "heartbeat_seconds": lessons.HEARTBEAT_SECONDS,
        },
    )


def _percent(progress: LessonProgress | None, duration: int) -> int:
    if progress is None or not duration:
        return 0
    return min(100, int(100 * progress.furthest_seconds / duration))


@role_required(Role.CADRE)
@require_POST
def heartbeat(request: HttpRequest, lesson_id: int) -> JsonResponse:
    """The player's report: {"position": seconds, "elapsed": seconds since the last report}."""
    person = lessons.person_of(current_user(request))
    lesson = lessons.get_lesson_for_cadre(person, lesson_id)
    if request.content_type != "application/json":  # no report: the state after the last one
        found = LessonProgress.objects.filter(person=person, lesson=lesson).first()
        return JsonResponse(_state(found or LessonProgress(), lesson))
    try:
        body = json.loads(request.body)
        position = float(body["position"])
        elapsed = float(body["elapsed"]) if body.get("elapsed") is not None else None
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": _("进度数据格式不正确")}, status=400)
    if not 0 <= position <= lessons.MAX_DURATION or (elapsed is not None and elapsed < 0):
        return JsonResponse({"error": _("进度数据格式不正确")}, status=400)
    progress = lessons.do_record_heartbeat(person, lesson, position, elapsed, request)
    return JsonResponse(_state(progress, lesson))


def _state(progress: LessonProgress, lesson: Lesson) -> dict[str, object]:
    return {
        "furthest": round(progress.furthest_seconds, 1),
        "percent": _percent(progress, lesson.duration_seconds),
        "skip_detected": progress.skip_detected,
        "media_reached": lessons.media_reached(progress, lesson),
        "completed": progress.completed_at is not None,
    }


@role_required(Role.CADRE)
@require_POST
def quiz_submit(request: HttpRequest, lesson_id: int) -> HttpResponse:
    person = lessons.person_of(current_user(request))
    lesson = lessons.get_lesson_for_cadre(person, lesson_id)
    questions = list(lesson.questions.all())
    form = QuizForm(request.POST, questions=questions)
    if not questions:
        raise Http404
    if not form.is_valid():
        messages.error(request, _("请回答全部题目后再提交。"))
        return redirect("lessons:lesson", lesson_id=lesson.pk)
    try:
        outcome = lessons.do_submit_quiz(person, lesson, form.answers(), request)
    except lessons.LessonError as exc:
        messages.error(request, str(exc))
    else:
        if outcome.passed:
            messages.success(request, _("测验通过（%(score)s 分）。") % {"score": outcome.score})
        else:
            messages.warning(
                request,
                _("得分 %(score)s，未达到及格分 %(mark)s。可以再做一次。")
                % {"score": outcome.score, "mark": lesson.quiz_pass_mark},
            )
    return redirect("lessons:lesson", lesson_id=lesson.pk)


@role_required(Role.CADRE)
def my_progress(request: HttpRequest) -> HttpResponse:
    person = lessons.person_of(current_user(request))
    rows = (
        LessonProgress.objects.filter(person=person)
        .select_related("lesson", "lesson__course")
        .order_by("-completed_at", "-started_at")
    )
    items = [(row, _percent(row, row.lesson.duration_seconds)) for row in rows]
    return render(request, "training/lessons/portal_record.html", {"tab": "learn", "items": items})
