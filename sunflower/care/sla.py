"""Service levels for crisis cases (DESIGN.md §5, ADR 13).

Clocks, per tier (settings SUNFLOWER_CARE_FIRST_CONTACT_MINUTES, SUNFLOWER_CARE_FOLLOW_UP_DAYS):
- first contact: runs from the case's opening, or from the moment a later, more urgent warning
  raised its tier (a new clock for the new tier), and is due the tier's limit after that. Only
  a direct contact with the person (a call or a meeting, models.CONTACT_KINDS) dated after the
  clock started meets it; moving the case along its path does not, nor does a contact dated
  before the case opened or its tier rose (it stays on the timeline but is not counted);
- follow-up: while the case is in follow-up, a contact is due every interval, counted from
  the last contact or from entering follow-up, whichever is later.

A missed clock records one SlaBreach per case, kind and due time (the periodic task may run
any number of times) and escalates the case one level up its chain. While the clock stays
missed it falls due again every further interval (due, due + limit, due + 2·limit …), each a
breach of its own one level further up; a task that was stopped for a while catches up with
one breach for the latest of those times, not one for each, so nobody is flooded at once.

Escalation chain: the responsible person is the assignee. The next are the record keepers
granted on the unit above the assignee's own record-keeper grant for that case (the deepest
of the assignee's grants that holds the case's unit), then the unit above that, up to the
root; levels without a record keeper are skipped. Without an assignee, or with an assignee who
is not a record keeper over the case (a counsellor), the chain starts at the case's own unit.
Each breach goes one level further; past the top, the top level is told again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from sunflower.accounts.models import Role, RoleAssignment, User
from sunflower.audit.events import record
from sunflower.care import alerts
from sunflower.care.models import BreachKind, CrisisCase, SlaBreach
from sunflower.care.workflow import CaseStatus
from sunflower.notifications.api import notify


def first_contact_limit(tier: str) -> timedelta:
    return timedelta(minutes=settings.SUNFLOWER_CARE_FIRST_CONTACT_MINUTES[tier])


def follow_up_interval(tier: str) -> timedelta:
    return timedelta(days=settings.SUNFLOWER_CARE_FOLLOW_UP_DAYS[tier])


# A contact is dated by hand to the minute: one typed as the minute the clock started (or a
# moment before, while the keeper was confirming the warning) still counts.
CONTACT_TOLERANCE = timedelta(minutes=5)


def first_contact_clock_start(case: CrisisCase) -> datetime:
    """When the running first-contact clock started: the opening or the last rise of the tier."""
    return case.tier_raised_at or case.opened_at


def meets_first_contact(case: CrisisCase, at: datetime) -> bool:
    """Whether a direct contact dated *at* counts for the running first-contact clock."""
    return at >= first_contact_clock_start(case) - CONTACT_TOLERANCE


def meets_follow_up(case: CrisisCase, at: datetime) -> bool:
    """Whether a direct contact dated *at* counts for the follow-up clock."""
    return case.status == CaseStatus.FOLLOW_UP and at >= case.status_changed_at - CONTACT_TOLERANCE


def contact_due(case: CrisisCase) -> tuple[str, datetime] | None:
    """The clock running on *case* now: (breach kind, due time), or None."""
    if case.status == CaseStatus.CLOSED:
        return None
    if case.first_contact_at is None:
        start = first_contact_clock_start(case)
        return BreachKind.FIRST_CONTACT, start + first_contact_limit(case.tier)
    if case.status == CaseStatus.FOLLOW_UP:
        since = max(case.last_contact_at or case.status_changed_at, case.status_changed_at)
        return BreachKind.FOLLOW_UP, since + follow_up_interval(case.tier)
    return None


def missed_due(case: CrisisCase, now: datetime) -> tuple[str, datetime] | None:
    """The latest due time of the running clock that *now* has reached, or None.

    A clock still missed falls due again every interval after its due time, so an uncontacted
    case keeps escalating instead of stopping at the first level."""
    due = contact_due(case)
    if due is None or due[1] > now:
        return None
    kind, at = due
    step = (
        first_contact_limit(case.tier)
        if kind == BreachKind.FIRST_CONTACT
        else follow_up_interval(case.tier)
    )
    return kind, at + (now - at) // step * step


def escalation_chain(case: CrisisCase) -> list[list[User]]:
    """The groups of record keepers above the responsible person, nearest first."""
    ancestors = [int(part) for part in case.unit.path.strip("/").split("/") if part]
    grants = list(
        RoleAssignment.objects.active()
        .filter(role=Role.RECORD_KEEPER, unit_id__in=ancestors, user__is_active=True)
        .select_related("user")
    )
    levels = list(reversed(ancestors))  # the case's unit first, the root last
    start = 0
    own = [g.unit_id for g in grants if g.user_id == case.assignee_id]
    if own:
        start = min(levels.index(unit_id) for unit_id in own) + 1
    chain: list[list[User]] = []
    for unit_id in levels[start:]:
        group = sorted(
            (g.user for g in grants if g.unit_id == unit_id and g.user_id != case.assignee_id),
            key=lambda user: user.username,
        )
        if group:
            chain.append(group)
    return chain


def check_service_levels(now: datetime) -> list[SlaBreach]:
    """Record and escalate every clock missed by *now*; the new breaches."""
    found = []
    cases = (
        CrisisCase.objects.exclude(status=CaseStatus.CLOSED)
        .select_related("unit", "assignee")
        .defer("safety_plan", "referral_destination", "closing_reason")
    )
    for case in cases:
        due = missed_due(case, now)
        if due is None:
            continue
        if SlaBreach.objects.filter(case=case, kind=due[0], due_at=due[1]).exists():
            continue
        breach = _breach(case, due[0], due[1], now)
        if breach is not None:
            found.append(breach)
    return found


def _breach(case: CrisisCase, kind: str, due_at: datetime, now: datetime) -> SlaBreach | None:
    try:
        with transaction.atomic():
            locked = CrisisCase.objects.select_for_update().only("pk", "escalation_level")
            level = locked.get(pk=case.pk).escalation_level + 1
            breach = SlaBreach.objects.create(
                case=case, kind=kind, due_at=due_at, detected_at=now, level=level
            )
            chain = escalation_chain(case)
            upward = chain[min(level, len(chain)) - 1] if chain else []
            breach.escalated_to.set(upward)
            CrisisCase.objects.filter(pk=case.pk).update(escalation_level=level)
            record(
                "case.sla_breach",
                actor_role="system",
                target=case,
                scope_unit_id=case.unit_id,
                changes={
                    "kind": kind,
                    "due_at": due_at.isoformat(),
                    "level": level,
                    "escalated_to": [str(u.pk) for u in upward],
                },
            )
            link = reverse("care:case-detail", args=[case.pk])
            responsible = [case.assignee] if case.assignee is not None else []
            if not responsible:
                responsible = alerts.keepers_holding(case.unit)
            notify(responsible, "care.sla_breach", link=link)
            alerts.send_alert(responsible, alerts.SLA_BREACH, link, case.tier)
            if upward:
                notify(upward, "care.escalation", link=link)
                alerts.send_alert(upward, alerts.ESCALATION, link, case.tier)
    except IntegrityError:
        return None  # this clock was already recorded (another run of the task)
    return breach


def resolve_breaches(case: CrisisCase, kind: str, at: datetime) -> None:
    """Mark the case's open breaches of *kind* resolved: the contact was made at last."""
    SlaBreach.objects.filter(case=case, kind=kind, resolved_at__isnull=True).update(resolved_at=at)
