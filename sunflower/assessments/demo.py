"""The demo city's year of assessments: campaigns, their responses and self-assessments.

Deterministic for a seed and placed relative to `now`:
- a city-wide identified screening (PHQ-9, GAD-7) about seven months ago, closed, ~80 % done;
- an anonymous stress survey (PSS-10) about three months ago, closed, ~70 % done;
- a city-wide identified winter screening (PHQ-9) open now for two more weeks, ~35 % done, the
  demo cadre accounts still pending so that a demo cadre sees a task;
- self-assessments by a few hundred cadres over the year (PHQ-9, GAD-7, WHO-5), with three
  PHQ-9 attempts for the first demo cadre so that the history chart has a line.
Everyone with a response gave consent to the notice in force before their first one. Answers
are drawn mostly low, as in a working population, with a small share of high scores and
endorsed critical items, so that the record keeper's queue has something in it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from sunflower.accounts.models import User
from sunflower.assessments import catalogue
from sunflower.assessments.actions import scored_result
from sunflower.assessments.models import (
    ANONYMOUS_KEY,
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignMode,
    CampaignStatus,
    Response,
    ResponseStatus,
)
from sunflower.keystore.keyring import person_subject, prepared_keys
from sunflower.lib.demo import DemoContext, DemoStep, register_demo_step
from sunflower.orgs.models import Person, Unit
from sunflower.privacy.consent import current_notice
from sunflower.privacy.models import Consent
from sunflower.scales import Instrument

BATCH_SIZE = 500
# Weights of the low, middle and high thirds of each option set, per respondent profile, and
# the chance that a profile endorses a critical item (PHQ-9 item 9 …): roughly the rates of a
# working population — about one in eight screens positive, about one in a hundred endorses a
# critical item.
PROFILES = {
    "well": (0.92, 0.07, 0.01),
    "strained": (0.55, 0.35, 0.10),
    "distressed": (0.20, 0.45, 0.35),
}
CRITICAL_CHANCE = {"well": 0.001, "strained": 0.02, "distressed": 0.15}
PROFILE_SHARES = (("well", 0.84), ("strained", 0.13), ("distressed", 0.03))


def _profile(rng: random.Random) -> str:
    roll = rng.random()
    for name, share in PROFILE_SHARES:
        if roll < share:
            return name
        roll -= share
    return "well"


def _answers(rng: random.Random, instrument: Instrument, profile: str) -> list[int | None]:
    low, middle, _high = PROFILES[profile]
    critical = {
        position: rule
        for rule in instrument.flags
        if rule.code == "critical_item"
        for position in rule.items
    }
    answers: list[int | None] = []
    for position, item in enumerate(instrument.items):
        codes = list(item.codes)
        rule = critical.get(position)
        if rule is not None:  # endorsed or not, by the profile's own rare chance
            endorsed = [c for c in codes if rule.hit(c)]
            calm = [c for c in codes if not rule.hit(c)]
            hit = rng.random() < CRITICAL_CHANCE[profile]
            answers.append(rng.choice(endorsed if hit else calm) if endorsed and calm else codes[0])
            continue
        if item.reverse:
            codes.reverse()  # "well" answers sit at the healthy end whichever way it runs
        third = max(1, len(codes) // 3)
        roll = rng.random()
        if roll < low:
            pool = codes[:third]
        elif roll < low + middle:
            pool = codes[third : len(codes) - third] or codes[:third]
        else:
            pool = codes[len(codes) - third :]
        answers.append(rng.choice(pool))
    return answers


class _Writer:
    """Collects responses and the consents they need, then writes them in batches."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.responses: list[Response] = []
        self.first_answer: dict[UUID, datetime] = {}
        self.profiles: dict[UUID, str] = {}
        self.consented: set[UUID] = set()

    def profile(self, person_id: UUID) -> str:
        if person_id not in self.profiles:
            self.profiles[person_id] = _profile(self.rng)
        return self.profiles[person_id]

    def add(
        self,
        person: Person | None,
        instrument_id: str,
        when: datetime,
        campaign: Campaign | None = None,
        profile: str | None = None,
    ) -> Response:
        instrument = catalogue.instrument(instrument_id)
        chosen = profile or (self.profile(person.pk) if person else _profile(self.rng))
        answers = _answers(self.rng, instrument, chosen)
        seconds = self.rng.randint(4 * len(instrument.items), 15 * len(instrument.items))
        started = when - timedelta(seconds=seconds)
        if person is None:  # anonymous: times cut to the day, no sitting length (actions.py)
            when = started = when.replace(hour=0, minute=0, second=0, microsecond=0)
        response = Response(
            person=person,
            instrument_id=instrument.id,
            instrument_version=instrument.version,
            status=ResponseStatus.SUBMITTED,
            started_at=started,
            saved_at=when,
            submitted_at=when,
            duration_seconds=seconds if person is not None else None,
            campaign=campaign,
        )
        response.set_answers(answers)
        response.set_result(scored_result(instrument, answers, seconds))
        self.responses.append(response)
        if person is not None:
            first = self.first_answer.get(person.pk)
            self.first_answer[person.pk] = min(first, started) if first else started
        return response

    def save(self) -> None:
        notice = current_notice()
        if notice is not None:
            Consent.objects.bulk_create(
                [
                    Consent(
                        person_id=person_id,
                        notice=notice,
                        given_at=max(notice.published_at or first, first - timedelta(minutes=5)),
                    )
                    for person_id, first in self.first_answer.items()
                    if person_id not in self.consented
                ],
                batch_size=BATCH_SIZE,
            )
        self.consented.update(self.first_answer)
        subjects = {ANONYMOUS_KEY} | {
            person_subject(r.person_id) for r in self.responses if r.person_id is not None
        }
        with prepared_keys(subjects):  # bulk_create encrypts each value in pre_save
            Response.objects.bulk_create(self.responses, batch_size=BATCH_SIZE)


def _campaign(
    name: str,
    instruments: Sequence[str],
    root: Unit,
    opens: datetime,
    days: int,
    mode: str,
    status: str,
    creator: User | None,
) -> Campaign:
    return Campaign.objects.create(
        name=name,
        instruments=list(instruments),
        root_unit=root,
        opens_at=opens,
        closes_at=opens + timedelta(days=days),
        mode=mode,
        status=status,
        created_by=creator,
    )


def _run_campaign(
    writer: _Writer,
    campaign: Campaign,
    people: Sequence[Person],
    share: float,
    keep_pending: set[UUID],
) -> tuple[int, int]:
    rng = writer.rng
    assignments: list[Assignment] = []
    done = 0
    span = (min(campaign.closes_at, writer.now) - campaign.opens_at).total_seconds()
    for person in people:
        completes = person.pk not in keep_pending and rng.random() < share
        when = campaign.opens_at + timedelta(seconds=rng.uniform(0.02, 0.98) * span)
        for instrument_id in campaign.instruments:
            stored = None
            if completes:
                anonymous = campaign.mode == CampaignMode.ANONYMOUS
                stored = writer.add(None if anonymous else person, instrument_id, when, campaign)
                if anonymous:
                    stored = None
            assignments.append(
                Assignment(
                    campaign=campaign,
                    person=person,
                    unit_id=person.unit_id,
                    instrument_id=instrument_id,
                    status=AssignmentStatus.DONE if completes else AssignmentStatus.PENDING,
                    response=stored,
                    completed_at=when if completes else None,
                )
            )
        done += completes
    writer.save()  # responses first: assignments point at them
    writer.responses.clear()
    writer.first_answer.clear()
    Assignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE)
    return len(people), done


def build_assessment_history(context: DemoContext) -> None:
    rng = random.Random(f"{context.seed}-assessments")  # noqa: S311 (demo data, not secrets)
    now = context.now
    root = Unit.objects.filter(parent=None).order_by("pk").first()
    if root is None:
        return
    # Not by pk (random UUIDs): the same seed must give the same history.
    people = list(
        Person.objects.current().order_by("unit__path", "name", "birth_date", "post", "gender")
    )
    with_accounts = set(User.objects.filter(person__isnull=False).values_list("person", flat=True))
    creator = User.objects.filter(username="admin").first()
    writer = _Writer(rng, now)
    counts = []

    spring = _campaign(
        "年度干部心理健康普查（上半年）", ("phq9", "gad7"), root, now - timedelta(days=215), 21,
        CampaignMode.IDENTIFIED, CampaignStatus.CLOSED, creator,
    )  # fmt: skip
    counts.append(_run_campaign(writer, spring, people, 0.8, set()))
    stress = _campaign(
        "工作压力匿名调查", ("pss10",), root, now - timedelta(days=95), 14,
        CampaignMode.ANONYMOUS, CampaignStatus.CLOSED, creator,
    )  # fmt: skip
    counts.append(_run_campaign(writer, stress, people, 0.7, set()))
    winter = _campaign(
        "冬季干部心理健康普查", ("phq9",), root, now - timedelta(days=4), 18,
        CampaignMode.IDENTIFIED, CampaignStatus.OPEN, creator,
    )  # fmt: skip
    counts.append(_run_campaign(writer, winter, people, 0.35, with_accounts))

    # Self-assessments over the year by a few hundred cadres, and a history for the first
    # demo cadre (13800000001): three PHQ-9s, improving.
    for person in rng.sample(people, k=min(len(people), 300)):
        for _attempt in range(rng.randint(1, 3)):
            instrument_id = rng.choice(("phq9", "gad7", "who5"))
            writer.add(person, instrument_id, now - timedelta(days=rng.uniform(1, 360)))
    demo_cadre = User.objects.filter(username="demo-cadre-01").select_related("person").first()
    if demo_cadre is not None and demo_cadre.person is not None:
        for days, profile in ((300, "distressed"), (160, "strained"), (30, "well")):
            writer.add(demo_cadre.person, "phq9", now - timedelta(days=days), profile=profile)
    self_count = len(writer.responses)
    writer.save()

    campaigns_line = "; ".join(f"{done}/{asked}" for asked, done in counts)
    context.say(
        f"  测评 assessments: 3 campaigns (done/asked {campaigns_line}),"
        f" {self_count} self-assessments\n"
    )


def delete_assessment_history() -> None:
    """What the step wrote, and the consents it gave (they protect the roster)."""
    Assignment.objects.all().delete()
    Response.objects.all().delete()
    Campaign.objects.all().delete()
    Consent.objects.all().delete()


def register() -> None:
    register_demo_step(
        DemoStep("assessments", 20, build_assessment_history, delete_assessment_history)
    )
