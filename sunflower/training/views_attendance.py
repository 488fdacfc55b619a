"""The trainer's QR page, the roll and the attendance-sheet import (console, desk)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import ROSTER_ROLES
from sunflower.training import actions, attendance, checkin
from sunflower.training.actions import TrainingError
from sunflower.training.forms import AttendanceImportForm
from sunflower.training.models import Session


def _code(request: HttpRequest, session: Session) -> dict[str, object]:
    now = timezone.now()
    token = checkin.make_token(session, now)
    url = request.build_absolute_uri(checkin.checkin_path(token))
    return {
        "url": url,
        "token": token,
        "svg": checkin.qr_svg(url, _("签到二维码")),
        "seconds_left": checkin.seconds_left(now),
    }


@role_required(*ROSTER_ROLES)
@never_cache
def session_qr(request: HttpRequest, session_id: int) -> HttpResponse:
    session = actions.get_session(current_user(request), session_id)
    refusal = checkin.session_state_refusal(session, timezone.now())
    context: dict[str, object] = {"session": session, "refusal": refusal}
    if refusal is None:
        context.update(_code(request, session))
    context["checked_in"] = session.attendances.count()
    return render(request, "training/session_qr.html", context)


@role_required(*ROSTER_ROLES)
@never_cache
@require_GET
def session_qr_code(request: HttpRequest, session_id: int) -> HttpResponse:
    """The current code as JSON, fetched by static/training/qr.js every window."""
    session = actions.get_session(current_user(request), session_id)
    refusal = checkin.session_state_refusal(session, timezone.now())
    if refusal is not None:
        return JsonResponse({"refusal": refusal, "checked_in": session.attendances.count()})
    data = _code(request, session)
    data["checked_in"] = session.attendances.count()
    return JsonResponse(data)


@role_required(*ROSTER_ROLES)
@require_http_methods(["GET", "POST"])
def session_roll(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = current_user(request)
    session = actions.get_session(actor, session_id)
    if request.method == "POST":
        try:
            counts = attendance.do_take_roll(
                actor,
                session,
                request.POST.getlist("present"),
                request.POST.getlist("late"),
                request.POST.getlist("early"),
                shown=request.POST.getlist("shown"),
                shown_attendances=request.POST.getlist("shown_attendance"),
                request=request,
            )
        except TrainingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("点名已保存：新增签到 %(created)d 人，修改 %(updated)d 人，撤销 %(removed)d 人。")
                % counts,
            )
        return redirect("training:session-roll", session_id=session.pk)
    lines = attendance.roll(actor, session)
    return render(
        request,
        "training/session_roll.html",
        {
            "session": session,
            "lines": lines,
            "present": sum(1 for x in lines if x.attendance),
            "not_open_yet": attendance.not_open_yet(session),
        },
    )


@role_required(*ROSTER_ROLES)
@require_http_methods(["GET", "POST"])
def session_import(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = current_user(request)
    session = actions.get_session(actor, session_id)
    form = AttendanceImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            form.add_error("file", _("签到表不能超过 5 MB。"))
        else:
            report = attendance.do_import_sheet(actor, session, io.BytesIO(upload.read()), request)
            if report.applied:
                messages.success(
                    request,
                    _("签到表已导入：新增 %(created)d 人，更新 %(updated)d 人。")
                    % {"created": report.created, "updated": report.updated},
                )
                return redirect("training:session-roll", session_id=session.pk)
    return render(
        request,
        "training/session_import.html",
        {"session": session, "form": form, "report": report},
    )


@role_required(*ROSTER_ROLES)
def attendance_template(request: HttpRequest) -> HttpResponse:
    buffer = io.BytesIO()
    attendance.write_template(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=attendance.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("签到表模板") + ".xlsx"
    )
    return response
