"""Changes to warnings, cases, the duty roster and explanation requests.

Each `do_*` runs in one transaction and writes its audit entry in it; notifications are
written in the same transaction (their delivery and the live alerts go out after commit).
Callers pass rows obtained through access.py, so role and scope are already checked for
reading; the rules for changing are checked here. A refusal raises CareError with a message
for the user and leaves nothing half-written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sunflower.accounts.models import Role, User
from sunflower.accounts.scope import people_in_scope
from sunflower.assessments.models import Response
from sunflower.audit.events import record
from sunflower.care import alerts
from sunflower.care.access import (
    access_case,
    access_explanation,
    access_warning,
    duty_colleagues,
    keeper_holds,
)
from sunflower.care.models import (
    CONTACT_KINDS,
    BreachKind,
    CaseAction,
    CaseTransition,
    CrisisCase,
    DutyShift,
    ExplanationRequest,
    RiskWarning,
    WarningSource,
    WarningStatus,
)
from sunflower.care.sla import (
    CONTACT_TOLERANCE,
    first_contact_limit,
    meets_first_contact,
    meets_follow_up,
    resolve_breaches,
)
from sunflower.care.tiers import TIER_ORDER, Tier
from sunflower.care.workflow import CaseStatus, is_allowed
from sunflower.notifications.api import notify
from sunflower.orgs.models import Person

MAX_TEXT = 2000
RAISERS = (Role.COUNSELLOR, Role.TALK_OFFICER)
# Confirmed warnings of these tiers open a case; a yellow one only if the reviewer asks.
CASE_TIERS = (Tier.RED, Tier.ORANGE)


class CareError(Exception):
    """A change the rules refuse; str() is a message for the user."""


def _text(value: str | None, *, required: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise CareError(required)
    if len(value) > MAX_TEXT:
        raise CareError(_("内容过长，最多 %(n)d 字") % {"n": MAX_TEXT})
    return value


def _warning_link(warning: RiskWarning) -> str:
    return reverse("care:warning-detail", args=[warning.pk])


def _case_link(case: CrisisCase) -> str:
    return reverse("care:case-detail", args=[case.pk])


def _announce_warning(warning: RiskWarning) -> None:
    keepers = alerts.alert_recipients(warning.unit)
    link = _warning_link(warning)
    notify(keepers, "care.warning", link=link)
    alerts.send_alert(keepers, alerts.PROPOSAL, link, warning.tier)


# Warnings -----------------------------------------------------------------------------


def do_propose_from_result(
    response: Response, tier: str, actor: User | None = None, request: HttpRequest | None = None
) -> RiskWarning | None:
    """A proposal for a submitted result; call inside the submission's transaction.

    An anonymous response (no person) proposes nothing: there is nobody to help by name, and
    the cadre was told so before starting (DESIGN.md §4 rule 5)."""
    person = response.person
    if person is None:
        return None
    warning = RiskWarning.objects.create(
        person=person,
        unit_id=person.unit_id,
        source=WarningSource.RESULT,
        response=response,
        proposed_tier=tier,
        tier=tier,
    )
    record(
        "warning.proposed",
        actor=actor,
        target=warning,
        request=request,
        actor_role="system",
        scope_unit_id=person.unit_id,
        changes={"response": str(response.pk), "tier": str(tier), "source": "result"},
    )
    _announce_warning(warning)
    return warning


def do_raise_warning(
    actor: User,
    person_id: Any,
    tier: str,
    reason: str,
    request: HttpRequest | None = None,
) -> RiskWarning:
    """A counsellor's or talk officer's judgement about a person in their scope."""
    reason = _text(reason, required=_("请填写提出预警的理由"))
    if tier not in Tier.values:
        raise CareError(_("请选择预警等级"))
    with transaction.atomic():
        person = people_in_scope(actor, RAISERS).filter(pk=person_id).first()
        if person is None:
            raise CareError(_("未找到该干部，或其不在您的工作范围内"))
        warning = RiskWarning.objects.create(
            person=person,
            unit_id=person.unit_id,
            source=WarningSource.MANUAL,
            proposed_tier=tier,
            tier=tier,
            reason=reason,
            raised_by=actor,
        )
        role = Role.COUNSELLOR if actor.has_role(Role.COUNSELLOR) else Role.TALK_OFFICER
        record(
            "warning.raised",
            actor=actor,
            actor_role=role,
            target=warning,
            request=request,
            scope_unit_id=person.unit_id,
            changes={"tier": tier, "source": "manual"},
        )
        _announce_warning(warning)
    return warning


def do_review_warning(
    actor: User,
    warning_id: Any,
    decision: str,
    *,
    tier: str = "",
    note: str = "",
    open_case: bool = False,
    request: HttpRequest | None = None,
) -> tuple[RiskWarning, CrisisCase | None]:
    """Confirm, change the tier of (with a reason) or dismiss (with a reason) a proposal.

    A confirmed red or orange warning opens a case (or joins the person's open one); a
    yellow one does when *open_case* is set."""
    with transaction.atomic():
        warning = access_warning(actor, warning_id, request, lock=True)
        if warning.status != WarningStatus.PROPOSED:
            raise CareError(_("该预警已审核，请刷新页面查看"))
        before = warning.tier
        if decision == "confirm":
            pass
        elif decision == "change":
            warning.review_note = _text(note, required=_("调整等级时请填写理由"))
            if tier not in Tier.values or tier == warning.tier:
                raise CareError(_("请选择与原等级不同的等级"))
            warning.tier = tier
        elif decision == "dismiss":
            warning.review_note = _text(note, required=_("排除预警时请填写理由"))
        else:
            raise CareError(_("请选择审核结论"))
        warning.status = (
            WarningStatus.DISMISSED if decision == "dismiss" else WarningStatus.CONFIRMED
        )
        warning.reviewed_by = actor
        warning.reviewed_at = timezone.now()
        warning.save(update_fields=["tier", "status", "review_note", "reviewed_by", "reviewed_at"])
        record(
            f"warning.{decision}",
            actor=actor,
            actor_role=Role.RECORD_KEEPER,
            target=warning,
            request=request,
            scope_unit_id=warning.unit_id,
            changes={"from_tier": before, "tier": warning.tier, "status": warning.status},
        )
        case = None
        if warning.status == WarningStatus.CONFIRMED and (warning.tier in CASE_TIERS or open_case):
            case = open_case_for(actor, warning, request)
    return warning, case


def open_case_for(
    actor: User, warning: RiskWarning, request: HttpRequest | None = None
) -> CrisisCase:
    """A new case for the warning's person, or their open case if they have one (its tier
    raised if the warning is more urgent). Call inside a transaction."""
    existing = _open_case(warning.person_id)
    if existing is None:
        try:
            with transaction.atomic():
                return _create_case(actor, warning, request)
        except IntegrityError:
            # A concurrent request opened the person's case first (one_open_case_per_person):
            # join it instead.
            existing = _open_case(warning.person_id)
            if existing is None:
                raise CareError(_("个案未能建立，请刷新页面后重试")) from None
    _join_case(actor, existing, warning, request)
    return existing


def _open_case(person_id: Any) -> CrisisCase | None:
    return (
        CrisisCase.objects.select_for_update()
        .filter(person_id=person_id)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("unit")
        .first()
    )


def _create_case(actor: User, warning: RiskWarning, request: HttpRequest | None) -> CrisisCase:
    now = timezone.now()
    case = CrisisCase.objects.create(
        person_id=warning.person_id,
        unit_id=warning.unit_id,
        warning=warning,
        tier=warning.tier,
        assignee=actor,
        opened_by=actor,
        opened_at=now,
        status_changed_at=now,
    )
    CaseTransition.objects.create(
        case=case, person_id=case.person_id, to_status=CaseStatus.DETECTED, by=actor, at=now
    )
    record(
        "case.open",
        actor=actor,
        actor_role=Role.RECORD_KEEPER,
        target=case,
        request=request,
        scope_unit_id=case.unit_id,
        changes={"warning": str(warning.pk), "tier": case.tier},
    )
    return case


def _join_case(
    actor: User, case: CrisisCase, warning: RiskWarning, request: HttpRequest | None
) -> None:
    changes: dict[str, Any] = {"warning": str(warning.pk), "joined": True}
    before = case.tier
    raised = TIER_ORDER[Tier(warning.tier)] < TIER_ORDER[Tier(case.tier)]
    if raised:
        changes["tier"] = [case.tier, warning.tier]
    record(
        "case.warning_added",
        actor=actor,
        actor_role=Role.RECORD_KEEPER,
        target=case,
        request=request,
        scope_unit_id=case.unit_id,
        changes=changes,
    )
    if raised:
        _raise_tier(actor, case, before, warning.tier, request)


def _raise_tier(
    actor: User, case: CrisisCase, before: str, tier: str, request: HttpRequest | None
) -> None:
    """A more urgent tier is a new service level: its first-contact clock starts now, whatever
    contact the case had before, and the responsible people hear of it (sla.py)."""
    now = timezone.now()
    case.tier = tier
    case.tier_raised_at = now
    case.first_contact_at = None
    case.save(update_fields=["tier", "tier_raised_at", "first_contact_at"])
    told = [case.assignee] if case.assignee is not None else alerts.keepers_holding(case.unit)
    record(
        "case.tier_raised",
        actor=actor,
        actor_role=Role.RECORD_KEEPER,
        target=case,
        request=request,
        scope_unit_id=case.unit_id,
        changes={
            "from": before,
            "to": tier,
            "first_contact_due": (now + first_contact_limit(tier)).isoformat(),
            "notified": [str(user.pk) for user in told],
        },
    )
    link = _case_link(case)
    notify(told, "care.tier_raised", link=link)
    # The live banners know three kinds; "escalated to you" is the one that fits a case whose
    # urgency went up, and the inbox message says which it was.
    alerts.send_alert(told, alerts.ESCALATION, link, tier)


# Cases --------------------------------------------------------------------------------


def _role_on(actor: User, case: CrisisCase) -> str:
    return Role.RECORD_KEEPER if keeper_holds(actor, case.unit) else Role.COUNSELLOR


def do_transition(
    actor: User,
    case_id: Any,
    target: str,
    *,
    note: str = "",
    closing_reason: str = "",
    referral_destination: str = "",
    request: HttpRequest | None = None,
) -> CrisisCase:
    """Move a case along workflow.TRANSITIONS; anything else is refused."""
    note = _text(note)
    try:
        with transaction.atomic():
            case = access_case(actor, case_id, request, lock=True)
            source = case.status
            if not is_allowed(source, target):
                raise CareError(
                    _("不能从“%(source)s”转为“%(target)s”")
                    % {
                        "source": CaseStatus(source).label,
                        "target": CaseStatus(target).label
                        if target in CaseStatus.values
                        else target,
                    }
                )
            now = timezone.now()
            fields = ["status", "status_changed_at"]
            if target == CaseStatus.CLOSED:
                case.closing_reason = _text(closing_reason, required=_("结案时请填写结案理由"))
                case.closed_at = now
                fields += ["closing_reason", "closed_at"]
            if source == CaseStatus.CLOSED:
                case.closed_at = None
                case.escalation_level = 0
                fields += ["closed_at", "escalation_level"]
            if target == CaseStatus.REFERRED:
                case.referral_destination = _text(
                    referral_destination, required=_("转介时请填写转介去向")
                )
                fields.append("referral_destination")
            if target == CaseStatus.FOLLOW_UP or source == CaseStatus.FOLLOW_UP:
                resolve_breaches(case, BreachKind.FOLLOW_UP, now)
            case.status = target
            case.status_changed_at = now
            case.save(update_fields=fields)
            CaseTransition.objects.create(
                case=case,
                person_id=case.person_id,
                from_status=source,
                to_status=target,
                by=actor,
                at=now,
                note=note,
            )
            record(
                "case.transition",
                actor=actor,
                actor_role=_role_on(actor, case),
                target=case,
                request=request,
                scope_unit_id=case.unit_id,
                changes={"from": source, "to": target},
            )
    except IntegrityError:
        # Reopening while a newer case of the same person is open (one_open_case_per_person).
        raise CareError(_("该干部已有进行中的个案，不能重新打开此个案")) from None
    return case


def do_add_action(
    actor: User,
    case_id: Any,
    kind: str,
    at: datetime,
    note: str,
    request: HttpRequest | None = None,
) -> CaseAction:
    """A dated step on the timeline; a call or meeting counts as contact (sla.py).

    A contact dated before the running first-contact clock started (the case's opening or the
    rise of its tier) is recorded as it happened but does not meet that clock (ADR 13)."""
    note = _text(note, required=_("请填写处置记录"))
    if at > timezone.now() + CONTACT_TOLERANCE:
        raise CareError(_("处置时间不能晚于当前时间"))
    with transaction.atomic():
        case = access_case(actor, case_id, request, lock=True)
        if not case.is_open:
            raise CareError(_("个案已结案，不能再添加处置记录"))
        action = CaseAction.objects.create(
            case=case, person_id=case.person_id, kind=kind, at=at, by=actor, note=note
        )
        if kind in CONTACT_KINDS:
            fields = []
            first = case.first_contact_at
            if meets_first_contact(case, at) and (first is None or at < first):
                case.first_contact_at = at
                fields.append("first_contact_at")
                resolve_breaches(case, BreachKind.FIRST_CONTACT, at)
            if case.last_contact_at is None or at > case.last_contact_at:
                case.last_contact_at = at
                fields.append("last_contact_at")
                if meets_follow_up(case, at):
                    resolve_breaches(case, BreachKind.FOLLOW_UP, at)
            if fields:
                case.save(update_fields=fields)
        record(
            "case.action",
            actor=actor,
            actor_role=_role_on(actor, case),
            target=case,
            request=request,
            scope_unit_id=case.unit_id,
            changes={"kind": kind, "at": at.isoformat()},
        )
    return action


def do_update_safety_plan(
    actor: User, case_id: Any, plan: str, request: HttpRequest | None = None
) -> CrisisCase:
    plan = _text(plan)
    with transaction.atomic():
        case = access_case(actor, case_id, request, lock=True)
        if not case.is_open:
            raise CareError(_("个案已结案，不能再修改安全计划"))
        case.safety_plan = plan
        case.save(update_fields=["safety_plan"])
        record(
            "case.safety_plan",
            actor=actor,
            actor_role=_role_on(actor, case),
            target=case,
            request=request,
            scope_unit_id=case.unit_id,
        )
    return case


def assignable_users(case: CrisisCase) -> list[User]:
    """Record keepers and counsellors whose scope holds the case's unit."""
    from sunflower.accounts.models import RoleAssignment

    ancestors = [int(part) for part in case.unit.path.strip("/").split("/") if part]
    ids = (
        RoleAssignment.objects.active()
        .filter(role__in=[Role.RECORD_KEEPER, Role.COUNSELLOR], unit_id__in=ancestors)
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("display_name"))


def do_assign(
    actor: User, case_id: Any, assignee_id: Any, request: HttpRequest | None = None
) -> CrisisCase:
    """Hand a case to a record keeper or counsellor in its scope (record keepers only)."""
    with transaction.atomic():
        case = access_case(actor, case_id, request, lock=True)
        if not keeper_holds(actor, case.unit):
            raise CareError(_("只有档案管理员可以分派个案"))
        assignee = next((u for u in assignable_users(case) if str(u.pk) == str(assignee_id)), None)
        if assignee is None:
            raise CareError(_("请选择管理范围覆盖该干部的档案管理员或心理咨询师"))
        if not case.is_open:
            raise CareError(_("个案已结案，不能再分派"))
        before = case.assignee_id
        case.assignee = assignee
        case.save(update_fields=["assignee"])
        record(
            "case.assign",
            actor=actor,
            actor_role=Role.RECORD_KEEPER,
            target=case,
            request=request,
            scope_unit_id=case.unit_id,
            changes={"from": str(before or ""), "to": str(assignee.pk)},
        )
        if assignee.pk != actor.pk:
            notify([assignee], "care.case_assigned", link=_case_link(case))
    return case


# Duty roster --------------------------------------------------------------------------


def do_add_shift(
    actor: User,
    user_id: Any,
    starts_at: datetime,
    ends_at: datetime,
    request: HttpRequest | None = None,
) -> DutyShift:
    """Put a record keeper who shares part of the actor's scope on duty."""
    if ends_at <= starts_at:
        raise CareError(_("结束时间必须晚于开始时间"))
    user = next((u for u in duty_colleagues(actor) if str(u.pk) == str(user_id)), None)
    if user is None:
        raise CareError(_("请选择您管理范围内的档案管理员"))
    with transaction.atomic():
        shift = DutyShift.objects.create(
            user=user, starts_at=starts_at, ends_at=ends_at, created_by=actor
        )
        record(
            "care.duty_add",
            actor=actor,
            actor_role=Role.RECORD_KEEPER,
            target=shift,
            request=request,
            changes={"user": str(user.pk), "starts_at": starts_at.isoformat()},
        )
    return shift


def do_remove_shift(actor: User, shift_id: Any, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        colleagues = [u.pk for u in duty_colleagues(actor)]
        shift = DutyShift.objects.filter(pk=shift_id, user_id__in=colleagues).first()
        if shift is None:
            raise CareError(_("未找到该值班安排"))
        record(
            "care.duty_remove",
            actor=actor,
            actor_role=Role.RECORD_KEEPER,
            target=shift,
            request=request,
            changes={"user": str(shift.user_id)},
        )
        shift.delete()


# Explanation requests (PIPL Art. 24) --------------------------------------------------


def do_request_explanation(
    actor: User, response: Response, question: str, request: HttpRequest | None = None
) -> ExplanationRequest:
    """The cadre asks how the automatic evaluation of their own response came about."""
    question = _text(question, required=_("请写下您希望了解的问题"))
    if response.person_id is None or response.person_id != actor.person_id:
        raise CareError(_("只能就本人的测评结果申请说明"))
    person = Person.objects.get(pk=response.person_id)
    with transaction.atomic():
        warning = (
            RiskWarning.objects.filter(response=response, source=WarningSource.RESULT)
            .only("pk")
            .first()
        )
        found = ExplanationRequest.objects.create(
            person=person,
            unit_id=person.unit_id,
            response=response,
            warning=warning,
            question=question,
        )
        record(
            "explanation.request",
            actor=actor,
            actor_role=Role.CADRE,
            target=found,
            request=request,
            scope_unit_id=person.unit_id,
        )
        notify(
            alerts.keepers_holding(person.unit),
            "care.explanation",
            link=reverse("care:explanation-detail", args=[found.pk]),
        )
    return found


def do_answer_explanation(
    actor: User, explanation_id: Any, answer: str, request: HttpRequest | None = None
) -> ExplanationRequest:
    answer = _text(answer, required=_("请填写答复内容"))
    with transaction.atomic():
        found = access_explanation(actor, explanation_id, request, lock=True)
        if found.answered_at is not None:
            raise CareError(_("该请求已答复"))
        found.answer = answer
        found.answered_by = actor
        found.answered_at = timezone.now()
        found.save(update_fields=["answer", "answered_by", "answered_at"])
        record(
            "explanation.answer",
            actor=actor,
            actor_role=Role.RECORD_KEEPER,
            target=found,
            request=request,
            scope_unit_id=found.unit_id,
        )
        cadre = User.objects.filter(person_id=found.person_id, is_active=True)
        notify(cadre, "care.explanation_answered", link=reverse("care-portal:explanations"))
    return found
