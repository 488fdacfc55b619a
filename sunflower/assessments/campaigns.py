"""Screening campaigns (心理普查): create, open (assign), close, and participation counts.

A programme admin runs a campaign over a unit subtree of their scope. Opening it gives every
current cadre in the subtree one assignment per instrument; a cadre's submission inside the
window marks the assignment done (actions.py); the campaign closes at `closes_at`, by the
periodic task and whenever it is read past that time. The programme admin sees counts only,
suppressed below the threshold — never who completed, never an answer or a score.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sunflower.accounts.models import Role, User
from sunflower.accounts.scope import scope_roots, unit_in_scope
from sunflower.assessments import catalogue
from sunflower.assessments.models import (
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignMode,
    CampaignStatus,
)
from sunflower.audit.events import record
from sunflower.lib.compiled import CompiledQuery
from sunflower.lib.privacy import suppress, suppress_cells
from sunflower.orgs.models import Person, Unit

ADMIN_ROLES = (Role.PROGRAMME_ADMIN,)
MAX_REMINDER_DAYS = 30  # reminders.py sends them
OFFERED_MODES = (CampaignMode.IDENTIFIED, CampaignMode.CONFIDENTIAL, CampaignMode.ANONYMOUS)


class CampaignError(Exception):
    """A request the rules refuse; str() is a message for the programme admin."""


def _in_scope(actor: User) -> Q:
    condition = Q(pk__in=[])
    for root in scope_roots(actor, ADMIN_ROLES):
        condition |= Q(root_unit__path__startswith=root.path)
    return condition


def campaigns_in_scope(actor: User) -> Any:
    """Campaigns whose root unit lies in the actor's programme-admin scope (closed when due)."""
    close_due_campaigns()
    return Campaign.objects.filter(_in_scope(actor)).select_related("root_unit")


def get_campaign_in_scope(actor: User, campaign_id: Any) -> Campaign:
    """One campaign in the actor's scope; Http404 alike for missing and out of scope."""
    found = campaigns_in_scope(actor).filter(pk=campaign_id).first()
    if found is None:
        raise Http404
    return found


def do_create_campaign(
    actor: User,
    *,
    name: str,
    instruments: Sequence[str],
    root_unit: Unit,
    opens_at: datetime,
    closes_at: datetime,
    mode: str,
    reminder_days: int = 3,
    request: HttpRequest | None = None,
) -> Campaign:
    if not actor.has_role(*ADMIN_ROLES) or not unit_in_scope(actor, root_unit, ADMIN_ROLES):
        raise CampaignError(_("所选单位不在您的管理范围内。"))
    chosen = list(dict.fromkeys(instruments))
    if not chosen or any(catalogue.entry(i) is None for i in chosen):
        raise CampaignError(_("请至少选择一个可用的量表。"))
    if closes_at <= opens_at:
        raise CampaignError(_("截止时间应晚于开始时间。"))
    if mode not in OFFERED_MODES:
        raise CampaignError(_("暂不支持这种测评方式。"))
    if not 0 <= reminder_days <= MAX_REMINDER_DAYS:
        raise CampaignError(_("提前提醒的天数应为 0 到 30 之间的整数。"))
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name.strip(),
            instruments=chosen,
            root_unit=root_unit,
            opens_at=opens_at,
            closes_at=closes_at,
            mode=mode,
            reminder_days=reminder_days,
            created_by=actor,
        )
        record(
            "campaign.create",
            actor=actor,
            actor_role=Role.PROGRAMME_ADMIN,
            target=campaign,
            request=request,
            scope_unit_id=root_unit.pk,
            changes={"instruments": chosen, "mode": mode, "reminder_days": reminder_days},
        )
    return campaign


def do_open_campaign(actor: User, campaign_id: Any, request: HttpRequest | None = None) -> Campaign:
    """Open a draft campaign: one assignment per instrument for every current cadre in scope."""
    with transaction.atomic():
        campaign = get_campaign_in_scope(actor, campaign_id)
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.DRAFT:
            raise CampaignError(_("这项测评活动已经开始，不能重复开始。"))
        if campaign.is_past(timezone.now()):
            raise CampaignError(_("截止时间已过，不能再开始。"))
        people = list(
            Person.objects.current().in_subtree(campaign.root_unit).values_list("pk", "unit_id")
        )
        Assignment.objects.bulk_create(
            [
                Assignment(
                    campaign=campaign, person_id=person_id, unit_id=unit_id, instrument_id=inst
                )
                for person_id, unit_id in people
                for inst in campaign.instruments
            ],
            batch_size=500,
        )
        campaign.status = CampaignStatus.OPEN
        campaign.save(update_fields=["status"])
        record(
            "campaign.open",
            actor=actor,
            actor_role=Role.PROGRAMME_ADMIN,
            target=campaign,
            request=request,
            scope_unit_id=campaign.root_unit_id,
            changes={
                "people": len(people),
                "assignments": len(people) * len(campaign.instruments),
            },
        )
    return campaign


def close_due_campaigns(now: datetime | None = None) -> int:
    """Close every open campaign whose window has ended; each closing audited."""
    now = now or timezone.now()
    closed = 0
    due = Campaign.objects.filter(status=CampaignStatus.OPEN, closes_at__lte=now).values_list(
        "pk", flat=True
    )
    for campaign_id in list(due):
        with transaction.atomic():
            campaign = (
                Campaign.objects.select_for_update()
                .filter(pk=campaign_id, status=CampaignStatus.OPEN)
                .first()
            )
            if campaign is None:
                continue
            campaign.status = CampaignStatus.CLOSED
            campaign.save(update_fields=["status"])
            record(
                "campaign.close",
                target=campaign,
                scope_unit_id=campaign.root_unit_id,
                changes={"reason": "deadline"},
            )
            closed += 1
    return closed


# Read on every start of an assessment (compiled once: lib/compiled.py; runs on every call).
_OPEN_ASSIGNMENTS: CompiledQuery[Assignment] = CompiledQuery(
    lambda person_id, now: (
        Assignment.objects.filter(
            person_id=person_id,
            status=AssignmentStatus.PENDING,
            campaign__status=CampaignStatus.OPEN,
            campaign__opens_at__lte=now,
            campaign__closes_at__gt=now,
        )
        .select_related("campaign")
        .order_by("campaign__closes_at", "pk")
    ),
    person_id=Assignment._meta.get_field("person"),
    now=Campaign._meta.get_field("opens_at"),
)


def open_assignments(person_id: Any, now: datetime | None = None) -> list[Assignment]:
    """The cadre's pending assignments in campaigns open now, soonest deadline first."""
    if person_id is None:
        return []
    return _OPEN_ASSIGNMENTS.fetch(person_id=person_id, now=now or timezone.now())


def open_assignment(person_id: Any, instrument_id: str) -> Assignment | None:
    return next((a for a in open_assignments(person_id) if a.instrument_id == instrument_id), None)


@dataclass(frozen=True)
class ParticipationRow:
    unit: Unit
    assigned: int | str
    completed: int | str


@dataclass(frozen=True)
class Participation:
    rows: list[ParticipationRow]
    assigned: int | str
    completed: int | str


def participation(campaign: Campaign) -> Participation:
    """People assigned and people who completed every assignment, per unit, suppressed.

    Rows are the units where cadres were assigned; the cells of each column add up to the
    total shown, so each column gets complementary suppression.
    """
    per_person: dict[tuple[int, Any], list[str]] = defaultdict(list)
    for unit_id, person_id, status in Assignment.objects.filter(campaign=campaign).values_list(
        "unit_id", "person_id", "status"
    ):
        per_person[(unit_id, person_id)].append(status)
    assigned: dict[int, int] = defaultdict(int)
    completed: dict[int, int] = defaultdict(int)
    for (unit_id, _person), statuses in per_person.items():
        assigned[unit_id] += 1
        completed[unit_id] += all(s == AssignmentStatus.DONE for s in statuses)
    units = list(Unit.objects.filter(pk__in=assigned).order_by("path"))
    shown_assigned = suppress_cells([assigned[u.pk] for u in units])
    shown_completed = suppress_cells([completed[u.pk] for u in units])
    return Participation(
        rows=[
            ParticipationRow(unit, a, c)
            for unit, a, c in zip(units, shown_assigned, shown_completed, strict=True)
        ],
        assigned=suppress(sum(assigned.values())),
        completed=suppress(sum(completed.values())),
    )
