"""The certificate of completion (结业证明), a Chinese PDF for each completion of a counting
course: attending a session of it, or completing one of its online lessons. The cadre downloads
their own from the training record and the online-learning record. Built with the helpers of
the personal-data copy (privacy/pdf.py): ReportLab's STSong-Light, no font files on the server."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from sunflower.accounts.models import User
from sunflower.privacy.pdf import build_pdf, paragraph, record_table, report_styles
from sunflower.training.models import Attendance, DeliveryMode, LessonProgress


def my_certificates(user: User) -> Any:
    if user.person_id is None:
        return Attendance.objects.none()
    return (
        Attendance.objects.filter(
            person_id=user.person_id,
            session__course__counts_toward_requirement=True,
            session__cancelled_at__isnull=True,
        )
        .select_related("session__course__plan__unit")
        .order_by("-session__starts_at")
    )


def get_my_certificate(user: User, attendance_id: Any) -> Attendance:
    """The cadre's own attendance of a counting course; 404 for anything else."""
    if user.person_id is None:
        raise Http404
    found = my_certificates(user).filter(pk=attendance_id).first()
    if found is None:
        raise Http404
    return found


def my_lesson_certificates(user: User) -> QuerySet[LessonProgress]:
    """The cadre's completed online lessons of counting courses. A lesson unpublished since
    keeps its certificate: the completion happened."""
    if user.person_id is None:
        return LessonProgress.objects.none()
    return (
        LessonProgress.objects.filter(
            person_id=user.person_id,
            completed_at__isnull=False,
            lesson__course__counts_toward_requirement=True,
        )
        .select_related("person__unit", "lesson__course__plan__unit")
        .order_by("-completed_at")
    )


def get_my_lesson_certificate(user: User, lesson_id: Any) -> LessonProgress:
    """The cadre's own completion of an online lesson of a counting course; 404 otherwise."""
    found = my_lesson_certificates(user).filter(lesson_id=lesson_id).first()
    if found is None:
        raise Http404
    return found


def serial(attendance: Attendance) -> str:
    starts = timezone.localtime(attendance.session.starts_at)
    return f"XYH-{starts:%Y}-{attendance.session_id:05d}-{attendance.pk:06d}"


def lesson_serial(progress: LessonProgress) -> str:
    assert progress.completed_at is not None  # noqa: S101 (my_lesson_certificates)
    completed = timezone.localtime(progress.completed_at)
    return f"XYH-{completed:%Y}-L{progress.lesson_id:05d}-{progress.pk:06d}"


def _render(statement: str, rows: list[tuple[str, str]], note: str) -> bytes:
    styles = report_styles()
    story: list[Any] = [
        Spacer(1, 20 * mm),
        paragraph(_("培训结业证明"), styles["title"]),
        Spacer(1, 8 * mm),
        paragraph(statement, styles["body"]),
        Spacer(1, 6 * mm),
        record_table(rows, styles),
        Spacer(1, 10 * mm),
        paragraph(note, styles["meta"]),
    ]
    return build_pdf(
        story, title=_("培训结业证明"), footer=_("向阳花干部心理健康服务平台 · 第 %(page)d 页")
    )


def render_certificate(attendance: Attendance) -> bytes:
    session = attendance.session
    course = session.course
    person = attendance.person
    starts = timezone.localtime(session.starts_at)
    return _render(
        _("%(name)s同志于%(date)s参加了“%(course)s”培训，完成学习，特此证明。")
        % {"name": person.name, "date": f"{starts:%Y年%m月%d日}", "course": course.title},
        [
            (_("姓名"), person.name),
            (_("单位"), person.unit.name),
            (_("课程"), course.title),
            (_("形式"), str(course.get_mode_display())),
            (_("时间"), f"{starts:%Y-%m-%d %H:%M}"),
            (_("地点"), session.place or session.online_url or "—"),
            (_("学时"), f"{course.hours}"),
            (_("主办单位"), course.plan.unit.name),
            (_("证明编号"), serial(attendance)),
        ],
        _("本证明由向阳花干部心理健康服务平台根据签到记录生成，计入每半年必修培训要求。"),
    )


def render_lesson_certificate(progress: LessonProgress) -> bytes:
    assert progress.completed_at is not None  # noqa: S101 (my_lesson_certificates)
    lesson = progress.lesson
    course = lesson.course
    person = progress.person
    completed = timezone.localtime(progress.completed_at)
    return _render(
        _("%(name)s同志于%(date)s完成了“%(course)s”线上课程“%(lesson)s”的学习，特此证明。")
        % {
            "name": person.name,
            "date": f"{completed:%Y年%m月%d日}",
            "course": course.title,
            "lesson": lesson.title,
        },
        [
            (_("姓名"), person.name),
            (_("单位"), person.unit.name),
            (_("课程"), course.title),
            (_("课时"), lesson.title),
            (_("形式"), str(DeliveryMode.ONLINE.label)),
            (_("完成时间"), f"{completed:%Y-%m-%d %H:%M}"),
            (_("时长"), lesson.duration_label),
            (_("主办单位"), course.plan.unit.name),
            (_("证明编号"), lesson_serial(progress)),
        ],
        _("本证明由向阳花干部心理健康服务平台根据线上学习记录生成，计入每半年必修培训要求。"),
    )
