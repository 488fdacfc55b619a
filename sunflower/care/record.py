"""The mental-health record (心理健康档案) and break-glass (紧急调阅): reads and the one change.

Who may open a person's record, one condition per line:

- a record keeper whose scope holds the person's current unit (the record follows the cadre
  on a transfer, as the paper file does; a keeper who held only the old unit keeps the
  warning and case pages of rows in their scope, not the record);
- a record keeper outside that scope holding a live break-glass grant for the person, made by
  `do_break_glass` after a written reason and re-authentication, every audit admin over the
  person's unit told at once. The grant covers that one person, only for reading.

Every view of the record writes one "care.record.read" entry naming the person, the role
("record_keeper" or "break_glass"), the grant, the sections shown and the rows in them.
Assessment history follows assessments.access `_reader_role` (never a private
self-assessment); warnings and cases are the person's own rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sunflower.accounts.models import Role, RoleAssignment, User
from sunflower.accounts.scope import people_in_scope, scope_roots
from sunflower.assessments.access import responses_on_record
from sunflower.assessments.models import Response
from sunflower.audit.events import record
from sunflower.audit.models import Outcome
from sunflower.care.access import BREAK_GLASS, KEEPER, TimelineEntry, keeper_holds
from sunflower.care.access_talks import access_attention, access_person_meetings
from sunflower.care.models import (
    BreakGlassGrant,
    CaseAction,
    CaseTransition,
    CrisisCase,
    KeyAttention,
    RiskWarning,
)
from sunflower.care.reads import is_uuid
from sunflower.keystore import keyring
from sunflower.lib.validators import IdentityError, normalise_mobile, parse_citizen_id
from sunflower.notifications.api import notify
from sunflower.orgs.models import Person, PersonQuerySet
from sunflower.training import compliance
from sunflower.training.compliance import Period
from sunflower.training.models import Attendance, LessonProgress

MIN_REASON = 15
MAX_REASON = 1000
SEARCH_LIMIT = 50
# Sections of the record whose rows are read on a view (named in the audit entry). Talks,
# visits and key attention are read through their own access functions (access_talks.py),
# which write their own entries, under break-glass as well.
SECTIONS = ("profile", "assessments", "warnings", "cases", "training")
MEETING_SECTIONS = ("talks", "visits", "key_attention")


class BreakGlassError(Exception):
    """A break-glass request the rules refuse; str() is a message for the user."""


def grant_hours() -> int:
    return int(getattr(settings, "SUNFLOWER_BREAK_GLASS_HOURS", 4))


# Finding a person (T1: names, units and posts) -------------------------------------------


def search_people(actor: User, query: str) -> PersonQuerySet:
    """People in the actor's record-keeper scope whose name or unit holds *query*."""
    query = query.strip()
    people = people_in_scope(actor, KEEPER).select_related("unit")
    if not query:
        return people.none()
    return people.filter(Q(name__contains=query) | Q(unit__name__contains=query))[:SEARCH_LIMIT]


def find_person(identifier: str) -> Person | None:
    """Anyone on the roster, by the exact ID number or mobile (their blind indexes): the way
    to name a person outside one's scope without browsing names there."""
    identifier = identifier.strip()
    try:
        digest = keyring.blind_index("id_number", parse_citizen_id(identifier).number)
        return Person.objects.select_related("unit").filter(id_number_index=digest).first()
    except IdentityError:
        pass
    try:
        digest = keyring.blind_index("mobile", normalise_mobile(identifier))
    except IdentityError:
        return None
    # A mobile shared by two people names nobody for certain.
    found = list(Person.objects.select_related("unit").filter(mobile_index=digest)[:2])
    return found[0] if len(found) == 1 else None


# The record --------------------------------------------------------------------------------


@dataclass
class CaseRecord:
    case: CrisisCase
    timeline: list[TimelineEntry] = field(default_factory=list)


@dataclass
class MeetingRow:
    meeting: Any  # a Talk or a Visit
    details: Any  # its decrypted TalkDetails or VisitDetails


@dataclass
class MentalHealthRecord:
    person: Person
    role: str  # Role.RECORD_KEEPER or BREAK_GLASS
    grant: BreakGlassGrant | None
    responses: list[Response]
    warnings: list[RiskWarning]
    cases: list[CaseRecord]
    # Read through access_talks.py for a record keeper in scope; not under break-glass.
    meetings_shown: bool = False
    talks: list[MeetingRow] = field(default_factory=list)
    visits: list[MeetingRow] = field(default_factory=list)
    key_attention: KeyAttention | None = None
    attention_reasons: list[str] = field(default_factory=list)
    # The training record (T1): sessions attended, lessons completed, the half-year periods.
    attendances: list[Attendance] = field(default_factory=list)
    lessons_completed: list[LessonProgress] = field(default_factory=list)
    training_periods: list[tuple[Period, bool]] = field(default_factory=list)

    @property
    def under_break_glass(self) -> bool:
        return self.role == BREAK_GLASS


def live_grant(actor: User, person_id: Any) -> BreakGlassGrant | None:
    now = timezone.now()
    return (
        BreakGlassGrant.objects.filter(
            user=actor, person_id=person_id, granted_at__lte=now, expires_at__gt=now
        )
        .order_by("-expires_at")
        .first()
    )


def _case_records(person: Person) -> list[CaseRecord]:
    cases = list(
        CrisisCase.objects.filter(person=person)
        .select_related("unit", "assignee")
        .order_by("-opened_at")
    )
    by_case: dict[Any, CaseRecord] = {case.pk: CaseRecord(case) for case in cases}
    for transition in CaseTransition.objects.filter(case__in=cases).select_related("by"):
        by_case[transition.case_id].timeline.append(
            TimelineEntry(transition.at, "transition", transition)
        )
    for action in CaseAction.objects.filter(case__in=cases).select_related("by"):
        by_case[action.case_id].timeline.append(TimelineEntry(action.at, "action", action))
    for found in by_case.values():
        found.timeline.sort(key=lambda entry: entry.at)
    return list(by_case.values())


def access_record(
    actor: User, person_id: Any, request: HttpRequest | None = None
) -> MentalHealthRecord:
    """The person's record for a record keeper in scope or under break-glass; Http404 alike
    for a person who does not exist and one the actor may not open."""
    with transaction.atomic():
        person = (
            Person.objects.select_related("unit").filter(pk=person_id).first()
            if is_uuid(person_id)
            else None
        )
        role: str | None = None
        grant = None
        if person is not None and actor.has_role(Role.RECORD_KEEPER):
            if keeper_holds(actor, person.unit):
                role = Role.RECORD_KEEPER
            else:
                grant = live_grant(actor, person.pk)
                role = BREAK_GLASS if grant is not None else None
        if person is None or role is None:
            raise Http404
        responses = [response for response, _role in responses_on_record(actor, person.pk)]
        warnings = list(
            RiskWarning.objects.filter(person=person)
            .select_related("unit", "raised_by", "reviewed_by")
            .order_by("-created_at")
        )
        cases = _case_records(person)
        found = MentalHealthRecord(
            person=person,
            role=role,
            grant=grant,
            responses=responses,
            warnings=warnings,
            cases=cases,
        )
        _add_meetings(actor, found, request)  # under break-glass too (its own audit role)
        _add_training(found)
        sections = SECTIONS + (MEETING_SECTIONS if found.meetings_shown else ())
        record(
            "care.record.read",
            actor=actor,
            actor_role=role,
            target=person,
            request=request,
            scope_unit_id=person.unit_id,
            changes={
                "sections": list(sections),
                "grant": str(grant.pk) if grant is not None else "",
                "responses": [str(r.pk) for r in responses],
                "warnings": [str(w.pk) for w in warnings],
                "cases": [str(c.case.pk) for c in cases],
            },
        )
    return found


def _add_meetings(actor: User, found: MentalHealthRecord, request: HttpRequest | None) -> None:
    """Talks, visits and the key-attention entry, each read (and audited) by its own access
    function in access_talks.py."""
    meetings = access_person_meetings(actor, found.person.pk, request)
    found.meetings_shown = True
    found.talks = [MeetingRow(talk, talk.get_details()) for talk in meetings.talks]
    found.visits = [MeetingRow(visit, visit.get_details()) for visit in meetings.visits]
    if meetings.attention is not None:
        entry = access_attention(actor, meetings.attention.pk, request)
        reasons = entry.get_reasons()
        found.key_attention = entry
        found.attention_reasons = reasons.labels() + ([reasons.note] if reasons.note else [])


def _add_training(found: MentalHealthRecord) -> None:
    person = found.person
    found.attendances = list(
        Attendance.objects.filter(person=person, session__cancelled_at__isnull=True)
        .select_related("session__course")
        .order_by("-session__starts_at")
    )
    found.lessons_completed = list(
        LessonProgress.objects.filter(person=person, completed_at__isnull=False)
        .select_related("lesson__course")
        .order_by("-completed_at")
    )
    current = compliance.current_period()
    found.training_periods = [
        (period, compliance.is_compliant(person, period))
        for period in reversed(compliance.recent_periods(current))
    ]


# Break-glass ------------------------------------------------------------------------------


def audit_admins_over(person: Person) -> list[User]:
    """Audit admins whose scope holds the person's unit (a city-level one always does)."""
    grants = (
        RoleAssignment.objects.active()
        .filter(role=Role.AUDIT_ADMIN, user__is_active=True)
        .select_related("user", "unit")
    )
    return sorted(
        {a.user for a in grants if person.unit.is_within(a.unit)}, key=lambda u: u.username
    )


def do_break_glass(
    actor: User, identifier: str, reason: str, request: HttpRequest | None = None
) -> tuple[Person, BreakGlassGrant | None]:
    """Open the record of a person outside the actor's scope for `grant_hours()` hours.

    The caller has re-authenticated the actor (sudo). A person inside the actor's scope needs
    no grant: (person, None). Every audit admin over the person's unit is told at once; the
    notification names nobody."""
    if not actor.has_role(Role.RECORD_KEEPER):
        raise BreakGlassError(_("只有档案管理员可以紧急调阅档案"))
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise BreakGlassError(_("请写明紧急调阅的理由，至少 %(n)d 个字") % {"n": MIN_REASON})
    if len(reason) > MAX_REASON:
        raise BreakGlassError(_("理由过长，最多 %(n)d 字") % {"n": MAX_REASON})
    person = find_person(identifier)
    if person is None:
        with transaction.atomic():
            # A miss is recorded too: repeated misses look like someone fishing the roster.
            record(
                "care.break_glass",
                actor=actor,
                actor_role=BREAK_GLASS,
                request=request,
                outcome=Outcome.DENIED,
                changes={"found": False},
            )
        raise BreakGlassError(_("未找到该干部：请核对身份证号或手机号"))
    if keeper_holds(actor, person.unit):
        return person, None
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=actor,
            person=person,
            reason=reason,
            granted_at=now,
            expires_at=now + timedelta(hours=grant_hours()),
        )
        record(
            "care.break_glass",
            actor=actor,
            actor_role=BREAK_GLASS,
            target=grant,
            request=request,
            scope_unit_id=person.unit_id,
            changes={"person": str(person.pk), "expires_at": grant.expires_at.isoformat()},
        )
        link = f"{reverse('care:break-glass-list')}#grant-{grant.pk}"
        notify(audit_admins_over(person), "audit.break_glass", link=link)
    return person, grant


@dataclass
class GrantRow:
    grant: BreakGlassGrant
    reason: str
    active: bool


@dataclass
class GrantList:
    page: Page[BreakGlassGrant]
    rows: list[GrantRow]


def access_break_glass_grants(
    actor: User, *, page: Any = 1, request: HttpRequest | None = None
) -> GrantList:
    """Break-glass grants with their reasons, newest first: an audit admin sees those over
    units in their audit scope (all of them at city level), a record keeper their own."""
    visible = Q(pk__in=[])
    role = ""
    if actor.has_role(Role.AUDIT_ADMIN):
        role = Role.AUDIT_ADMIN
        for root in scope_roots(actor, [Role.AUDIT_ADMIN]):
            visible |= Q(person__unit__path__startswith=root.path)
    if actor.has_role(Role.RECORD_KEEPER):
        role = role or Role.RECORD_KEEPER
        visible |= Q(user=actor)
    rows = (
        BreakGlassGrant.objects.filter(visible)
        .select_related("user", "person__unit")
        .order_by("-granted_at")
    )
    now = timezone.now()
    with transaction.atomic():
        shown = Paginator(rows, 25).get_page(page)
        found = GrantList(
            page=shown,
            rows=[
                GrantRow(grant=g, reason=g.reason or "", active=g.is_active(now))
                for g in shown.object_list
            ],
        )
        record(
            "care.break_glass.list",
            actor=actor,
            actor_role=role,
            request=request,
            changes={"grants": [str(row.grant.pk) for row in found.rows]},
        )
    return found
