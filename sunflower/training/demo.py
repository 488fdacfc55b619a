"""Demo step: the city's training plan, eight courses across the delivery modes, about thirty
sessions over the last and the current half year, with enrolments and attendance — about
85 % of cadres compliant in the previous half year and part of the way in the current one,
leaving non-compliant cadres in every district, the demo liaison's (海滨区) included."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from sunflower.accounts.models import User
from sunflower.lib.demo import DemoContext, DemoStep, register_demo_step
from sunflower.orgs.models import Person, Unit
from sunflower.training.compliance import LOCAL, Period
from sunflower.training.models import (
    Attendance,
    AttendanceSource,
    Audience,
    Course,
    DeliveryMode,
    Enrolment,
    EnrolmentStatus,
    Session,
    TrainingPlan,
)

COURSES = (
    ("干部心理健康与压力管理", DeliveryMode.PARTY_SCHOOL, Audience.ALL_CADRES, True, "市委党校"),
    ("领导干部大讲堂：情绪调适与心理韧性", DeliveryMode.LEADERS_LECTURE, Audience.ALL_CADRES, True,
     "市民中心报告厅"),
    ("专题讲座：睡眠与身心健康", DeliveryMode.TOPICAL_LECTURE, Audience.ALL_CADRES, True,
     "市图书馆报告厅"),
    ("基层干部心理健康轮训", DeliveryMode.ROTATIONAL, Audience.ALL_CADRES, True, "市委党校"),
    ("送学送教：心理健康进机关", DeliveryMode.SENT_TO_UNIT, Audience.ALL_CADRES, True, ""),
    ("线上直播课：认识焦虑与抑郁", DeliveryMode.ONLINE, Audience.ALL_CADRES, True, ""),
    ("谈心谈话技巧实务", DeliveryMode.TOPICAL_LECTURE, Audience.TALK_STAFF, False,
     "市委组织部会议室"),
    ("心理骨干与志愿者督导培训", DeliveryMode.ROTATIONAL, Audience.BACKBONE, False,
     "太阳岛心理服务中心"),
)  # fmt: skip
TRAINERS = ("李明华 教授", "王静 副主任医师", "陈思远 国家二级心理咨询师", "赵蕾 讲师", "周宁 博士")


def _slot(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A weekday at 9:00 or 14:30 between start and end."""
    span = max(int((end - start).total_seconds() // 86400) - 1, 1)
    day = (start + timedelta(days=rng.randint(0, span))).astimezone(LOCAL)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    hour, minute = rng.choice(((9, 0), (14, 30)))
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def build_training_history(context: DemoContext) -> None:
    rng = random.Random(f"{context.seed}-training")  # noqa: S311 (demo data, not secrets)
    now = context.now
    root = Unit.objects.filter(parent=None).order_by("pk").first()
    if root is None:
        return
    people = list(
        Person.objects.current().order_by("unit__path", "name", "birth_date", "post", "gender")
    )
    admin = User.objects.filter(username="admin").first()
    current = Period.containing(now)
    previous = current.previous()
    plans: dict[int, TrainingPlan] = {}
    courses: dict[tuple[int, int], Course] = {}

    def course_for(year: int, index: int) -> Course:
        if year not in plans:
            plans[year] = TrainingPlan.objects.create(
                unit=root,
                year=year,
                title=f"{root.name}{year}年度干部心理健康教育培训计划",
                description="把心理健康教育纳入干部教育培训计划，确保每名干部每半年至少参加一次。",
                created_by=admin,
            )
        if (year, index) not in courses:
            title, mode, audience, counts, _place = COURSES[index]
            courses[(year, index)] = Course.objects.create(
                plan=plans[year],
                title=title,
                summary=f"{title}。面向{audience.label}，结合案例讲授与互动练习。",
                mode=mode,
                audience=audience,
                counts_toward_requirement=counts,
                hours=rng.choice((2, 3, 4)),
                published=True,
            )
        return courses[(year, index)]

    districts = list(root.children.order_by("path"))
    sessions_by_period: dict[Period, list[Session]] = {previous: [], current: []}
    for period, count in ((previous, 14), (current, 16)):
        for number in range(count):
            index = number % len(COURSES)
            course = course_for(period.year, index)
            starts = _slot(rng, period.start, min(period.end, now + timedelta(days=90)))
            if period == current and number >= count // 2:
                starts = _slot(
                    rng, now + timedelta(days=2), max(period.end, now + timedelta(days=30))
                )
            elif period == current:
                starts = _slot(rng, period.start, now - timedelta(days=1))
            place = COURSES[index][4]
            session = Session.objects.create(
                course=course,
                starts_at=starts,
                ends_at=starts + timedelta(hours=float(course.hours)),
                place=place or ("" if course.mode == DeliveryMode.ONLINE else "各单位会议室"),
                online_url="https://live.example.cn/xinli"
                if course.mode == DeliveryMode.ONLINE
                else "",
                trainer=rng.choice(TRAINERS),
                capacity=rng.choice((150, 200, 300)),
            )
            if course.mode == DeliveryMode.SENT_TO_UNIT and districts:
                session.target_units.set([rng.choice(districts)])
            sessions_by_period[period].append(session)

    attendances: list[Attendance] = []
    enrolments: list[Enrolment] = []
    for period, rate in ((previous, 0.85), (current, 0.45)):
        past = [
            s
            for s in sessions_by_period[period]
            if s.ends_at <= now
            and s.course.counts_toward_requirement
            and not s.target_units.exists()
        ]
        if not past:
            continue
        for person in people:
            if rng.random() >= rate:
                continue
            session = rng.choice(past)
            arrived = session.starts_at + timedelta(minutes=rng.randint(-15, 20))
            enrolments.append(
                Enrolment(session=session, person=person, status=EnrolmentStatus.ENROLLED)
            )
            attendances.append(
                Attendance(
                    session=session,
                    person=person,
                    checked_in_at=arrived,
                    source=rng.choice(
                        (AttendanceSource.QR, AttendanceSource.QR, AttendanceSource.ROLL)
                    ),
                    late=arrived > session.starts_at + timedelta(minutes=10),
                    left_early=rng.random() < 0.03,
                )
            )
    # Upcoming sessions: enrolments, and one small session full with a waiting list.
    upcoming = [s for s in sessions_by_period[current] if s.starts_at > now]
    taken = {(e.session_id, e.person_id) for e in enrolments}
    for session in upcoming:
        for person in rng.sample(people, k=min(len(people), rng.randint(20, 60))):
            if (session.pk, person.pk) not in taken:
                taken.add((session.pk, person.pk))
                enrolments.append(
                    Enrolment(session=session, person=person, status=EnrolmentStatus.ENROLLED)
                )
    if upcoming:
        small = upcoming[0]
        rows = [e for e in enrolments if e.session_id == small.pk]
        small.capacity = max(len(rows) - 5, 1)
        small.save(update_fields=["capacity"])
        for row in rows[small.capacity :]:
            row.status = EnrolmentStatus.WAITING
    Enrolment.objects.bulk_create(enrolments, batch_size=500)
    Attendance.objects.bulk_create(attendances, batch_size=500)
    context.say(
        f"  培训 training: {len(courses)} courses, "
        f"{sum(len(v) for v in sessions_by_period.values())} sessions, "
        f"{len(enrolments)} enrolments, {len(attendances)} attendances "
        f"({timezone.localtime(now):%Y} {previous.code}/{current.code})\n"
    )


def delete_training_history() -> None:
    Attendance.objects.all().delete()
    Enrolment.objects.all().delete()
    Session.objects.all().delete()
    Course.objects.all().delete()
    TrainingPlan.objects.all().delete()


def register() -> None:
    register_demo_step(DemoStep("training", 50, build_training_history, delete_training_history))
