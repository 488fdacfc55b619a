"""Plans, courses and sessions: who may see and change them, and the audited changes.

A programme admin manages the plans of units in their scope and everything in them. A session
reaches the cadres of its target units and their subtrees (the plan's unit when none is
chosen). Staff see a session when its plan belongs to their scope or its target subtrees
overlap their scope, so that a district liaison sees the city's sessions open to the district
and can enrol its cadres, take the roll and show the check-in code. Outside that: 404.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sunflower.accounts.models import ROSTER_ROLES, Role, User
from sunflower.accounts.scope import scope_roots, unit_in_scope
from sunflower.audit.events import changed_fields, record
from sunflower.orgs.models import Person, Unit
from sunflower.training.models import Course, Session, TrainingPlan

ADMIN_ROLES = (Role.PROGRAMME_ADMIN,)
STAFF_ROLES = ROSTER_ROLES  # liaisons and programme admins run sessions


class TrainingError(Exception):
    """A request the rules refuse; str() is a message for the user."""


# Scope -------------------------------------------------------------------------------------


def _under(roots: list[Unit], field: str) -> Q:
    condition = Q(pk__in=[])
    for root in roots:
        condition |= Q(**{f"{field}__startswith": root.path})
    return condition


def plans_in_scope(actor: User) -> QuerySet[TrainingPlan]:
    return TrainingPlan.objects.filter(
        _under(scope_roots(actor, ADMIN_ROLES), "unit__path")
    ).select_related("unit")


def get_plan(actor: User, plan_id: Any) -> TrainingPlan:
    plan = plans_in_scope(actor).filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    return plan


def get_course(actor: User, course_id: Any) -> Course:
    course = (
        Course.objects.filter(plan__in=plans_in_scope(actor), pk=course_id)
        .select_related("plan__unit")
        .first()
    )
    if course is None:
        raise Http404
    return course


def sessions_in_scope(actor: User) -> QuerySet[Session]:
    """Sessions the actor may see in the console (see the module docstring)."""
    roots = scope_roots(actor, STAFF_ROLES)
    admin_roots = scope_roots(actor, ADMIN_ROLES)
    condition = _under(admin_roots, "course__plan__unit__path")
    for root in roots:
        # A target subtree inside the scope, or a target above it that covers the scope.
        condition |= Q(target_units__path__startswith=root.path)
        ancestors = [int(part) for part in root.path.strip("/").split("/") if part]
        condition |= Q(target_units__id__in=ancestors)
        condition |= Q(target_units__isnull=True, course__plan__unit__id__in=ancestors)
        condition |= Q(target_units__isnull=True, course__plan__unit__path__startswith=root.path)
    ids = Session.objects.filter(condition).values("pk")
    return Session.objects.filter(pk__in=ids).select_related("course__plan__unit")


def get_session(actor: User, session_id: Any) -> Session:
    session = sessions_in_scope(actor).filter(pk=session_id).first()
    if session is None:
        raise Http404
    return session


def can_manage(actor: User, session: Session) -> bool:
    """Edit and cancel: the programme admin whose scope holds the session's plan."""
    return unit_in_scope(actor, session.course.plan.unit, ADMIN_ROLES)


def target_roots(session: Session) -> list[Unit]:
    units = list(session.target_units.all())
    return units or [session.course.plan.unit]


def is_eligible(session: Session, person: Person) -> bool:
    """The cadre works in one of the session's target subtrees."""
    return any(person.unit.is_within(root) for root in target_roots(session))


def eligible_people(session: Session) -> Any:
    return Person.objects.current().filter(_under(target_roots(session), "unit__path"))


def sessions_for_cadre(person: Person) -> QuerySet[Session]:
    """Sessions of published courses whose target subtrees hold the cadre's unit."""
    ancestors = [int(part) for part in person.unit.path.strip("/").split("/") if part]
    ids = Session.objects.filter(
        Q(target_units__id__in=ancestors)
        | Q(target_units__isnull=True, course__plan__unit__id__in=ancestors)
    ).values("pk")
    return Session.objects.filter(pk__in=ids, course__published=True).select_related(
        "course__plan__unit"
    )


# Plans ------------------------------------------------------------------------------------


def _audit(
    action: str,
    actor: User,
    target: Any,
    request: HttpRequest | None,
    unit: Unit,
    changes: dict[str, Any] | None = None,
    role: str = Role.PROGRAMME_ADMIN,
) -> None:
    record(
        action,
        actor=actor,
        actor_role=role,
        target=target,
        request=request,
        scope_unit_id=unit.pk,
        changes=changes,
    )


def do_save_plan(
    actor: User,
    plan: TrainingPlan | None,
    *,
    unit: Unit,
    year: int,
    title: str,
    description: str,
    request: HttpRequest | None = None,
) -> TrainingPlan:
    if not unit_in_scope(actor, unit, ADMIN_ROLES):
        raise TrainingError(_("所选单位不在您的管理范围内。"))
    if not 2000 <= year <= 2100:
        raise TrainingError(_("请填写正确的年度。"))
    duplicate = TrainingPlan.objects.filter(unit=unit, year=year)
    if plan is not None:
        duplicate = duplicate.exclude(pk=plan.pk)
    if duplicate.exists():
        raise TrainingError(_("该单位这一年度的培训计划已经存在。"))
    after = {"unit": unit.pk, "year": year, "title": title.strip(), "description": description}
    with transaction.atomic():
        if plan is None:
            plan = TrainingPlan.objects.create(
                unit=unit,
                year=year,
                title=title.strip(),
                description=description,
                created_by=actor,
            )
            _audit("training.plan_create", actor, plan, request, unit, {"year": year})
        else:
            before = {
                "unit": plan.unit_id,
                "year": plan.year,
                "title": plan.title,
                "description": plan.description,
            }
            plan.unit, plan.year, plan.title, plan.description = (
                unit,
                year,
                title.strip(),
                description,
            )
            plan.save(update_fields=["unit", "year", "title", "description"])
            _audit(
                "training.plan_update", actor, plan, request, unit, changed_fields(before, after)
            )
    return plan


# Courses ----------------------------------------------------------------------------------

COURSE_FIELDS = ("title", "summary", "mode", "audience", "counts_toward_requirement", "hours")


def do_save_course(
    actor: User,
    plan: TrainingPlan,
    course: Course | None,
    values: dict[str, Any],
    request: HttpRequest | None = None,
) -> Course:
    if not unit_in_scope(actor, plan.unit, ADMIN_ROLES):
        raise Http404
    if Decimal(values["hours"]) <= 0:
        raise TrainingError(_("学时应大于 0。"))
    with transaction.atomic():
        if course is None:
            course = Course.objects.create(plan=plan, **{k: values[k] for k in COURSE_FIELDS})
            _audit("training.course_create", actor, course, request, plan.unit)
        else:
            before = {k: getattr(course, k) for k in COURSE_FIELDS}
            for key in COURSE_FIELDS:
                setattr(course, key, values[key])
            course.save(update_fields=list(COURSE_FIELDS))
            _audit(
                "training.course_update",
                actor,
                course,
                request,
                plan.unit,
                changed_fields(before, {k: values[k] for k in COURSE_FIELDS}),
            )
    return course


def do_publish_course(
    actor: User, course: Course, published: bool, request: HttpRequest | None = None
) -> Course:
    with transaction.atomic():
        course.published = published
        course.save(update_fields=["published"])
        action = "training.course_publish" if published else "training.course_unpublish"
        _audit(action, actor, course, request, course.plan.unit)
    return course


# Sessions ---------------------------------------------------------------------------------

SESSION_FIELDS = ("starts_at", "ends_at", "place", "online_url", "trainer", "capacity")


def do_save_session(
    actor: User,
    course: Course,
    session: Session | None,
    values: dict[str, Any],
    targets: list[Unit],
    request: HttpRequest | None = None,
) -> Session:
    from sunflower.training import enrolment

    if not unit_in_scope(actor, course.plan.unit, ADMIN_ROLES):
        raise Http404
    if any(not unit_in_scope(actor, unit, ADMIN_ROLES) for unit in targets):
        raise TrainingError(_("面向单位应在您的管理范围内。"))
    starts_at: datetime = values["starts_at"]
    if values["ends_at"] <= starts_at:
        raise TrainingError(_("结束时间应晚于开始时间。"))
    if values["capacity"] < 1:
        raise TrainingError(_("名额至少为 1。"))
    if session is not None and session.cancelled_at is not None:
        raise TrainingError(_("这一场次已经取消，不能再修改。"))
    with transaction.atomic():
        if session is None:
            session = Session.objects.create(
                course=course, **{k: values[k] for k in SESSION_FIELDS}
            )
            session.target_units.set(targets)
            _audit(
                "training.session_create",
                actor,
                session,
                request,
                course.plan.unit,
                {"targets": [u.pk for u in targets], "capacity": values["capacity"]},
            )
        else:
            session = Session.objects.select_for_update().get(pk=session.pk)
            before = {k: getattr(session, k) for k in SESSION_FIELDS}
            before["targets"] = sorted(session.target_units.values_list("pk", flat=True))
            for key in SESSION_FIELDS:
                setattr(session, key, values[key])
            session.save(update_fields=list(SESSION_FIELDS))
            session.target_units.set(targets)
            after = {k: values[k] for k in SESSION_FIELDS}
            after["targets"] = sorted(u.pk for u in targets)
            _audit(
                "training.session_update",
                actor,
                session,
                request,
                course.plan.unit,
                changed_fields(before, after),
            )
            # More places: the waiting list moves up at once.
            enrolment.promote_waiting(session, actor=actor)
    return session


def do_cancel_session(
    actor: User, session: Session, reason: str, request: HttpRequest | None = None
) -> Session:
    from sunflower.training import enrolment

    if not can_manage(actor, session):
        raise Http404
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.cancelled_at is not None:
            raise TrainingError(_("这一场次已经取消。"))
        if session.ends_at <= timezone.now():
            raise TrainingError(_("这一场次已经结束，不能取消。"))
        session.cancelled_at = timezone.now()
        session.save(update_fields=["cancelled_at"])
        _audit(
            "training.session_cancel",
            actor,
            session,
            request,
            session.course.plan.unit,
            {"reason": reason[:200]},
        )
        enrolment.notify_session_cancelled(session)
    return session
