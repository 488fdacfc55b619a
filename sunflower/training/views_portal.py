"""The cadre's training pages on the phone: upcoming sessions, enrolment, QR check-in, the
training record and certificates (of attended sessions and of completed online lessons)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import Role
from sunflower.orgs.models import Person
from sunflower.training import actions, certificates, checkin, compliance, enrolment
from sunflower.training.actions import TrainingError
from sunflower.training.models import Enrolment, EnrolmentStatus, Session


def _me(request: HttpRequest) -> Person:
    return Person.objects.select_related("unit").get(user=current_user(request))


def upcoming_for(person: Person, limit: int | None = None) -> list[Session]:
    rows = (
        actions.sessions_for_cadre(person)
        .filter(ends_at__gt=timezone.now(), cancelled_at__isnull=True)
        .order_by("starts_at")
    )
    sessions = list(rows[:limit] if limit else rows)
    mine = {
        e.session_id: e
        for e in Enrolment.objects.filter(person=person, session__in=[s.pk for s in sessions])
    }
    for session in sessions:
        session.my_enrolment = mine.get(session.pk)  # type: ignore[attr-defined]
    return sessions


@role_required(Role.CADRE)
def sessions(request: HttpRequest) -> HttpResponse:
    person = _me(request)
    return render(
        request,
        "training/portal_sessions.html",
        {"tab": "learn", "sessions": upcoming_for(person)},
    )


def _visible_session(person: Person, session_id: int) -> Session:
    session = actions.sessions_for_cadre(person).filter(pk=session_id).first()
    if session is None:
        # Enrolled from outside the target units (by a liaison): still the cadre's session.
        session = (
            Session.objects.filter(pk=session_id, enrolments__person=person)
            .select_related("course__plan__unit")
            .first()
        )
    if session is None:
        raise Http404
    return session


@role_required(Role.CADRE)
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    person = _me(request)
    session = _visible_session(person, session_id)
    mine = Enrolment.objects.filter(session=session, person=person).first()
    position = None
    if mine and mine.status == EnrolmentStatus.WAITING:
        position = (
            session.enrolments.filter(status=EnrolmentStatus.WAITING)
            .filter(created_at__lte=mine.created_at)
            .count()
        )
    return render(
        request,
        "training/portal_session.html",
        {
            "tab": "learn",
            "session": session,
            "mine": mine,
            "position": position,
            "enrolled": enrolment.enrolled_count(session),
            "attendance": session.attendances.filter(person=person).first(),
            "can_enrol": session.cancelled_at is None and session.starts_at > timezone.now(),
        },
    )


@role_required(Role.CADRE)
@require_POST
def enrol(request: HttpRequest, session_id: int) -> HttpResponse:
    person = _me(request)
    session = _visible_session(person, session_id)
    try:
        row = enrolment.do_enrol(current_user(request), session.pk, person, request=request)
    except TrainingError as exc:
        messages.error(request, str(exc))
    else:
        if row.status == EnrolmentStatus.ENROLLED:
            messages.success(request, _("报名成功。"))
        else:
            messages.info(request, _("名额已满，您已进入候补名单；有人取消时会自动递补并通知您。"))
    return redirect("training-portal:session", session_id=session.pk)


@role_required(Role.CADRE)
@require_POST
def cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    person = _me(request)
    session = _visible_session(person, session_id)
    try:
        enrolment.do_cancel(current_user(request), session.pk, person, request=request)
    except TrainingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已取消报名。"))
    return redirect("training-portal:session", session_id=session.pk)


@role_required(Role.CADRE)
@never_cache
def checkin_page(request: HttpRequest, token: str) -> HttpResponse:
    """Opened by scanning the trainer's code: checks the cadre in once."""
    user = current_user(request)
    context: dict[str, object] = {"tab": "learn"}
    try:
        result = checkin.do_check_in(user, token, request)
    except checkin.CheckinRefusedError as exc:
        context["refusal"] = str(exc)
        return render(request, "training/portal_checkin.html", context, status=400)
    context.update(
        {
            "attendance": result.attendance,
            "created": result.created,
            "session": result.attendance.session,
            "time": timezone.localtime(result.attendance.checked_in_at).strftime("%H:%M"),
        }
    )
    return render(request, "training/portal_checkin.html", context)


@role_required(Role.CADRE)
def record(request: HttpRequest) -> HttpResponse:
    person = _me(request)
    user = current_user(request)
    attendances = (
        person.attendances.select_related("session__course")
        .filter(session__cancelled_at__isnull=True)
        .order_by("-session__starts_at")
    )
    current = compliance.current_period()
    periods = [
        (p, compliance.is_compliant(person, p))
        for p in reversed(compliance.recent_periods(current))
    ]
    return render(
        request,
        "training/portal_record.html",
        {
            "tab": "me",
            "attendances": attendances,
            "certificates": {a.pk for a in certificates.my_certificates(user)},
            "lesson_certificates": certificates.my_lesson_certificates(user),
            "periods": periods,
            "current": current,
        },
    )


@role_required(Role.CADRE)
def certificate(request: HttpRequest, attendance_id: int) -> HttpResponse:
    attendance = certificates.get_my_certificate(current_user(request), attendance_id)
    response = HttpResponse(
        certificates.render_certificate(attendance), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("培训结业证明") + f"_{certificates.serial(attendance)}.pdf"
    )
    return response


@role_required(Role.CADRE)
def lesson_certificate(request: HttpRequest, lesson_id: int) -> HttpResponse:
    progress = certificates.get_my_lesson_certificate(current_user(request), lesson_id)
    response = HttpResponse(
        certificates.render_lesson_certificate(progress), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True,
        filename=_("培训结业证明") + f"_{certificates.lesson_serial(progress)}.pdf",
    )
    return response
