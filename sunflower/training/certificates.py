"""The certificate of completion (结业证明), a Chinese PDF for each attendance of a counting
course, downloaded by the cadre from their training record. Built with the helpers of the
personal-data copy (privacy/pdf.py): ReportLab's STSong-Light, no font files on the server."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from sunflower.accounts.models import User
from sunflower.privacy.pdf import build_pdf, paragraph, record_table, report_styles
from sunflower.training.models import Attendance


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


def serial(attendance: Attendance) -> str:
    starts = timezone.localtime(attendance.session.starts_at)
    return f"XYH-{starts:%Y}-{attendance.session_id:05d}-{attendance.pk:06d}"


def render_certificate(attendance: Attendance) -> bytes:
    styles = report_styles()
    session = attendance.session
    course = session.course
    person = attendance.person
    starts = timezone.localtime(session.starts_at)
    story: list[Any] = [
        Spacer(1, 20 * mm),
        paragraph(_("培训结业证明"), styles["title"]),
        Spacer(1, 8 * mm),
        paragraph(
            _("%(name)s同志于%(date)s参加了“%(course)s”培训，完成学习，特此证明。")
            % {"name": person.name, "date": f"{starts:%Y年%m月%d日}", "course": course.title},
            styles["body"],
        ),
        Spacer(1, 6 * mm),
        record_table(
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
            styles,
        ),
        Spacer(1, 10 * mm),
        paragraph(
            _("本证明由向阳花干部心理健康服务平台根据签到记录生成，计入每半年必修培训要求。"),
            styles["meta"],
        ),
    ]
    return build_pdf(
        story, title=_("培训结业证明"), footer=_("向阳花干部心理健康服务平台 · 第 %(page)d 页")
    )
