"""The demo city's year of talk assignments, key attention, talks and visits.

- The demo talk officer ("talker", 海滨区) is assigned about forty cadres of the district; every
  other county-level unit with enough staff gets a talk officer of its own (an account without
  a password, so it cannot log in) with about twenty-five cadres.
- About sixty of the assigned cadres are on the key-attention list, put on it over the last
  five months with one or two of the programme's reasons; a fifth have since left the list
  with a reason. Each active entry is followed up by talks (and some by visits) at its
  interval, except a few whose last talk is overdue — three of them the demo talk officer's —
  and a few whose review date has passed.
- Other assigned cadres have one or two routine talks over the year; a few talks are planned
  for the coming days; holiday and home visits fill out the visit record.
Deterministic for a seed and relative to `now`; every note is invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from sunflower.accounts.models import Role, RoleAssignment, User
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
from sunflower.keystore.keyring import person_subject, prepared_keys
from sunflower.lib.demo import DemoContext, DemoStep, register_demo_step
from sunflower.orgs.models import Person, Unit

BATCH_SIZE = 500
TALKER = "talker"
TALKER_CADRES = 40
OTHER_CADRES = 25
MIN_STAFF = 40  # a county-level unit with fewer current cadres gets no talk officer of its own
ATTENTION_ENTRIES = 60
EXITED_SHARE = 0.2
OVERDUE_TALKER = 3

NEEDS = (
    "希望合理安排值班轮休",
    "希望组织上帮助协调子女入学",
    "希望增加业务培训机会",
    "家中老人需要照顾，希望工作时间更灵活",
    "希望明确岗位职责分工",
    "暂无具体诉求",
)
ACTIONS = (
    "向所在科室负责人反映排班问题",
    "推荐参加“太阳岛”减压团辅活动",
    "介绍 12356 心理援助热线和站点咨询预约方式",
    "一个月后再次谈话了解情况",
    "协调工会走访慰问",
    "鼓励参加单位体育活动",
)
NOTES = (
    "近期承担专项任务较多，自述睡眠一般，情绪总体平稳。",
    "谈到工作压力较大，对完成年度目标有顾虑，愿意继续沟通。",
    "思想稳定，对组织安排表示理解，学习积极。",
    "家庭事务较多，精力有些分散，已商定调整部分工作安排。",
    "返岗后适应良好，同事关系融洽。",
    "对近期考核结果有失落感，经交流情绪有所缓解。",
)
ATTENTION_NOTES: dict[str, str] = {
    AttentionReason.URGENT_TASKS: "长期参与防汛、应急处置任务，连续加班。",
    AttentionReason.HARD_CONDITIONS: "驻村工作，生活条件艰苦，与家人分居。",
    AttentionReason.MAJOR_SETBACK: "近期家庭遭遇变故。",
    AttentionReason.HEAVY_BURDEN: "自述思想负担较重，睡眠不好。",
    AttentionReason.SCREENING: "年度普查结果提示需要关注。",
    AttentionReason.TALK_JUDGEMENT: "谈心谈话中研判需要持续关注。",
}
EXIT_REASONS = (
    "经复核，情况明显好转，转为日常关心。",
    "压力源已解除，本人状态平稳。",
    "已调整工作岗位，适应良好。",
)
PLACES = {
    VisitKind.HOME: "家中",
    VisitKind.HOSPITAL: "市人民医院",
    VisitKind.HOLIDAY: "家中（节日慰问）",
    VisitKind.WORKPLACE: "工作岗位",
    VisitKind.OTHER: "社区服务中心",
}


@dataclass
class _Rows:
    talks: list[Talk] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    entries: list[KeyAttention] = field(default_factory=list)


def _at(rng: random.Random, now: datetime, days_ago: float) -> datetime:
    """A working-hours moment about *days_ago* days before *now*, never after it."""
    local = timezone.localtime(now - timedelta(days=days_ago))
    moment = local.replace(hour=rng.randint(9, 16), minute=rng.choice((0, 15, 30, 45)))
    return min(moment, now - timedelta(minutes=30))


def _talk(
    rng: random.Random,
    rows: _Rows,
    assignment: TalkAssignment,
    held_at: datetime,
    kind: str,
    pressure: tuple[int, int],
    next_days: int | None,
) -> None:
    talk = Talk(
        person=assignment.person,
        unit_id=assignment.person.unit_id,
        officer=assignment.talk_officer,
        status=MeetingStatus.DONE,
        held_at=held_at,
        next_date=(timezone.localdate(held_at) + timedelta(days=next_days)) if next_days else None,
        created_at=held_at,
        updated_at=held_at,
    )
    talk.set_details(
        TalkDetails(
            kind=kind,
            areas=sorted(rng.sample(TalkArea.values, k=rng.randint(1, 3))),
            pressure=rng.randint(*pressure),
            needs=rng.choice(NEEDS),
            actions=rng.choice(ACTIONS),
            notes=rng.choice(NOTES),
        )
    )
    rows.talks.append(talk)


def _visit(
    rng: random.Random, rows: _Rows, assignment: TalkAssignment, held_at: datetime, kind: str
) -> None:
    visit = Visit(
        person=assignment.person,
        unit_id=assignment.person.unit_id,
        officer=assignment.talk_officer,
        status=MeetingStatus.DONE,
        held_at=held_at,
        created_at=held_at,
        updated_at=held_at,
    )
    visit.set_details(
        VisitDetails(
            kind=kind,
            place=PLACES[VisitKind(kind)],
            notes=rng.choice(NOTES),
            follow_up=rng.choice(ACTIONS),
        )
    )
    rows.visits.append(visit)


def _officers(now: datetime) -> list[tuple[User, Unit]]:
    """The demo talk officer and one (password-less) officer per other large county unit."""
    found: list[tuple[User, Unit]] = []
    talker = User.objects.filter(username=TALKER).first()
    grant = (
        RoleAssignment.objects.active()
        .filter(user=talker, role=Role.TALK_OFFICER)
        .select_related("unit")
        .first()
    )
    if talker is not None and grant is not None:
        found.append((talker, grant.unit))
    taken = {unit.pk for _user, unit in found}
    root = Unit.objects.filter(parent=None).order_by("pk").first()
    if root is None:
        return found
    unusable = make_password(None)
    for unit in Unit.objects.filter(parent=root).order_by("path"):
        if unit.pk in taken or Person.objects.current().in_subtree(unit).count() < MIN_STAFF:
            continue
        user = User.objects.create(
            username=f"talker-{unit.code}",
            display_name=f"{unit.name}谈心谈话责任人",
            password=unusable,
        )
        RoleAssignment.objects.create(
            user=user, role=Role.TALK_OFFICER, unit=unit, granted_at=now - timedelta(days=400)
        )
        found.append((user, unit))
    return found


def build_talk_history(context: DemoContext) -> None:
    rng = random.Random(f"{context.seed}-care-talks")  # noqa: S311 (demo data, not secrets)
    now = context.now
    officers = _officers(now)
    if not officers:
        return
    keeper = User.objects.filter(username="keeper").first()
    assignments: list[TalkAssignment] = []
    for user, unit in officers:
        # Not by pk (random UUIDs): the same seed must give the same history.
        people = list(
            Person.objects.current()
            .in_subtree(unit)
            .order_by("unit__path", "name", "birth_date", "post", "gender")
        )
        count = TALKER_CADRES if user.username == TALKER else OTHER_CADRES
        for person in rng.sample(people, k=min(count, len(people))):
            assignments.append(
                TalkAssignment(
                    talk_officer=user,
                    person=person,
                    since=timezone.localdate(now) - timedelta(days=rng.randint(300, 420)),
                    created_by=keeper,
                    created_at=now - timedelta(days=420),
                )
            )
    TalkAssignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE)

    rows = _Rows()
    talker_ones = [a for a in assignments if a.talk_officer.username == TALKER]
    others = [a for a in assignments if a.talk_officer.username != TALKER]
    chosen = rng.sample(talker_ones, k=min(12, len(talker_ones)))
    chosen += rng.sample(others, k=min(ATTENTION_ENTRIES - len(chosen), len(others)))
    on_list = {a.person_id for a in chosen}
    overdue_talker = {a.person_id for a in chosen[:OVERDUE_TALKER]}
    overdue_others = {a.person_id for a in chosen[len(talker_ones[:12]) :][:3]}
    for index, assignment in enumerate(chosen):
        _attention(
            rng, rows, assignment, now, keeper,
            exited=index >= OVERDUE_TALKER and rng.random() < EXITED_SHARE,
            overdue=assignment.person_id in overdue_talker | overdue_others,
            review_passed=index in (OVERDUE_TALKER, OVERDUE_TALKER + 1),
        )  # fmt: skip

    for assignment in assignments:
        if assignment.person_id in on_list:
            continue
        for _n in range(rng.choice((0, 1, 1, 1))):
            held = _at(rng, now, rng.uniform(1, 360))
            kind = rng.choice(
                (TalkKind.ROUTINE,) * 5 + (TalkKind.TARGETED, TalkKind.RETURN_TO_WORK)
            )
            next_days = rng.choice((None, 90, 180))
            if next_days and held + timedelta(days=next_days) < now:
                next_days = None  # only the demo's chosen few are overdue
            _talk(rng, rows, assignment, held, kind, (1, 3), next_days)
        if rng.random() < 0.15:
            _visit(rng, rows, assignment, _at(rng, now, rng.uniform(1, 360)), VisitKind.HOLIDAY)

    planned = _planned(rng, talker_ones, now)
    subjects = {person_subject(a.person_id) for a in assignments}
    with prepared_keys(subjects):  # bulk_create encrypts each value in pre_save
        KeyAttention.objects.bulk_create(rows.entries, batch_size=BATCH_SIZE)
        Talk.objects.bulk_create(rows.talks + planned, batch_size=BATCH_SIZE)
        Visit.objects.bulk_create(rows.visits, batch_size=BATCH_SIZE)
    active = sum(1 for e in rows.entries if e.status == AttentionStatus.ACTIVE)
    context.say(
        f"  谈心谈话 talks: {len(assignments)} assignments to {len(officers)} talk officers,"
        f" {len(rows.entries)} key-attention entries ({active} active), {len(rows.talks)} talks"
        f" (+{len(planned)} planned), {len(rows.visits)} visits\n"
    )


def _attention(
    rng: random.Random,
    rows: _Rows,
    assignment: TalkAssignment,
    now: datetime,
    keeper: User | None,
    *,
    exited: bool,
    overdue: bool,
    review_passed: bool,
) -> None:
    started = _at(rng, now, rng.uniform(20, 150))
    talk_every = rng.choice((14, 30, 30, 45))
    visit_every = rng.choice((None, None, 60, 90))
    codes = sorted(
        rng.sample(AttentionReason.values, k=rng.choice((1, 1, 2))),
        key=AttentionReason.values.index,
    )
    review_on = timezone.localdate(started) + timedelta(days=rng.choice((90, 180)))
    if review_passed:
        review_on = timezone.localdate(now) - timedelta(days=rng.randint(2, 10))
    elif not exited:
        review_on = max(review_on, timezone.localdate(now) + timedelta(days=rng.randint(5, 60)))
    responsible = assignment.talk_officer if keeper is None or rng.random() < 0.8 else keeper
    entry = KeyAttention(
        person=assignment.person,
        unit_id=assignment.person.unit_id,
        talk_every_days=talk_every,
        visit_every_days=visit_every,
        responsible=responsible,
        review_on=review_on,
        started_at=started,
        created_by=keeper,
    )
    entry.set_reasons(
        AttentionReasons(codes=codes, note=" ".join(ATTENTION_NOTES[c] for c in codes))
    )
    end = now
    if exited:
        end = started + (now - started) * rng.uniform(0.5, 0.9)
        entry.status = AttentionStatus.EXITED
        entry.exit_reason = rng.choice(EXIT_REASONS)
        entry.exited_by = keeper
        entry.exited_at = end
    elif overdue:
        # The last talk was longer ago than the interval: the plan is overdue now.
        end = now - timedelta(days=talk_every + rng.randint(3, 12))
    rows.entries.append(entry)
    kinds = (TalkKind.TARGETED, TalkKind.TARGETED, TalkKind.ROUTINE, TalkKind.WARNING_FOLLOW_UP)
    held = started + timedelta(days=rng.uniform(1, 5))
    while held < end:
        _talk(rng, rows, assignment, _at(rng, now, (now - held).total_seconds() / 86400),
              rng.choice(kinds), (2, 5), talk_every)  # fmt: skip
        held += timedelta(days=talk_every * rng.uniform(0.7, 1.0))
    if visit_every:
        visited = started + timedelta(days=rng.uniform(3, 20))
        while visited < end:
            kind = rng.choice(
                (VisitKind.HOME, VisitKind.HOME, VisitKind.WORKPLACE, VisitKind.HOSPITAL)
            )
            _visit(
                rng, rows, assignment, _at(rng, now, (now - visited).total_seconds() / 86400), kind
            )
            visited += timedelta(days=visit_every * rng.uniform(0.8, 1.0))


def _planned(rng: random.Random, talker_ones: list[TalkAssignment], now: datetime) -> list[Talk]:
    """A few talks the demo talk officer has planned for the coming days."""
    planned = []
    for assignment in rng.sample(talker_ones, k=min(4, len(talker_ones))):
        local = timezone.localtime(now + timedelta(days=rng.randint(1, 10)))
        talk = Talk(
            person=assignment.person,
            unit_id=assignment.person.unit_id,
            officer=assignment.talk_officer,
            status=MeetingStatus.PLANNED,
            planned_for=local.replace(hour=rng.randint(9, 16), minute=0, second=0, microsecond=0),
            created_at=now,
            updated_at=now,
        )
        talk.set_details(TalkDetails(kind=rng.choice((TalkKind.ROUTINE, TalkKind.TARGETED))))
        planned.append(talk)
    return planned


def delete_talk_history() -> None:
    """What the step wrote, including the talk officers it added (they protect the units)."""
    Talk.objects.all().delete()
    Visit.objects.all().delete()
    KeyAttention.objects.all().delete()
    TalkAssignment.objects.all().delete()
    extra: Any = User.objects.filter(username__startswith=f"{TALKER}-")
    RoleAssignment.objects.filter(user__in=extra).delete()
    extra.delete()


def register() -> None:
    register_demo_step(DemoStep("care-talks", 40, build_talk_history, delete_talk_history))
