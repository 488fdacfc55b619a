"""Changes to talk assignments, talks, visits and key-attention entries.

Each `do_*` runs in one transaction and writes its audit entry in it; the audit changes carry
dates, ids and counts, never a reason, a type or a note (those are T2). A refusal raises
CareError with a message for the user and leaves nothing half-written.

Who may change what:
- assignments: a record keeper or programme admin whose scope holds the cadre;
- talks and visits: the talk officer assigned to the cadre (planning, recording; a planned one
  only by the officer who planned it);
- key attention: a record keeper whose scope holds the cadre creates, edits and exits entries;
  an assigned talk officer may put a cadre on the list (the record keeper reviews the plan).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sunflower.accounts.models import Role, RoleAssignment, User
from sunflower.accounts.scope import people_in_scope
from sunflower.audit.events import record
from sunflower.care.access_talks import (
    access_attention,
    access_talk,
    access_visit,
    active_assignments,
    assigned_person,
    is_assigned,
    keeper_holds,
)
from sunflower.care.actions import CareError
from sunflower.care.models_talks import (
    AttentionReason,
    AttentionReasons,
    AttentionStatus,
    KeyAttention,
    MeetingStatus,
    Talk,
    TalkArea,
    TalkAssignment,
    TalkDetails,
    TalkKind,
    Visit,
    VisitDetails,
    VisitKind,
)
from sunflower.orgs.models import Person

MAX_TEXT = 2000
MAX_DAYS = 365
ASSIGNERS = (Role.RECORD_KEEPER, Role.PROGRAMME_ADMIN)
# A talk "held" a little in the future is a clock skew, not a plan.
CLOCK_SLACK = timedelta(minutes=10)


def _text(value: str | None, *, required: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise CareError(required)
    if len(value) > MAX_TEXT:
        raise CareError(_("内容过长，最多 %(n)d 字") % {"n": MAX_TEXT})
    return value


def _days(value: int | None) -> int:
    if value is None or not 1 <= value <= MAX_DAYS:
        raise CareError(_("间隔天数应在 1 到 %(n)d 之间") % {"n": MAX_DAYS})
    return value


def _optional_days(value: int | None) -> int | None:
    return None if value is None else _days(value)


# Assignments --------------------------------------------------------------------------


def assignable_officers(person: Person) -> list[User]:
    """Active users holding the talk-officer role over the cadre's unit."""
    ancestors = [int(part) for part in person.unit.path.strip("/").split("/") if part]
    ids = (
        RoleAssignment.objects.active()
        .filter(role=Role.TALK_OFFICER, unit_id__in=ancestors)
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("display_name"))


def assignments_in_scope(actor: User, *, q: str = "") -> QuerySet[TalkAssignment]:
    """Current assignments of cadres in the actor's scope (not T2: who talks with whom)."""
    people = people_in_scope(actor, ASSIGNERS).values("pk")
    rows = (
        active_assignments()
        .filter(person__in=people)
        .select_related("person", "person__unit", "talk_officer")
        .order_by("talk_officer__display_name", "person__unit__path", "person__name")
    )
    if q:
        rows = rows.filter(Q(person__name__contains=q) | Q(talk_officer__display_name__contains=q))
    return rows


def do_assign(
    actor: User,
    person_id: Any,
    officer_id: Any,
    since: date | None = None,
    request: HttpRequest | None = None,
) -> TalkAssignment:
    with transaction.atomic():
        person = people_in_scope(actor, ASSIGNERS).select_related("unit").filter(pk=person_id)
        found = person.first()
        if found is None:
            raise CareError(_("未找到该干部，或其不在您的工作范围内"))
        officer = next(
            (u for u in assignable_officers(found) if str(u.pk) == str(officer_id)), None
        )
        if officer is None:
            raise CareError(_("请选择负责该干部所在单位的谈心谈话责任人"))
        try:
            with transaction.atomic():
                assignment = TalkAssignment.objects.create(
                    talk_officer=officer,
                    person=found,
                    since=since or timezone.localdate(),
                    created_by=actor,
                )
        except IntegrityError:
            raise CareError(_("该责任人已负责这名干部")) from None
        record(
            "talk_assignment.created",
            actor=actor,
            actor_role=_assigner_role(actor),
            target=assignment,
            request=request,
            scope_unit_id=found.unit_id,
            changes={"person": str(found.pk), "talk_officer": str(officer.pk)},
        )
    return assignment


def do_end_assignment(
    actor: User, assignment_id: int, request: HttpRequest | None = None
) -> TalkAssignment:
    with transaction.atomic():
        assignment = (
            assignments_in_scope(actor).select_for_update(of=("self",)).filter(pk=assignment_id)
        ).first()
        if assignment is None:
            raise CareError(_("未找到该分工，或其已结束"))
        assignment.until = max(timezone.localdate(), assignment.since)
        assignment.ended_by = actor
        assignment.save(update_fields=["until", "ended_by"])
        record(
            "talk_assignment.ended",
            actor=actor,
            actor_role=_assigner_role(actor),
            target=assignment,
            request=request,
            scope_unit_id=assignment.person.unit_id,
            changes={"until": assignment.until.isoformat()},
        )
    return assignment


def _assigner_role(actor: User) -> str:
    return Role.RECORD_KEEPER if actor.has_role(Role.RECORD_KEEPER) else Role.PROGRAMME_ADMIN


# Talks and visits ---------------------------------------------------------------------


def _person_for(actor: User, person_id: Any) -> Person:
    try:
        return assigned_person(actor, person_id)
    except Http404:
        raise CareError(_("您未负责这名干部，不能为其安排或记录谈话")) from None


def _check_held(held_at: datetime | None) -> datetime:
    if held_at is None:
        raise CareError(_("请填写时间"))
    if held_at > timezone.now() + CLOCK_SLACK:
        raise CareError(_("记录的时间不能晚于现在；以后的谈话请用“安排计划”"))
    return held_at


def _check_planned(planned_for: datetime | None) -> datetime:
    if planned_for is None:
        raise CareError(_("请填写计划时间"))
    return planned_for


def talk_details(
    kind: str,
    areas: list[str],
    pressure: int | None,
    needs: str = "",
    actions: str = "",
    notes: str = "",
) -> TalkDetails:
    """Checked content of a recorded talk."""
    if kind not in TalkKind.values:
        raise CareError(_("请选择谈话类型"))
    if not areas or not set(areas) <= set(TalkArea.values):
        raise CareError(_("请选择谈话涉及的方面"))
    if pressure is None or not 1 <= pressure <= 5:
        raise CareError(_("请选择观察到的压力程度（1–5）"))
    return TalkDetails(
        kind=kind,
        areas=[a for a in TalkArea.values if a in areas],
        pressure=pressure,
        needs=_text(needs),
        actions=_text(actions),
        notes=_text(notes),
    )


def visit_details(kind: str, place: str = "", notes: str = "", follow_up: str = "") -> VisitDetails:
    if kind not in VisitKind.values:
        raise CareError(_("请选择走访类型"))
    return VisitDetails(
        kind=kind,
        place=_text(place, required=_("请填写走访地点")),
        notes=_text(notes),
        follow_up=_text(follow_up),
    )


def do_plan_talk(
    actor: User, person_id: Any, planned_for: datetime | None, kind: str, request: Any = None
) -> Talk:
    if kind not in TalkKind.values:
        raise CareError(_("请选择谈话类型"))
    talk: Talk = _plan(Talk, TalkDetails(kind=kind), actor, person_id, planned_for, request)
    return talk


def do_record_talk(
    actor: User,
    person_id: Any,
    held_at: datetime | None,
    details: TalkDetails,
    next_date: date | None = None,
    *,
    talk_id: Any = None,
    request: HttpRequest | None = None,
) -> Talk:
    """Record a talk as held: a new one, or the actor's planned talk *talk_id*."""
    talk: Talk = _record(
        Talk, access_talk, actor, person_id, held_at, details, next_date, talk_id, request
    )
    return talk


def do_plan_visit(
    actor: User, person_id: Any, planned_for: datetime | None, kind: str, request: Any = None
) -> Visit:
    if kind not in VisitKind.values:
        raise CareError(_("请选择走访类型"))
    visit: Visit = _plan(Visit, VisitDetails(kind=kind), actor, person_id, planned_for, request)
    return visit


def do_record_visit(
    actor: User,
    person_id: Any,
    held_at: datetime | None,
    details: VisitDetails,
    next_date: date | None = None,
    *,
    visit_id: Any = None,
    request: HttpRequest | None = None,
) -> Visit:
    """Record a visit as held: a new one, or the actor's planned visit *visit_id*."""
    visit: Visit = _record(
        Visit, access_visit, actor, person_id, held_at, details, next_date, visit_id, request
    )
    return visit


def _plan(
    model: type[Talk] | type[Visit],
    details: Any,
    actor: User,
    person_id: Any,
    planned_for: datetime | None,
    request: Any,
) -> Any:
    """A talk or visit the talk officer plans with a cadre assigned to them; audited."""
    with transaction.atomic():
        person = _person_for(actor, person_id)
        meeting = model(
            person=person,
            unit_id=person.unit_id,
            officer=actor,
            status=MeetingStatus.PLANNED,
            planned_for=_check_planned(planned_for),
        )
        meeting.set_details(details)
        meeting.save()
        _audit(actor, f"{model._meta.model_name}.planned", meeting, request)
    return meeting


def _record(
    model: type[Talk] | type[Visit],
    access: Any,
    actor: User,
    person_id: Any,
    held_at: datetime | None,
    details: Any,
    next_date: date | None,
    planned_id: Any,
    request: HttpRequest | None,
) -> Any:
    """A talk or visit recorded as held: a new one, or the actor's planned one; audited."""
    with transaction.atomic():
        if planned_id is not None:
            meeting = _own_planned(access(actor, planned_id, request, lock=True), actor)
            person = _person_for(actor, meeting.person_id)
        else:
            person = _person_for(actor, person_id)
            meeting = model(person=person, unit_id=person.unit_id, officer=actor)
        _check_next(next_date, held_at)
        meeting.status = MeetingStatus.DONE
        meeting.held_at = _check_held(held_at)
        meeting.next_date = next_date
        meeting.updated_at = timezone.now()
        meeting.set_details(details)
        meeting.save()
        _audit(actor, f"{model._meta.model_name}.recorded", meeting, request)
    return meeting


def _own_planned(meeting: Any, actor: User) -> Any:
    if meeting.officer_id != actor.pk:
        raise CareError(_("只有安排者本人可以记录这次计划"))
    if meeting.status != MeetingStatus.PLANNED:
        raise CareError(_("这次谈话已记录，请刷新页面查看"))
    return meeting


def _check_next(next_date: date | None, held_at: datetime | None) -> None:
    if next_date is not None and held_at is not None and next_date < timezone.localdate(held_at):
        raise CareError(_("下次日期不能早于本次日期"))


def _audit(actor: User, action: str, meeting: Talk | Visit, request: HttpRequest | None) -> None:
    record(
        action,
        actor=actor,
        actor_role=Role.TALK_OFFICER,
        target=meeting,
        request=request,
        scope_unit_id=meeting.unit_id,
        changes={
            "person": str(meeting.person_id),
            "status": meeting.status,
            "at": (meeting.when.isoformat() if meeting.when else ""),
        },
    )


# Key attention ------------------------------------------------------------------------


def may_create_attention(actor: User, person: Person) -> bool:
    return keeper_holds(actor, person.unit) or is_assigned(actor, person)


def attention_responsibles(person: Person) -> list[User]:
    """Who may be responsible for a cadre's plan: record keepers whose scope holds the
    cadre's unit and talk officers assigned to the cadre."""
    ancestors = [int(part) for part in person.unit.path.strip("/").split("/") if part]
    keepers = (
        RoleAssignment.objects.active()
        .filter(role=Role.RECORD_KEEPER, unit_id__in=ancestors)
        .values("user_id")
    )
    officers = active_assignments().filter(person=person).values("talk_officer_id")
    users = User.objects.filter(Q(pk__in=keepers) | Q(pk__in=officers), is_active=True)
    return list(users.order_by("display_name"))


def _reasons(codes: list[str], note: str) -> AttentionReasons:
    if not codes or not set(codes) <= set(AttentionReason.values):
        raise CareError(_("请至少选择一项关注原因"))
    return AttentionReasons(
        codes=[c for c in AttentionReason.values if c in codes], note=_text(note)
    )


def _responsible(person: Person, user_id: Any) -> User:
    found = next((u for u in attention_responsibles(person) if str(u.pk) == str(user_id)), None)
    if found is None:
        raise CareError(_("责任人应为该干部的谈心谈话责任人或范围内的档案管理员"))
    return found


def _review(review_on: date | None) -> date:
    if review_on is None or review_on < timezone.localdate():
        raise CareError(_("复核日期不能早于今天"))
    return review_on


def do_create_attention(
    actor: User,
    person_id: Any,
    *,
    codes: list[str],
    note: str = "",
    talk_every_days: int | None,
    visit_every_days: int | None = None,
    responsible_id: Any,
    review_on: date | None,
    request: HttpRequest | None = None,
) -> KeyAttention:
    reasons = _reasons(codes, note)
    with transaction.atomic():
        person = Person.objects.select_related("unit").filter(pk=person_id).first()
        if person is None or not may_create_attention(actor, person):
            raise CareError(_("未找到该干部，或其不在您的工作范围内"))
        entry = KeyAttention(
            person=person,
            unit_id=person.unit_id,
            talk_every_days=_days(talk_every_days),
            visit_every_days=_optional_days(visit_every_days),
            responsible=_responsible(person, responsible_id),
            review_on=_review(review_on),
            created_by=actor,
        )
        entry.set_reasons(reasons)
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            raise CareError(_("该干部已在重点关注名单中")) from None
        role = Role.RECORD_KEEPER if keeper_holds(actor, person.unit) else Role.TALK_OFFICER
        record(
            "attention.created",
            actor=actor,
            actor_role=role,
            target=entry,
            request=request,
            scope_unit_id=person.unit_id,
            changes=_plan_changes(entry),
        )
    return entry


def do_update_attention(
    actor: User,
    entry_id: Any,
    *,
    codes: list[str],
    note: str = "",
    talk_every_days: int | None,
    visit_every_days: int | None = None,
    responsible_id: Any,
    review_on: date | None,
    request: HttpRequest | None = None,
) -> KeyAttention:
    reasons = _reasons(codes, note)
    with transaction.atomic():
        entry = _managed(actor, entry_id, request)
        entry.set_reasons(reasons)
        entry.talk_every_days = _days(talk_every_days)
        entry.visit_every_days = _optional_days(visit_every_days)
        entry.responsible = _responsible(entry.person, responsible_id)
        entry.review_on = _review(review_on)
        entry.save(
            update_fields=[
                "reasons",
                "talk_every_days",
                "visit_every_days",
                "responsible",
                "review_on",
            ]
        )
        record(
            "attention.updated",
            actor=actor,
            actor_role=Role.RECORD_KEEPER,
            target=entry,
            request=request,
            scope_unit_id=entry.unit_id,
            changes=_plan_changes(entry),
        )
    return entry


def do_exit_attention(
    actor: User, entry_id: Any, reason: str, request: HttpRequest | None = None
) -> KeyAttention:
    reason = _text(reason, required=_("请填写退出重点关注的理由"))
    with transaction.atomic():
        entry = _managed(actor, entry_id, request)
        entry.status = AttentionStatus.EXITED
        entry.exit_reason = reason
        entry.exited_by = actor
        entry.exited_at = timezone.now()
        entry.save(update_fields=["status", "exit_reason", "exited_by", "exited_at"])
        record(
            "attention.exited",
            actor=actor,
            actor_role=Role.RECORD_KEEPER,
            target=entry,
            request=request,
            scope_unit_id=entry.unit_id,
        )
    return entry


def _managed(actor: User, entry_id: Any, request: HttpRequest | None) -> KeyAttention:
    try:
        entry = access_attention(actor, entry_id, request, lock=True)
    except Http404:
        raise CareError(_("未找到该重点关注记录")) from None
    if not keeper_holds(actor, entry.unit):
        raise CareError(_("只有范围内的档案管理员可以调整或退出重点关注"))
    if not entry.is_active:
        raise CareError(_("该干部已退出重点关注，请刷新页面查看"))
    return entry


def _plan_changes(entry: KeyAttention) -> dict[str, Any]:
    return {
        "talk_every_days": entry.talk_every_days,
        "visit_every_days": entry.visit_every_days,
        "responsible": str(entry.responsible_id),
        "review_on": entry.review_on.isoformat(),
    }
