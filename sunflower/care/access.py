"""Reads of warnings, cases and explanation requests (T2). Views never query them directly.

Each function checks role and scope, writes an audit entry in the same transaction as the
read, and answers Http404 alike for a row that does not exist and one the actor may not see
(DESIGN.md §4 rule 2). Who may read, one condition per line:

- a warning: a record keeper whose scope holds the warning's unit;
- a case: a record keeper whose scope holds the case's unit; the case's assignee
  (a counsellor handling it);
- an explanation request: a record keeper whose scope holds its unit; the cadre who asked
  (their own, through access_own_explanations).

Scope is the unit recorded on the row when it was made (models.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.utils import timezone

from sunflower.accounts.models import Role, RoleAssignment, User
from sunflower.accounts.scope import scope_roots
from sunflower.assessments.models import Response
from sunflower.audit.events import record
from sunflower.care.models import (
    BreakGlassGrant,
    CaseAction,
    CaseTransition,
    CrisisCase,
    ExplanationRequest,
    RiskWarning,
    SlaBreach,
    WarningStatus,
)
from sunflower.care.reads import is_uuid, read_one
from sunflower.care.tiers import Tier
from sunflower.care.workflow import CaseStatus
from sunflower.orgs.models import Unit

PAGE_SIZE = 25
KEEPER = (Role.RECORD_KEEPER,)
# The audit role of a read under a break-glass grant (record.py).
BREAK_GLASS = "break_glass"


def in_scope(actor: User, roles: tuple[str, ...] = KEEPER, field_name: str = "unit") -> Q:
    """Rows whose *field_name* unit lies in the actor's scope for *roles*."""
    condition = Q(pk__in=[])
    for root in scope_roots(actor, roles):
        condition |= Q(**{f"{field_name}__path__startswith": root.path})
    return condition


def keeper_holds(actor: User, unit: Unit) -> bool:
    return any(unit.is_within(root) for root in scope_roots(actor, KEEPER))


def record_keeper_may_read_response(actor: User, response: Response) -> bool:
    """For assessments.access: a record keeper in scope may read a response with a warning."""
    return (
        actor.has_role(Role.RECORD_KEEPER)
        and RiskWarning.objects.filter(response=response).filter(in_scope(actor)).exists()
    )


def response_has_warning(response: Response) -> bool:
    """For assessments.access: whether the response raised (or was cited by) a warning."""
    return RiskWarning.objects.filter(response=response).exists()


def break_glass_covers(actor: User, person_id: Any, now: datetime | None = None) -> bool:
    """Whether a record keeper holds a live break-glass grant for this person (record.py)."""
    now = now or timezone.now()
    return (
        person_id is not None
        and actor.has_role(Role.RECORD_KEEPER)
        and BreakGlassGrant.objects.filter(
            user=actor, person_id=person_id, granted_at__lte=now, expires_at__gt=now
        ).exists()
    )


_tier_first = Case(
    When(tier=Tier.RED, then=Value(0)),
    When(tier=Tier.ORANGE, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _page(rows: QuerySet[Any], number: Any) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(number)


# Warnings -----------------------------------------------------------------------------


def access_warning(
    actor: User, warning_id: Any, request: HttpRequest | None = None, *, lock: bool = False
) -> RiskWarning:
    return read_one(
        RiskWarning.objects.select_related("person", "unit", "reviewed_by", "raised_by"),
        warning_id,
        role_of=lambda warning: _keeper_role(actor, warning.unit),
        action="warning.read",
        actor=actor,
        request=request,
        lock=lock,
    )


def _keeper_role(actor: User, unit: Unit) -> str | None:
    """The record keeper whose scope holds *unit* reads as record keeper; nobody else."""
    if actor.has_role(Role.RECORD_KEEPER) and keeper_holds(actor, unit):
        return Role.RECORD_KEEPER
    return None


def access_warning_queue(
    actor: User,
    *,
    status: str = "",
    tier: str = "",
    unit: Unit | None = None,
    page: Any = 1,
    request: HttpRequest | None = None,
) -> Page[RiskWarning]:
    """The record keeper's queue: proposals first, then by urgency, newest first."""
    proposed_first = Case(
        When(status=WarningStatus.PROPOSED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    rows = (
        RiskWarning.objects.filter(in_scope(actor))
        .select_related("person", "unit")
        .defer("reason", "review_note")
        .order_by(proposed_first, _tier_first, "-created_at")
    )
    if status:
        rows = rows.filter(status=status)
    if tier:
        rows = rows.filter(tier=tier)
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    with transaction.atomic():
        found = _page(rows, page)
        record(
            "warning.list",
            actor=actor,
            actor_role=Role.RECORD_KEEPER,
            request=request,
            changes={"warnings": [str(w.pk) for w in found.object_list]},
        )
    return found


def proposed_count(actor: User) -> int:
    """How many proposals wait in the actor's scope (a number, not a read of any row)."""
    return RiskWarning.objects.filter(in_scope(actor), status=WarningStatus.PROPOSED).count()


# Cases --------------------------------------------------------------------------------


def _may_read_case(actor: User, case: CrisisCase) -> str | None:
    if actor.has_role(Role.RECORD_KEEPER) and keeper_holds(actor, case.unit):
        return Role.RECORD_KEEPER
    if case.assignee_id is not None and case.assignee_id == actor.pk:
        return Role.COUNSELLOR
    return None


def access_case(
    actor: User, case_id: Any, request: HttpRequest | None = None, *, lock: bool = False
) -> CrisisCase:
    return read_one(
        CrisisCase.objects.select_related("person", "unit", "assignee", "warning"),
        case_id,
        role_of=lambda case: _may_read_case(actor, case),
        action="case.read",
        actor=actor,
        request=request,
        lock=lock,
    )


@dataclass
class TimelineEntry:
    at: Any
    kind: str  # "transition" or "action"
    item: Any


@dataclass
class CaseDetail:
    case: CrisisCase
    timeline: list[TimelineEntry] = field(default_factory=list)
    breaches: list[SlaBreach] = field(default_factory=list)


def access_case_detail(actor: User, case_id: Any, request: HttpRequest | None = None) -> CaseDetail:
    """The case with its transitions and actions merged by time, oldest first."""
    case = access_case(actor, case_id, request)
    transitions = CaseTransition.objects.filter(case=case).select_related("by")
    actions = CaseAction.objects.filter(case=case).select_related("by")
    timeline = [TimelineEntry(t.at, "transition", t) for t in transitions]
    timeline += [TimelineEntry(a.at, "action", a) for a in actions]
    timeline.sort(key=lambda entry: entry.at)
    breaches = list(SlaBreach.objects.filter(case=case).order_by("-detected_at"))
    return CaseDetail(case=case, timeline=timeline, breaches=breaches)


def access_case_list(
    actor: User,
    *,
    assignee: str = "",
    show_closed: bool = False,
    sort: str = "",
    page: Any = 1,
    request: HttpRequest | None = None,
) -> Page[CrisisCase]:
    """Cases the actor may see: breached first (unless sorted by opening), then by urgency.

    *assignee* is "me", "none" or a user id."""
    visible = in_scope(actor) if actor.has_role(Role.RECORD_KEEPER) else Q(pk__in=[])
    visible |= Q(assignee=actor)
    open_breach = SlaBreach.objects.filter(case=OuterRef("pk"), resolved_at__isnull=True)
    rows = (
        CrisisCase.objects.filter(visible)
        .select_related("person", "unit", "assignee")
        .defer("safety_plan", "referral_destination", "closing_reason")
        .annotate(breached=Exists(open_breach))
    )
    if not show_closed:
        rows = rows.exclude(status=CaseStatus.CLOSED)
    if assignee == "me":
        rows = rows.filter(assignee=actor)
    elif assignee == "none":
        rows = rows.filter(assignee__isnull=True)
    elif is_uuid(assignee):
        rows = rows.filter(assignee_id=uuid.UUID(assignee))
    if sort == "opened":
        rows = rows.order_by("-opened_at")
    else:
        rows = rows.order_by("-breached", _tier_first, "opened_at")
    with transaction.atomic():
        found = _page(rows, page)
        record(
            "case.list",
            actor=actor,
            actor_role=Role.RECORD_KEEPER if actor.has_role(Role.RECORD_KEEPER) else "",
            request=request,
            changes={"cases": [str(c.pk) for c in found.object_list]},
        )
    return found


def open_case_of(actor: User, warning: RiskWarning) -> CrisisCase | None:
    """The open case of the warning's person, if the actor may see it (no content read)."""
    case = (
        CrisisCase.objects.filter(person_id=warning.person_id)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("unit")
        .defer("safety_plan", "referral_destination", "closing_reason")
        .first()
    )
    if case is None or _may_read_case(actor, case) is None:
        return None
    return case


# Explanation requests (PIPL Art. 24) --------------------------------------------------


def access_explanation(
    actor: User, explanation_id: Any, request: HttpRequest | None = None, *, lock: bool = False
) -> ExplanationRequest:
    return read_one(
        ExplanationRequest.objects.select_related("person", "unit", "warning", "response"),
        explanation_id,
        role_of=lambda found: _keeper_role(actor, found.unit),
        action="explanation.read",
        actor=actor,
        request=request,
        lock=lock,
    )


def access_explanation_queue(
    actor: User, *, page: Any = 1, request: HttpRequest | None = None
) -> Page[ExplanationRequest]:
    rows = (
        ExplanationRequest.objects.filter(in_scope(actor))
        .select_related("person", "unit", "answered_by")
        .defer("question", "answer")
        .order_by(
            Case(When(answered_at__isnull=True, then=Value(0)), default=Value(1)), "-requested_at"
        )
    )
    with transaction.atomic():
        found = _page(rows, page)
        record(
            "explanation.list",
            actor=actor,
            actor_role=Role.RECORD_KEEPER,
            request=request,
            changes={"explanations": [str(e.pk) for e in found.object_list]},
        )
    return found


def access_own_explanations(
    actor: User, request: HttpRequest | None = None
) -> list[ExplanationRequest]:
    """The cadre's own requests and their answers, newest first; one audit entry."""
    if actor.person_id is None:
        return []
    with transaction.atomic():
        found = list(
            ExplanationRequest.objects.filter(person_id=actor.person_id).select_related(
                "answered_by"
            )
        )
        record(
            "explanation.read",
            actor=actor,
            actor_role=Role.CADRE,
            request=request,
            changes={"own": True, "explanations": [str(e.pk) for e in found]},
        )
    return found


# Duty roster (not T2: who is on duty when) ---------------------------------------------


def duty_colleagues(actor: User) -> list[User]:
    """Record keepers granted inside the actor's record-keeper scope, the actor included."""
    ids = (
        RoleAssignment.objects.active()
        .filter(in_scope(actor), role=Role.RECORD_KEEPER)
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("display_name"))


# Talks, visits and key attention are read through access_talks.py (issue 5 items 5–6); they
# are named here too so that every care read has one home.
from sunflower.care.access_talks import (  # noqa: E402, F401
    access_attention,
    access_attention_list,
    access_meeting_records,
    access_my_cadres,
    access_person_meetings,
    access_talk,
    access_visit,
)
