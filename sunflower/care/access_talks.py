"""Reads of key attention, talks and visits (T2). Views never query them directly.

As in access.py, each function checks role and scope, writes an audit entry in the same
transaction as the read, and answers Http404 alike for a row that does not exist and one the
actor may not see. Who may read, one condition per line:

- a talk or a visit: the talk officer who recorded it, while still assigned to the cadre and
  still holding the talk-officer role over the cadre's unit; a record keeper whose scope holds
  the unit recorded on the row;
- a key-attention entry: a record keeper whose scope holds its unit; a talk officer assigned
  to the cadre (in scope); the entry's responsible person;
- nobody else: unit liaisons, programme admins and leaders see counts per unit only
  (unit_counts, suppressed), counsellors and cadres nothing here.

access.py re-exports these functions, so that every care read has one home.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from sunflower.accounts.models import Role, User
from sunflower.accounts.scope import scope_roots, unit_in_scope
from sunflower.audit.events import record
from sunflower.care.models_talks import (
    AttentionStatus,
    KeyAttention,
    MeetingStatus,
    Talk,
    TalkAssignment,
    Visit,
)
from sunflower.care.reads import is_uuid, read_one
from sunflower.lib.privacy import suppress_cells
from sunflower.orgs.models import Person, Unit

BREAK_GLASS = "break_glass"  # the audit role of a read under a break-glass grant (access.py)

PAGE_SIZE = 25
KEEPER = (Role.RECORD_KEEPER,)
OFFICER = (Role.TALK_OFFICER,)
# Who sees the counts page: roles with suppressed aggregates and no individual records.
COUNT_ROLES = (Role.LIAISON, Role.PROGRAMME_ADMIN, Role.LEADER)


def _under(actor: User, roles: Iterable[str], field_name: str) -> Q:
    condition = Q(pk__in=[])
    for root in scope_roots(actor, roles):
        condition |= Q(**{f"{field_name}__path__startswith": root.path})
    return condition


def keeper_holds(actor: User, unit: Unit) -> bool:
    return actor.has_role(Role.RECORD_KEEPER) and unit_in_scope(actor, unit, KEEPER)


def active_assignments(day: date | None = None) -> QuerySet[TalkAssignment]:
    day = day or timezone.localdate()
    return TalkAssignment.objects.filter(Q(until__isnull=True) | Q(until__gt=day), since__lte=day)


def is_assigned(actor: User, person: Person) -> bool:
    """Whether *actor* is a talk officer over the person's unit, assigned to the person today."""
    return (
        actor.has_role(Role.TALK_OFFICER)
        and unit_in_scope(actor, person.unit, OFFICER)
        and active_assignments().filter(talk_officer=actor, person=person).exists()
    )


def assigned_person(actor: User, person_id: Any) -> Person:
    """The cadre, if *actor* is assigned to them (otherwise 404): whom they may talk with."""
    person = (
        Person.objects.select_related("unit").filter(pk=person_id).first()
        if is_uuid(person_id)
        else None
    )
    if person is None or not is_assigned(actor, person):
        raise Http404
    return person


def _page(rows: Any, number: Any) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(number)


# Talks and visits ---------------------------------------------------------------------


def _meeting_role(actor: User, meeting: Talk | Visit) -> str | None:
    if keeper_holds(actor, meeting.unit):
        return Role.RECORD_KEEPER
    if meeting.officer_id == actor.pk and is_assigned(actor, meeting.person):
        return Role.TALK_OFFICER
    return None


def _access_meeting(
    model: type[Talk] | type[Visit],
    action: str,
    actor: User,
    meeting_id: Any,
    request: HttpRequest | None,
    lock: bool,
) -> Any:
    rows: QuerySet[Any] = model.objects.select_related("person", "person__unit", "unit", "officer")
    return read_one(
        rows,
        meeting_id,
        role_of=lambda meeting: _meeting_role(actor, meeting),
        action=action,
        actor=actor,
        request=request,
        lock=lock,
    )


def access_talk(
    actor: User, talk_id: Any, request: HttpRequest | None = None, *, lock: bool = False
) -> Talk:
    talk: Talk = _access_meeting(Talk, "talk.read", actor, talk_id, request, lock)
    return talk


def access_visit(
    actor: User, visit_id: Any, request: HttpRequest | None = None, *, lock: bool = False
) -> Visit:
    visit: Visit = _access_meeting(Visit, "visit.read", actor, visit_id, request, lock)
    return visit


@dataclass
class PersonMeetings:
    person: Person
    talks: list[Talk] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    attention: KeyAttention | None = None


def access_person_meetings(
    actor: User, person_id: Any, request: HttpRequest | None = None
) -> PersonMeetings:
    """One cadre's talks and visits, newest first, with their content: for the record keeper
    in scope all of them; for an assigned talk officer the ones they recorded."""
    person = (
        Person.objects.select_related("unit").filter(pk=person_id).first()
        if is_uuid(person_id)
        else None
    )
    if person is None:
        raise Http404
    keeper = keeper_holds(actor, person.unit)
    officer = not keeper and is_assigned(actor, person)
    glass = not keeper and not officer and under_break_glass(actor, person.pk)
    if not (keeper or officer or glass):
        raise Http404
    with transaction.atomic():
        talks = Talk.objects.filter(person=person).select_related("officer", "unit")
        visits = Visit.objects.filter(person=person).select_related("officer", "unit")
        if keeper:
            talks = talks.filter(_under(actor, KEEPER, "unit"))
            visits = visits.filter(_under(actor, KEEPER, "unit"))
        elif officer:
            talks = talks.filter(officer=actor)
            visits = visits.filter(officer=actor)
        # Under break-glass: every talk and visit of this one person, for the grant's hours.
        found = PersonMeetings(
            person=person,
            talks=sorted(talks, key=_when_key, reverse=True),
            visits=sorted(visits, key=_when_key, reverse=True),
        )
        entry = (
            KeyAttention.objects.filter(person=person, status=AttentionStatus.ACTIVE)
            .defer("reasons", "exit_reason")
            .first()
        )
        if entry is not None and (keeper_holds(actor, entry.unit) or officer or glass):
            found.attention = entry
        record(
            "talk.person",
            actor=actor,
            actor_role=Role.RECORD_KEEPER
            if keeper
            else BREAK_GLASS
            if glass
            else Role.TALK_OFFICER,
            target=person,
            request=request,
            scope_unit_id=person.unit_id,
            changes={
                "talks": [str(t.pk) for t in found.talks],
                "visits": [str(v.pk) for v in found.visits],
            },
        )
    return found


def _when_key(meeting: Talk | Visit) -> datetime:
    return meeting.when or meeting.created_at


def access_meeting_records(
    actor: User,
    *,
    kind: str = "talk",
    unit: Unit | None = None,
    page: Any = 1,
    request: HttpRequest | None = None,
) -> Page[Any]:
    """The record keeper's list of talks (or visits) in scope, newest first, without content."""
    model: type[Talk] | type[Visit] = Visit if kind == "visit" else Talk
    rows = (
        model.objects.filter(_under(actor, KEEPER, "unit"))
        .select_related("person", "unit", "officer")
        .defer("details")
        .order_by("-held_at", "-planned_for")
    )
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    with transaction.atomic():
        found = _page(rows, page)
        record(
            f"{model._meta.model_name}.list",
            actor=actor,
            actor_role=Role.RECORD_KEEPER,
            request=request,
            changes={"ids": [str(row.pk) for row in found.object_list]},
        )
    return found


# Key attention: plans and what is due -------------------------------------------------


@dataclass
class PlanDue:
    """When the next talk and visit are due under an entry's plan, and its review date."""

    talk_due: datetime
    visit_due: datetime | None
    review_on: date
    last_talk: datetime | None = None
    last_visit: datetime | None = None

    def overdue(self, now: datetime) -> list[str]:
        """What is overdue at *now*: any of "talk", "visit", "review"."""
        late = []
        if self.talk_due < now:
            late.append("talk")
        if self.visit_due is not None and self.visit_due < now:
            late.append("visit")
        if self.review_on < timezone.localdate(now):
            late.append("review")
        return late


def _last_held(model: type[Talk] | type[Visit], person_ids: list[Any]) -> dict[Any, datetime]:
    rows = (
        model.objects.filter(person_id__in=person_ids, status=MeetingStatus.DONE)
        .values("person_id")
        .annotate(last=Max("held_at"))
    )
    return {row["person_id"]: row["last"] for row in rows}


def plan_dues(entries: list[KeyAttention]) -> dict[Any, PlanDue]:
    """Each entry's PlanDue by its pk: two queries whatever the number of entries.

    A clock runs from the last talk (visit) held or from the entry's start, whichever is later.
    """
    person_ids = [entry.person_id for entry in entries]
    talks = _last_held(Talk, person_ids)
    visits = _last_held(Visit, person_ids)
    dues = {}
    for entry in entries:
        last_talk, last_visit = talks.get(entry.person_id), visits.get(entry.person_id)
        talk_from = max(entry.started_at, last_talk) if last_talk else entry.started_at
        visit_due = None
        if entry.visit_every_days:
            visit_from = max(entry.started_at, last_visit) if last_visit else entry.started_at
            visit_due = visit_from + timedelta(days=entry.visit_every_days)
        dues[entry.pk] = PlanDue(
            talk_due=talk_from + timedelta(days=entry.talk_every_days),
            visit_due=visit_due,
            review_on=entry.review_on,
            last_talk=last_talk,
            last_visit=last_visit,
        )
    return dues


def _attention_role(actor: User, entry: KeyAttention) -> str | None:
    if keeper_holds(actor, entry.unit):
        return Role.RECORD_KEEPER
    if actor.has_role(Role.TALK_OFFICER) and is_assigned(actor, entry.person):
        return Role.TALK_OFFICER
    if entry.responsible_id == actor.pk:
        return Role.TALK_OFFICER if actor.has_role(Role.TALK_OFFICER) else Role.RECORD_KEEPER
    if under_break_glass(actor, entry.person_id):
        return BREAK_GLASS
    return None


def under_break_glass(actor: User, person_id: Any) -> bool:
    """Whether a record keeper holds a live break-glass grant for this one person (record.py
    grants it after a written reason and re-authentication; the audit admins are told)."""
    from sunflower.care.access import break_glass_covers  # access.py re-exports this module

    return break_glass_covers(actor, person_id)


def access_attention(
    actor: User, entry_id: Any, request: HttpRequest | None = None, *, lock: bool = False
) -> KeyAttention:
    return read_one(
        KeyAttention.objects.select_related(
            "person", "person__unit", "unit", "responsible", "exited_by", "created_by"
        ),
        entry_id,
        role_of=lambda entry: _attention_role(actor, entry),
        action="attention.read",
        actor=actor,
        request=request,
        lock=lock,
    )


def may_manage_attention(actor: User, entry: KeyAttention) -> bool:
    """Edit the plan or exit: a record keeper whose scope holds the entry's unit."""
    return keeper_holds(actor, entry.unit)


@dataclass
class AttentionRow:
    entry: KeyAttention
    due: PlanDue
    overdue: list[str]
    reasons: list[str]


def _visible_attention(actor: User) -> Q:
    visible = _under(actor, KEEPER, "unit") if actor.has_role(Role.RECORD_KEEPER) else Q(pk__in=[])
    if actor.has_role(Role.TALK_OFFICER):
        assigned = active_assignments().filter(talk_officer=actor).values("person_id")
        visible |= Q(person_id__in=assigned) & _under(actor, OFFICER, "person__unit")
    return visible | Q(responsible=actor)


def access_attention_list(
    actor: User,
    *,
    status: str = AttentionStatus.ACTIVE,
    reason: str = "",
    unit: Unit | None = None,
    overdue: bool = False,
    page: Any = 1,
    now: datetime | None = None,
    request: HttpRequest | None = None,
) -> Page[AttentionRow]:
    """Entries the actor may see, overdue first, then by review date.

    Reasons are encrypted, so the reason and overdue filters run here, after decryption;
    a city's list is hundreds of rows, not thousands."""
    now = now or timezone.now()
    rows = KeyAttention.objects.filter(_visible_attention(actor)).select_related(
        "person", "unit", "responsible"
    )
    if status:
        rows = rows.filter(status=status)
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    with transaction.atomic():
        entries = list(rows.defer("exit_reason"))
        dues = plan_dues(entries)
        found = []
        for entry in entries:
            reasons = entry.get_reasons()
            if reason and reason not in reasons.codes:
                continue
            late = dues[entry.pk].overdue(now) if entry.is_active else []
            if overdue and not late:
                continue
            found.append(AttentionRow(entry, dues[entry.pk], late, reasons.labels()))
        found.sort(key=lambda row: (not row.overdue, row.entry.review_on, row.entry.person.name))
        shown = _page(found, page)
        record(
            "attention.list",
            actor=actor,
            actor_role=Role.RECORD_KEEPER if actor.has_role(Role.RECORD_KEEPER) else "",
            request=request,
            changes={"entries": [str(row.entry.pk) for row in shown.object_list]},
        )
    return shown


# The talk officer's cadres ------------------------------------------------------------


@dataclass
class CadreRow:
    assignment: TalkAssignment
    person: Person
    last_talk: datetime | None
    last_visit: datetime | None
    next_due: date | None
    overdue: bool
    key_attention: bool
    planned: int


def access_my_cadres(
    actor: User, *, now: datetime | None = None, request: HttpRequest | None = None
) -> list[CadreRow]:
    """The talk officer's assigned cadres with dates only (no content): last talk and visit,
    the next date due (a planned talk, the date agreed at the last talk, or the key-attention
    plan, whichever is first), overdue, and whether the cadre is on the key-attention list."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    assignments = list(
        active_assignments(today)
        .filter(talk_officer=actor)
        .filter(_under(actor, OFFICER, "person__unit"))
        .select_related("person", "person__unit")
        .order_by("person__unit__path", "person__name")
    )
    ids = [a.person_id for a in assignments]
    with transaction.atomic():
        last_talks = _last_held(Talk, ids)
        last_visits = _last_held(Visit, ids)
        # The date agreed at each cadre's latest talk (None if that talk set none).
        agreed: dict[Any, date | None] = {}
        for row in (
            Talk.objects.filter(person_id__in=ids, status=MeetingStatus.DONE)
            .order_by("person_id", "-held_at")
            .values("person_id", "next_date")
        ):
            agreed.setdefault(row["person_id"], row["next_date"])
        planned: dict[Any, list[date]] = {}
        for model in (Talk, Visit):
            planned_rows = model.objects.filter(person_id__in=ids, status=MeetingStatus.PLANNED)
            for pid, planned_for in planned_rows.values_list("person_id", "planned_for"):
                if planned_for is not None:
                    planned.setdefault(pid, []).append(timezone.localdate(planned_for))
        entries = list(
            KeyAttention.objects.filter(person_id__in=ids, status=AttentionStatus.ACTIVE).defer(
                "reasons", "exit_reason"
            )
        )
        dues = plan_dues(entries)
        attention_due = {e.person_id: timezone.localdate(dues[e.pk].talk_due) for e in entries}
        found = []
        for assignment in assignments:
            pid = assignment.person_id
            candidates = [
                d
                for d in (*planned.get(pid, []), agreed.get(pid), attention_due.get(pid))
                if d is not None
            ]
            next_due = min(candidates) if candidates else None
            found.append(
                CadreRow(
                    assignment=assignment,
                    person=assignment.person,
                    last_talk=last_talks.get(pid),
                    last_visit=last_visits.get(pid),
                    next_due=next_due,
                    overdue=next_due is not None and next_due < today,
                    key_attention=pid in attention_due,
                    planned=len(planned.get(pid, [])),
                )
            )
        found.sort(key=lambda row: (not row.overdue, row.next_due or date.max, row.person.name))
        record(
            "talk.cadres",
            actor=actor,
            actor_role=Role.TALK_OFFICER,
            request=request,
            changes={"people": [str(pid) for pid in ids]},
        )
    return found


# Counts for admins (suppressed aggregates, no individual) -----------------------------


@dataclass
class UnitCounts:
    unit: Unit
    own_level: bool
    cells: list[int | str]


@dataclass
class CountTable:
    columns: list[str]
    rows: list[UnitCounts]
    totals: list[int | str]
    since: date


def unit_counts(actor: User, *, now: datetime | None = None) -> CountTable:
    """Per unit one level below each root of the actor's scope: active key-attention cadres,
    and talks and visits held in the last twelve months. Each column's cells are suppressed
    together (a small cell and its complement), the totals on their own."""
    now = now or timezone.now()
    since = now - timedelta(days=365)
    roots = scope_roots(actor, COUNT_ROLES)
    # (unit, own level only): a root's own staff form a row beside its children's subtrees.
    units: list[tuple[Unit, bool]] = []
    for root in roots:
        units.append((root, True))
        units.extend((child, False) for child in Unit.objects.filter(parent=root))
    sources: list[tuple[str, Any]] = [
        (
            "attention",
            KeyAttention.objects.filter(status=AttentionStatus.ACTIVE).values("person_id"),
        ),
        ("talks", Talk.objects.filter(status=MeetingStatus.DONE, held_at__gte=since)),
        ("visits", Visit.objects.filter(status=MeetingStatus.DONE, held_at__gte=since)),
    ]
    raw: list[list[int]] = []
    for _name, rows in sources:
        # One query per column: (unit path, person) pairs, counted per subtree here.
        pairs = set(rows.values_list("unit__path", "person_id"))
        raw.append(
            [len({pid for path, pid in pairs if _counts(path, unit, own)}) for unit, own in units]
        )
    columns = [suppress_cells(column) for column in raw]
    totals = [suppress_cells([sum(column)])[0] for column in raw]
    table_rows = [
        UnitCounts(unit=unit, own_level=own, cells=[column[i] for column in columns])
        for i, (unit, own) in enumerate(units)
    ]
    return CountTable(
        columns=["attention", "talks", "visits"],
        rows=table_rows,
        totals=totals,
        since=timezone.localdate(since),
    )


def _counts(path: str, unit: Unit, own_level: bool) -> bool:
    return path == unit.path if own_level else path.startswith(unit.path)
