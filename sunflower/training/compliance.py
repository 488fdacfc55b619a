"""The half-yearly requirement: every current cadre completes a counting course each half year.

A half year is H1 (1 January to 1 July) or H2 (1 July to 1 January), in Asia/Shanghai local
time. What counts as completing something comes from *completion sources*, registered here
so that this module needs to know nothing about them:

    register_completion_source(fn)   # fn(person_ids, start, end) -> set of person ids

Each source answers, for the given cadres, who completed something of a course that counts
toward the requirement within [start, end). This app registers attendance at a session of a
counting course (sessions that were not cancelled, by start time); online lessons register
their own completions. A cadre is compliant when any source names them.

Rates shown to staff are suppressed below SUNFLOWER_MIN_CELL (lib/privacy.py): the compliant
and non-compliant counts of a unit are sibling cells of its head count.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from sunflower.accounts.models import ROSTER_ROLES, Role, RoleAssignment, User
from sunflower.accounts.scope import people_in_scope
from sunflower.audit.events import record
from sunflower.lib.privacy import suppress, suppress_cells
from sunflower.orgs.models import Person, Unit
from sunflower.training.models import Attendance

LOCAL = ZoneInfo("Asia/Shanghai")
CHUNK = 2000  # person ids per query, well inside every database's parameter limit

CompletionSource = Callable[[Collection[UUID], datetime, datetime], set[UUID]]
_sources: list[CompletionSource] = []


def register_completion_source(fn: CompletionSource) -> CompletionSource:
    """Add a source of completions (idempotent); usable as a decorator."""
    if fn not in _sources:
        _sources.append(fn)
    return fn


def completion_sources() -> list[CompletionSource]:
    return list(_sources)


def attended_counting_session(
    person_ids: Collection[UUID], start: datetime, end: datetime
) -> set[UUID]:
    """Cadres who attended a session of a counting course that started in [start, end)."""
    return set(
        Attendance.objects.filter(
            person_id__in=list(person_ids),
            session__course__counts_toward_requirement=True,
            session__cancelled_at__isnull=True,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        ).values_list("person_id", flat=True)
    )


register_completion_source(attended_counting_session)


# Periods ----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Period:
    year: int
    half: int  # 1 or 2

    @property
    def start(self) -> datetime:
        return datetime(self.year, 1 if self.half == 1 else 7, 1, tzinfo=LOCAL)

    @property
    def end(self) -> datetime:
        if self.half == 1:
            return datetime(self.year, 7, 1, tzinfo=LOCAL)
        return datetime(self.year + 1, 1, 1, tzinfo=LOCAL)

    @property
    def code(self) -> str:
        return f"{self.year}H{self.half}"

    @property
    def label(self) -> str:
        return (_("%(year)d年上半年") if self.half == 1 else _("%(year)d年下半年")) % {
            "year": self.year
        }

    def previous(self) -> Period:
        return Period(self.year, 1) if self.half == 2 else Period(self.year - 1, 2)

    @classmethod
    def containing(cls, moment: datetime) -> Period:
        local = moment.astimezone(LOCAL)
        return cls(local.year, 1 if local.month <= 6 else 2)

    @classmethod
    def parse(cls, code: str | None, default: Period) -> Period:
        try:
            year, half = (code or "").upper().split("H")
            period = cls(int(year), int(half))
        except ValueError:
            return default
        return period if period.half in (1, 2) and 2000 <= period.year <= 2100 else default


def current_period(now: datetime | None = None) -> Period:
    return Period.containing(now or timezone.now())


def recent_periods(period: Period, count: int = 4) -> list[Period]:
    found = [period]
    while len(found) < count:
        found.append(found[-1].previous())
    return list(reversed(found))


# Computing ----------------------------------------------------------------------------------


def compliant_ids(person_ids: Iterable[UUID], period: Period) -> set[UUID]:
    ids = list(person_ids)
    done: set[UUID] = set()
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        for source in _sources:
            done |= source(chunk, period.start, period.end) & set(chunk)
    return done


def is_compliant(person: Person, period: Period) -> bool:
    return person.pk in compliant_ids([person.pk], period)


def cadres_under(root: Unit) -> Any:
    return Person.objects.current().in_subtree(root)


@dataclass
class UnitRate:
    unit: Unit
    total: int
    compliant: int | str
    non_compliant: int | str
    rate: str  # "87.5%", or "—" when a count is suppressed


def _rate(unit: Unit, people: list[tuple[UUID, str]], done: set[UUID]) -> UnitRate:
    total = len(people)
    yes = sum(1 for pk, _path in people if pk in done)
    shown = suppress_cells([yes, total - yes])
    rate = f"{yes * 100 / total:.1f}%" if total and all(isinstance(c, int) for c in shown) else "—"
    return UnitRate(unit, total, shown[0], shown[1], rate)


def unit_rates(root: Unit, period: Period) -> tuple[UnitRate, list[UnitRate]]:
    """The subtree's rate and each direct child subtree's rate, suppressed."""
    people = list(cadres_under(root).values_list("pk", "unit__path"))
    done = compliant_ids([pk for pk, _path in people], period)
    rows = []
    for child in root.children.filter(is_active=True).order_by("sort_order", "path"):
        inside = [(pk, path) for pk, path in people if path.startswith(child.path)]
        rows.append(_rate(child, inside, done))
    own = [(pk, path) for pk, path in people if path == root.path]
    if own and rows:
        rows.insert(0, _rate(root, own, done))  # the root unit's own staff
        rows[0].unit = root
    return _rate(root, people, done), rows


def trend(root: Unit, period: Period, count: int = 4) -> list[tuple[Period, UnitRate]]:
    ids = list(cadres_under(root).values_list("pk", "unit__path"))
    return [
        (p, _rate(root, ids, compliant_ids([pk for pk, _path in ids], p)))
        for p in recent_periods(period, count)
    ]


def non_compliant(actor: User, root: Unit, period: Period) -> list[Person]:
    """Current cadres under *root* and in the actor's roster scope who are not compliant."""
    people = list(
        people_in_scope(actor, ROSTER_ROLES)
        .current()
        .in_subtree(root)
        .select_related("unit")
        .order_by("unit__path", "name")
    )
    done = compliant_ids([p.pk for p in people], period)
    return [p for p in people if p.pk not in done]


def do_export_non_compliant(
    actor: User, root: Unit, period: Period, request: HttpRequest | None = None
) -> bytes:
    """The non-compliant cadres as .xlsx (T1: names and units, no ID numbers); audited."""
    people = non_compliant(actor, root, period)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 (a new workbook has one sheet)
    sheet.title = _("未完成培训干部")
    sheet.append([_("姓名"), _("单位"), _("职务"), _("期间")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for person in people:
        sheet.append([person.name, person.unit.name, person.post, period.label])
    for letter, width in zip("ABCD", (12, 36, 20, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    with transaction.atomic():
        record(
            "training.compliance_export",
            actor=actor,
            actor_role=Role.LIAISON if actor.has_role(Role.LIAISON) else Role.PROGRAMME_ADMIN,
            request=request,
            scope_unit_id=root.pk,
            changes={"period": period.code, "rows": len(people)},
        )
    return buffer.getvalue()


def count_shown(count: int) -> int | str:
    return suppress(count)


# Reminders ---------------------------------------------------------------------------------


def reminder_due(period: Period, now: datetime) -> bool:
    weeks = settings.SUNFLOWER_TRAINING_REMINDER_WEEKS
    return period.end - timedelta(weeks=weeks) <= now < period.end


def send_reminders(now: datetime | None = None) -> int:
    """Within the last N weeks of a half year, tell each non-compliant cadre once, and each
    liaison with non-compliant cadres in scope once. Returns the messages sent."""
    from django.urls import reverse

    from sunflower.notifications.api import notify_once

    now = now or timezone.now()
    period = current_period(now)
    if not reminder_due(period, now):
        return 0
    people = list(Person.objects.current().values_list("pk", "unit__path"))
    done = compliant_ids([pk for pk, _path in people], period)
    missing = [(pk, path) for pk, path in people if pk not in done]
    if not missing:
        return 0
    # One key per audience: a liaison who is also a non-compliant cadre gets both messages.
    cadre_key = f"training-requirement:{period.code}"
    liaison_key = f"training-requirement-liaison:{period.code}"
    deadline = period.end.astimezone(LOCAL) - timedelta(days=1)  # the last day
    sent = 0
    with transaction.atomic():
        cadres = User.objects.filter(person__in=[pk for pk, _path in missing], is_active=True)
        sent += len(
            notify_once(
                cadres,
                "training.reminder",
                key=cadre_key,
                link=reverse("training-portal:sessions"),
                text=_("%(period)s的心理健康必修培训您还没有完成，请在%(date)s前报名参加。")
                % {"period": period.label, "date": f"{deadline:%m月%d日}"},
            )
        )
        grants = RoleAssignment.objects.active().filter(role=Role.LIAISON, user__is_active=True)
        # A set per liaison: grants over overlapping units must not count a cadre twice.
        in_scope: dict[Any, set[UUID]] = {}
        liaisons: dict[Any, User] = {}
        for grant in grants.select_related("unit", "user"):
            found = {pk for pk, path in missing if path.startswith(grant.unit.path)}
            if found:
                in_scope.setdefault(grant.user_id, set()).update(found)
                liaisons[grant.user_id] = grant.user
        for user_id, user in liaisons.items():
            sent += len(
                notify_once(
                    [user],
                    "training.reminder",
                    key=liaison_key,
                    link=reverse("training:non-compliant"),
                    text=_("%(period)s还有 %(count)d 名干部没有完成心理健康必修培训，请督促参加。")
                    % {"period": period.label, "count": len(in_scope[user_id])},
                )
            )
    return sent
