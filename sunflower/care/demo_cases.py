"""The demo city's year of risk warnings and crisis cases, drawn from its assessment history.

Every demo response whose result meets a tier (assessments/warnings.py) became a proposal on the
day it was submitted; the demo record keeper ("keeper", city-wide) reviewed those older than two
days — most red and orange ones confirmed, some yellow ones dismissed with a reason — and
the newest wait in the queue. A few counsellors' judgements are added by hand. Confirmed red and
orange warnings opened cases (one open case per person: a later warning joined the open one);
cases older than about eleven weeks walked the whole path to closure with calls, meetings and a
safety plan, newer ones stop along the way, and one recent red case has had no contact yet, so
that the service-level task finds a breach on its first run. The keeper is on duty this week.
Deterministic for a seed; every note is invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sunflower.accounts.models import User
from sunflower.assessments.models import Response, ResponseStatus
from sunflower.assessments.warnings import proposed_tier
from sunflower.care.models import (
    CaseAction,
    CaseActionKind,
    CaseTransition,
    CrisisCase,
    DutyShift,
    RiskWarning,
    SlaBreach,
    WarningSource,
    WarningStatus,
)
from sunflower.care.tiers import Tier
from sunflower.care.workflow import CaseStatus
from sunflower.keystore.keyring import person_subject, prepared_keys
from sunflower.lib.demo import DemoContext, DemoStep, register_demo_step
from sunflower.orgs.models import Person

REVIEW_AFTER = timedelta(days=2)  # proposals newer than this still wait in the queue
CLOSE_AFTER = timedelta(days=80)  # cases older than this have been closed
MANUAL_WARNINGS = 12
QUEUE_AT_LEAST = 5
DISMISS_NOTES = (
    "复核作答时间和条目，系近期考试压力所致，已电话回访，情绪平稳，暂不列入预警。",
    "与本人谈话了解，近期家中老人住院，疲惫明显但无风险迹象，转为日常关心。",
    "作答存在明显的一致作答，经本人确认系误操作，已请其重新自测。",
)
MANUAL_REASONS = (
    "谈心谈话中反映近两个月持续失眠，提到“撑不下去”，建议尽快评估。",
    "连续参与抢险任务，近期情绪低落、回避交流，同事反映饮酒增多。",
    "家庭变故后请假较多，返岗后注意力明显下降，本人愿意接受帮助。",
    "工作调整后压力较大，多次流露消极想法，需要专业评估。",
)
STEP_NOTES = {
    CaseStatus.ASSESSED: "已与本人面谈评估，了解压力来源和支持系统，制定初步干预计划。",
    CaseStatus.INTERVENING: "安排心理咨询师每周一次咨询，单位协调减轻近期工作量。",
    CaseStatus.REFERRED: "经评估建议专科就诊，已协助预约市精神卫生中心门诊。",
    CaseStatus.FOLLOW_UP: "症状明显缓解，进入随访，约定每两周电话联系一次。",
    CaseStatus.CLOSED: "",
}
CLOSING_REASONS = (
    "连续三次随访情况稳定，本人已恢复正常工作和生活，结案并转入日常关心。",
    "经专科治疗后状态良好，本人同意结案，保留随时求助的渠道。",
)
SAFETY_PLAN = (
    "1. 预警信号：连续失眠、不想见人。2. 自我调节：散步、给家人打电话。"
    "3. 可联系的人：爱人、科室负责同志。4. 专业求助：12356 热线、所在服务站。"
    "5. 环境安全：家属已知情并协助。"
)
ACTION_NOTES = {
    CaseActionKind.CALL: "电话联系本人，了解近况，情绪较前平稳，约定下次联系时间。",
    CaseActionKind.MEETING: "与本人当面会谈约一小时，共同梳理压力事件和应对办法。",
    CaseActionKind.FAMILY_CONTACT: (
        "经本人同意联系其爱人，说明情况并请家属多陪伴（精神卫生法第二十八条）。"
    ),
    CaseActionKind.HOSPITAL_REFERRAL: "陪同前往市精神卫生中心门诊就诊。",
}
PATH = (
    CaseStatus.ASSESSED,
    CaseStatus.INTERVENING,
    CaseStatus.REFERRED,
    CaseStatus.FOLLOW_UP,
    CaseStatus.CLOSED,
)


@dataclass
class _Rows:
    warnings: list[RiskWarning] = field(default_factory=list)
    cases: list[CrisisCase] = field(default_factory=list)
    transitions: list[CaseTransition] = field(default_factory=list)
    actions: list[CaseAction] = field(default_factory=list)


def _walk(
    rng: random.Random, rows: _Rows, case: CrisisCase, keeper: User | None, now: datetime
) -> None:
    """Move *case* along the path as far as its age allows, with dated steps and actions."""
    at = case.opened_at
    rows.transitions.append(
        CaseTransition(
            case=case, person=case.person, from_status="", to_status=CaseStatus.DETECTED,
            by=keeper, at=at, note="由已确认的风险预警建立个案。",
        )
    )  # fmt: skip
    age = now - case.opened_at
    if case.tier == Tier.RED and age < timedelta(hours=6):
        return  # the fresh red case nobody has contacted yet: the SLA task will find it
    steps = [s for s in PATH if s != CaseStatus.REFERRED or rng.random() < 0.3]
    if age < CLOSE_AFTER:
        steps = steps[: rng.randint(1, len(steps) - 1)]
    first_contact = at + timedelta(minutes=rng.randint(20, 50 if case.tier == Tier.RED else 600))
    rows.actions.append(
        CaseAction(
            case=case, person=case.person, kind=CaseActionKind.CALL, at=first_contact,
            by=keeper, note=ACTION_NOTES[CaseActionKind.CALL],
        )
    )  # fmt: skip
    case.first_contact_at = case.last_contact_at = first_contact
    previous = CaseStatus.DETECTED
    at = first_contact
    for status in steps:
        at = min(at + timedelta(days=rng.randint(2, 9)), now - timedelta(hours=1))
        kind = rng.choice(
            (CaseActionKind.MEETING, CaseActionKind.CALL, CaseActionKind.FAMILY_CONTACT)
            if status != CaseStatus.REFERRED
            else (CaseActionKind.HOSPITAL_REFERRAL,)
        )
        rows.actions.append(
            CaseAction(
                case=case, person=case.person, kind=kind, at=at - timedelta(hours=2),
                by=keeper, note=ACTION_NOTES[kind],
            )
        )  # fmt: skip
        if kind in (CaseActionKind.CALL, CaseActionKind.MEETING):
            case.last_contact_at = at - timedelta(hours=2)
        rows.transitions.append(
            CaseTransition(
                case=case, person=case.person, from_status=previous, to_status=status,
                by=keeper, at=at, note=STEP_NOTES[status],
            )
        )  # fmt: skip
        previous = status
        if status == CaseStatus.REFERRED:
            case.referral_destination = "市精神卫生中心心理门诊"
        if status == CaseStatus.CLOSED:
            case.closing_reason = rng.choice(CLOSING_REASONS)
            case.closed_at = at
    case.status = previous
    case.status_changed_at = at
    if previous != CaseStatus.DETECTED:
        case.safety_plan = SAFETY_PLAN


def build_care_history(context: DemoContext) -> None:
    rng = random.Random(f"{context.seed}-care")  # noqa: S311 (demo data, not secrets)
    now = context.now
    keeper = User.objects.filter(username="keeper").first()
    counsellor = User.objects.filter(username="counsellor").first()
    rows = _Rows()
    responses = (
        Response.objects.filter(status=ResponseStatus.SUBMITTED, person__isnull=False)
        .select_related("person")
        .order_by("submitted_at", "instrument_id")
    )
    for response in responses:
        assert response.person is not None  # noqa: S101 (filtered above)
        tier = proposed_tier(response.instrument_id, response.result_data())
        if tier is None:
            continue
        rows.warnings.append(
            RiskWarning(
                person=response.person, unit_id=response.person.unit_id,
                source=WarningSource.RESULT, response=response, proposed_tier=tier, tier=tier,
                created_at=response.submitted_at or now, reason="", review_note="",
            )
        )  # fmt: skip
    people = list(Person.objects.current().order_by("unit__path", "name", "birth_date", "post"))
    for _n in range(MANUAL_WARNINGS):
        person = rng.choice(people)
        rows.warnings.append(
            RiskWarning(
                person=person, unit_id=person.unit_id, source=WarningSource.MANUAL,
                proposed_tier=rng.choice((Tier.RED, Tier.ORANGE, Tier.ORANGE, Tier.YELLOW)),
                reason=rng.choice(MANUAL_REASONS), review_note="", raised_by=counsellor,
                created_at=now - timedelta(days=rng.uniform(1, 300)),
            )
        )  # fmt: skip
        rows.warnings[-1].tier = rows.warnings[-1].proposed_tier
    rows.warnings.sort(key=lambda w: w.created_at)

    open_case: dict[object, CrisisCase] = {}
    newest_red = max(
        (w for w in rows.warnings if w.proposed_tier == Tier.RED),
        key=lambda w: w.created_at,
        default=None,
    )
    if newest_red is not None:  # reviewed at once: the case whose first contact is overdue
        newest_red.created_at = now - timedelta(hours=3)
    # The newest proposals wait for review (at least a few, however small the city).
    waiting = {id(w) for w in rows.warnings[-QUEUE_AT_LEAST:] if w is not newest_red}
    for warning in rows.warnings:
        fresh = now - warning.created_at < REVIEW_AFTER or id(warning) in waiting
        if fresh and warning is not newest_red:
            continue  # still proposed: the record keeper's queue
        dismiss = rng.random() < (0.1 if warning.tier != Tier.YELLOW else 0.45)
        warning.status = WarningStatus.DISMISSED if dismiss else WarningStatus.CONFIRMED
        warning.review_note = rng.choice(DISMISS_NOTES) if dismiss else ""
        warning.reviewed_by = keeper
        warning.reviewed_at = warning.created_at + timedelta(minutes=rng.randint(10, 90))
        if dismiss or (warning.tier == Tier.YELLOW and rng.random() < 0.8):
            continue
        current = open_case.get(warning.person_id)
        if current is not None and current.status != CaseStatus.CLOSED:
            continue  # joins the person's open case
        case = CrisisCase(
            person=warning.person, unit_id=warning.unit_id, warning=warning, tier=warning.tier,
            assignee=keeper, opened_by=keeper, opened_at=warning.reviewed_at,
            status_changed_at=warning.reviewed_at, safety_plan="", referral_destination="",
            closing_reason="",
        )  # fmt: skip
        _walk(rng, rows, case, keeper, now)
        open_case[warning.person_id] = case
        rows.cases.append(case)

    subjects = {person_subject(w.person_id) for w in rows.warnings}
    with prepared_keys(subjects):
        RiskWarning.objects.bulk_create(rows.warnings, batch_size=500)
        CrisisCase.objects.bulk_create(rows.cases, batch_size=500)
        CaseTransition.objects.bulk_create(rows.transitions, batch_size=500)
        CaseAction.objects.bulk_create(rows.actions, batch_size=500)
    if keeper is not None:
        DutyShift.objects.create(
            user=keeper, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=6),
            created_by=keeper,
        )  # fmt: skip
    queued = sum(w.status == WarningStatus.PROPOSED for w in rows.warnings)
    still_open = sum(c.status != CaseStatus.CLOSED for c in rows.cases)
    context.say(
        f"  关爱 care: {len(rows.warnings)} warnings ({queued} awaiting review),"
        f" {len(rows.cases)} crisis cases ({still_open} open)\n"
    )


def delete_care_history() -> None:
    SlaBreach.objects.all().delete()
    CaseAction.objects.all().delete()
    CaseTransition.objects.all().delete()
    CrisisCase.objects.all().delete()
    RiskWarning.objects.all().delete()
    DutyShift.objects.all().delete()


def register() -> None:
    register_demo_step(DemoStep("care-cases", 30, build_care_history, delete_care_history))
