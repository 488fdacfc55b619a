"""Console pages for plans, courses and sessions, and enrolment by staff.

Programme admins manage plans in their scope; liaisons and programme admins see the sessions
that reach their scope and enrol their cadres (sunflower/training/actions.py decides scope).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import ROSTER_ROLES, Role
from sunflower.accounts.scope import get_person_in_scope, people_in_scope, units_in_scope
from sunflower.training import actions, enrolment
from sunflower.training.actions import ADMIN_ROLES, TrainingError
from sunflower.training.forms import (
    CancelSessionForm,
    CourseForm,
    PlanFilterForm,
    PlanForm,
    SessionFilterForm,
    SessionForm,
)
from sunflower.training.models import Course, EnrolmentStatus, Session, TrainingPlan

PAGE_SIZE = 25
CANDIDATES_SHOWN = 100


def _page(request: HttpRequest, rows: Any) -> dict[str, Any]:
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "query_string": query.urlencode(),
        "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
    }


# Plans ------------------------------------------------------------------------------------


@role_required(Role.PROGRAMME_ADMIN)
def plan_list(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    form = PlanFilterForm(request.GET or None)
    rows = (
        actions.plans_in_scope(actor)
        .annotate(course_count=Count("courses"))
        .order_by("-year", "unit__path")
    )
    if form.is_valid():
        if query := form.cleaned_data["q"].strip():
            rows = rows.filter(Q(title__icontains=query) | Q(unit__name__icontains=query))
        if year := form.cleaned_data["year"]:
            rows = rows.filter(year=year)
    return render(request, "training/plan_list.html", {"form": form, **_page(request, rows)})


@role_required(Role.PROGRAMME_ADMIN)
@require_http_methods(["GET", "POST"])
def plan_form(request: HttpRequest, plan_id: int | None = None) -> HttpResponse:
    actor = current_user(request)
    plan = actions.get_plan(actor, plan_id) if plan_id else None
    initial = (
        {"unit": plan.unit, "year": plan.year, "title": plan.title, "description": plan.description}
        if plan
        else {"year": timezone.localdate().year}
    )
    form = PlanForm(request.POST or None, initial=initial, units=units_in_scope(actor, ADMIN_ROLES))
    if request.method == "POST" and form.is_valid():
        try:
            plan = actions.do_save_plan(actor, plan, request=request, **form.cleaned_data)
        except TrainingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("培训计划已保存。"))
            return redirect("training:plan-detail", plan_id=plan.pk)
    return render(request, "training/plan_form.html", {"form": form, "plan": plan})


@role_required(Role.PROGRAMME_ADMIN)
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = actions.get_plan(current_user(request), plan_id)
    courses = plan.courses.annotate(session_count=Count("sessions")).order_by("title")
    return render(request, "training/plan_detail.html", {"plan": plan, "courses": courses})


# Courses ----------------------------------------------------------------------------------


@role_required(Role.PROGRAMME_ADMIN)
@require_http_methods(["GET", "POST"])
def course_form(
    request: HttpRequest, plan_id: int | None = None, course_id: int | None = None
) -> HttpResponse:
    actor = current_user(request)
    course: Course | None = actions.get_course(actor, course_id) if course_id else None
    plan: TrainingPlan = course.plan if course else actions.get_plan(actor, plan_id)
    initial = {k: getattr(course, k) for k in actions.COURSE_FIELDS} if course else None
    form = CourseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            course = actions.do_save_course(actor, plan, course, form.cleaned_data, request)
        except TrainingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("课程已保存。"))
            return redirect("training:course-detail", course_id=course.pk)
    return render(
        request, "training/course_form.html", {"form": form, "plan": plan, "course": course}
    )


@role_required(Role.PROGRAMME_ADMIN)
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course = actions.get_course(current_user(request), course_id)
    sessions = course.sessions.annotate(
        enrolled=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED)),
        attended=Count("attendances", distinct=True),
    ).order_by("starts_at")
    return render(
        request,
        "training/course_detail.html",
        {"course": course, "sessions": sessions, "now": timezone.now()},
    )


@role_required(Role.PROGRAMME_ADMIN)
@require_POST
def course_publish(request: HttpRequest, course_id: int) -> HttpResponse:
    actor = current_user(request)
    course = actions.get_course(actor, course_id)
    publish = request.POST.get("published") != "0"
    actions.do_publish_course(actor, course, publish, request)
    messages.success(request, _("课程已发布，干部可以报名。") if publish else _("课程已撤回发布。"))
    return redirect("training:course-detail", course_id=course.pk)


# Sessions ---------------------------------------------------------------------------------


@role_required(*ROSTER_ROLES)
def session_list(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    form = SessionFilterForm(request.GET or None)
    now = timezone.now()
    rows = actions.sessions_in_scope(actor).annotate(
        enrolled=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED))
    )
    if form.is_valid():
        if query := form.cleaned_data["q"].strip():
            rows = rows.filter(
                Q(course__title__icontains=query)
                | Q(place__icontains=query)
                | Q(trainer__icontains=query)
            )
        when = form.cleaned_data["when"]
        if when == "upcoming":
            rows = rows.filter(ends_at__gt=now, cancelled_at__isnull=True)
        elif when == "past":
            rows = rows.filter(ends_at__lte=now, cancelled_at__isnull=True)
        elif when == "cancelled":
            rows = rows.filter(cancelled_at__isnull=False)
        if mode := form.cleaned_data["mode"]:
            rows = rows.filter(course__mode=mode)
    rows = rows.order_by("-starts_at")
    return render(
        request,
        "training/session_list.html",
        {"form": form, "now": now, **_page(request, rows)},
    )


@role_required(Role.PROGRAMME_ADMIN)
@require_http_methods(["GET", "POST"])
def session_form(
    request: HttpRequest, course_id: int | None = None, session_id: int | None = None
) -> HttpResponse:
    actor = current_user(request)
    session: Session | None = None
    if session_id:
        session = actions.get_session(actor, session_id)
        if not actions.can_manage(actor, session):
            return _read_only(request, session)
        course = session.course
    else:
        course = actions.get_course(actor, course_id)
    initial: dict[str, Any] | None = None
    if session:
        initial = {k: getattr(session, k) for k in actions.SESSION_FIELDS}
        initial["starts_at"] = timezone.localtime(session.starts_at)
        initial["ends_at"] = timezone.localtime(session.ends_at)
        initial["target_units"] = list(session.target_units.all())
    form = SessionForm(
        request.POST or None, initial=initial, units=units_in_scope(actor, ADMIN_ROLES)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = actions.do_save_session(
                actor, course, session, data, list(data["target_units"]), request
            )
        except TrainingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("培训场次已保存。"))
            return redirect("training:session-detail", session_id=session.pk)
    return render(
        request, "training/session_form.html", {"form": form, "course": course, "session": session}
    )


def _read_only(request: HttpRequest, session: Session) -> HttpResponse:
    messages.error(request, _("这一场次由上级单位组织，您只能查看。"))
    return redirect("training:session-detail", session_id=session.pk)


@role_required(Role.PROGRAMME_ADMIN)
@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = current_user(request)
    session = actions.get_session(actor, session_id)
    if not actions.can_manage(actor, session):
        return _read_only(request, session)
    form = CancelSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_cancel_session(actor, session, form.cleaned_data["reason"], request)
        except TrainingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("培训场次已取消，已报名的干部会收到通知。"))
            return redirect("training:session-detail", session_id=session.pk)
    active = session.enrolments.filter(
        status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING]
    ).count()
    return render(
        request,
        "training/session_cancel.html",
        {"form": form, "session": session, "active": active},
    )


@role_required(*ROSTER_ROLES)
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = current_user(request)
    session = actions.get_session(actor, session_id)
    scope = people_in_scope(actor, ROSTER_ROLES)
    enrolments = (
        session.enrolments.filter(person__in=scope)
        .exclude(status=EnrolmentStatus.CANCELLED)
        .select_related("person__unit")
        .order_by("status", "created_at", "pk")
    )
    query = request.GET.get("q", "").strip()[:50]
    candidates = []
    open_for_enrolment = (
        session.cancelled_at is None
        and session.starts_at > timezone.now()
        and session.course.published
    )
    if open_for_enrolment:
        taken = session.enrolments.exclude(status=EnrolmentStatus.CANCELLED).values("person")
        pool = actions.eligible_people(session).filter(pk__in=scope.values("pk"))
        pool = pool.exclude(pk__in=taken).select_related("unit")
        if query:
            pool = pool.filter(name__icontains=query)
        candidates = list(pool.order_by("unit__path", "name")[:CANDIDATES_SHOWN])
    context = {
        "session": session,
        "targets": actions.target_roots(session),
        "enrolments": enrolments,
        "enrolled": enrolment.enrolled_count(session),
        "waiting": session.enrolments.filter(status=EnrolmentStatus.WAITING).count(),
        "attended": session.attendances.filter(person__in=scope).count(),
        "candidates": candidates,
        "candidates_capped": len(candidates) >= CANDIDATES_SHOWN,
        "q": query,
        "open_for_enrolment": open_for_enrolment,
        "can_manage": actions.can_manage(actor, session),
        "now": timezone.now(),
    }
    return render(request, "training/session_detail.html", context)


def _person_id(value: str) -> UUID:
    """A posted person id; anything that is not one answers 404, as a person out of scope."""
    try:
        return UUID(value)
    except ValueError:
        raise Http404 from None


def _staff_role(actor: Any) -> str:
    return Role.LIAISON if actor.has_role(Role.LIAISON) else Role.PROGRAMME_ADMIN


@role_required(*ROSTER_ROLES)
@require_POST
def session_enrol(request: HttpRequest, session_id: int) -> HttpResponse:
    """Enrol the chosen cadres of the actor's scope (a liaison's own unit)."""
    actor = current_user(request)
    session = actions.get_session(actor, session_id)
    chosen = request.POST.getlist("person")[:CANDIDATES_SHOWN]
    placed = waiting = 0
    problems: list[str] = []
    # Every id is checked before anyone is enrolled: a bad one changes nothing.
    people = [get_person_in_scope(actor, _person_id(value), ROSTER_ROLES) for value in chosen]
    for person in people:
        try:
            row = enrolment.do_enrol(
                actor, session.pk, person, role=_staff_role(actor), request=request
            )
        except TrainingError as exc:
            problems.append(f"{person.name}：{exc}")
            continue
        if row.status == EnrolmentStatus.ENROLLED:
            placed += 1
        else:
            waiting += 1
    if placed or waiting:
        messages.success(
            request,
            _("已报名 %(placed)d 人，进入候补 %(waiting)d 人。")
            % {"placed": placed, "waiting": waiting},
        )
    for problem in problems:
        messages.error(request, problem)
    if not chosen:
        messages.error(request, _("请先勾选要报名的干部。"))
    return redirect("training:session-detail", session_id=session.pk)


@role_required(*ROSTER_ROLES)
@require_POST
def enrolment_cancel(request: HttpRequest, session_id: int, person_id: str) -> HttpResponse:
    actor = current_user(request)
    session = actions.get_session(actor, session_id)
    person = get_person_in_scope(actor, person_id, ROSTER_ROLES)
    try:
        enrolment.do_cancel(actor, session.pk, person, role=_staff_role(actor), request=request)
    except TrainingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已取消 %(name)s 的报名。") % {"name": person.name})
    return redirect("training:session-detail", session_id=session.pk)
