"""Service levels with a controlled clock: breach, idempotence, escalation, resolution."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from sunflower.accounts.models import User
from sunflower.audit.models import AuditEvent
from sunflower.care import actions, alerts, sla
from sunflower.care.models import (
    BreachKind,
    CaseAction,
    CaseActionKind,
    CrisisCase,
    RiskWarning,
    SlaBreach,
)
from sunflower.care.workflow import CaseStatus
from sunflower.notifications.models import Message
from sunflower.orgs.models import Person

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(480))


@pytest.fixture
def red_case(keeper: User, city_keeper: User, open_case: Callable[..., CrisisCase]) -> CrisisCase:
    with time_machine.travel(T0, tick=False):
        return open_case("red")


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def contact(
    user: User, case: CrisisCase, at: datetime, *, recorded: datetime | None = None
) -> None:
    """A call dated *at*, entered at *recorded* (by default at once)."""
    with time_machine.travel(recorded or at, tick=False):
        actions.do_add_action(user, case.pk, CaseActionKind.CALL, at, "已电话联系本人")


class FirstContactTestCase:
    def test_nothing_is_due_within_the_hour(self, red_case: CrisisCase) -> None:
        assert sla.check_service_levels(minutes(59)) == []
        assert not SlaBreach.objects.exists()

    def test_a_red_case_without_contact_breaches_after_an_hour(
        self, red_case: CrisisCase, keeper: User, city_keeper: User
    ) -> None:
        [breach] = sla.check_service_levels(minutes(61))
        assert (breach.kind, breach.due_at, breach.level) == (
            BreachKind.FIRST_CONTACT,
            minutes(60),
            1,
        )
        assert list(breach.escalated_to.all()) == [city_keeper]
        assert Message.objects.get(kind="care.sla_breach").recipient == keeper
        assert Message.objects.get(kind="care.escalation").recipient == city_keeper
        event = AuditEvent.objects.get(action="case.sla_breach")
        assert event.changes["escalated_to"] == [str(city_keeper.pk)]

    def test_it_records_a_breach_once_however_often_it_runs(self, red_case: CrisisCase) -> None:
        sla.check_service_levels(minutes(61))
        assert sla.check_service_levels(minutes(62)) == []
        assert sla.check_service_levels(minutes(119)) == []
        assert SlaBreach.objects.count() == 1
        assert Message.objects.filter(kind="care.escalation").count() == 1

    def test_an_orange_case_has_a_day(
        self, keeper: User, open_case: Callable[..., CrisisCase]
    ) -> None:
        with time_machine.travel(T0, tick=False):
            open_case("orange")
        assert sla.check_service_levels(minutes(24 * 60 - 1)) == []
        assert len(sla.check_service_levels(minutes(24 * 60 + 1))) == 1

    def test_the_limits_come_from_settings(self, red_case: CrisisCase, settings: object) -> None:
        settings.SUNFLOWER_CARE_FIRST_CONTACT_MINUTES = {  # type: ignore[attr-defined]
            "red": 15,
            "orange": 60,
            "yellow": 120,
        }
        assert len(sla.check_service_levels(minutes(16))) == 1

    def test_a_call_in_time_stops_the_clock(self, red_case: CrisisCase, keeper: User) -> None:
        with time_machine.travel(minutes(30), tick=False):
            actions.do_add_action(keeper, red_case.pk, CaseActionKind.CALL, minutes(30), "已通话")
        assert sla.check_service_levels(minutes(120)) == []

    def test_a_family_contact_is_not_contact_with_the_person(
        self, red_case: CrisisCase, keeper: User
    ) -> None:
        with time_machine.travel(minutes(30), tick=False):
            actions.do_add_action(
                keeper, red_case.pk, CaseActionKind.FAMILY_CONTACT, minutes(30), "联系其配偶"
            )
        assert len(sla.check_service_levels(minutes(61))) == 1

    def test_moving_past_detected_does_not_stop_the_clock(
        self, red_case: CrisisCase, keeper: User
    ) -> None:
        with time_machine.travel(minutes(20), tick=False):
            actions.do_transition(keeper, red_case.pk, CaseStatus.ASSESSED, note="已面谈评估")
        red_case.refresh_from_db()
        assert red_case.first_contact_at is None
        [breach] = sla.check_service_levels(minutes(61))
        assert breach.kind == BreachKind.FIRST_CONTACT

    def test_a_call_after_moving_on_still_meets_the_clock(
        self, red_case: CrisisCase, keeper: User
    ) -> None:
        with time_machine.travel(minutes(10), tick=False):
            actions.do_transition(keeper, red_case.pk, CaseStatus.ASSESSED)
        contact(keeper, red_case, minutes(30))
        assert sla.check_service_levels(minutes(120)) == []

    def test_a_contact_dated_before_the_case_opened_does_not_count(
        self, red_case: CrisisCase, keeper: User
    ) -> None:
        contact(keeper, red_case, minutes(-60), recorded=minutes(10))
        red_case.refresh_from_db()
        assert red_case.first_contact_at is None
        assert CaseAction.objects.get(case=red_case).at == minutes(-60)  # kept on the timeline
        [breach] = sla.check_service_levels(minutes(61))
        assert breach.kind == BreachKind.FIRST_CONTACT

    def test_a_contact_typed_as_the_minute_the_case_opened_counts(
        self, keeper: User, open_case: Callable[..., CrisisCase]
    ) -> None:
        with time_machine.travel(minutes(0) + timedelta(seconds=40), tick=False):
            case = open_case("red")
        contact(keeper, case, minutes(0), recorded=minutes(3))
        case.refresh_from_db()
        assert case.first_contact_at == minutes(0)
        assert sla.check_service_levels(minutes(120)) == []

    def test_a_late_contact_resolves_the_breach(self, red_case: CrisisCase, keeper: User) -> None:
        sla.check_service_levels(minutes(61))
        with time_machine.travel(minutes(70), tick=False):
            actions.do_add_action(keeper, red_case.pk, CaseActionKind.MEETING, minutes(70), "面谈")
        assert SlaBreach.objects.get().resolved_at == minutes(70)

    def test_a_backdated_contact_does_not_resolve_the_breach(
        self, red_case: CrisisCase, keeper: User
    ) -> None:
        sla.check_service_levels(minutes(61))
        contact(keeper, red_case, minutes(-30), recorded=minutes(65))
        assert SlaBreach.objects.get().resolved_at is None

    def test_the_periodic_task_checks_every_open_case(self, red_case: CrisisCase) -> None:
        from sunflower.care.tasks import check_care_service_levels

        with time_machine.travel(minutes(61), tick=False):
            assert check_care_service_levels.call_local() == 1


class FollowUpTestCase:
    def test_a_case_in_follow_up_needs_contact_every_interval(
        self, red_case: CrisisCase, keeper: User
    ) -> None:
        contact(keeper, red_case, minutes(5))
        steps = [CaseStatus.ASSESSED, CaseStatus.INTERVENING, CaseStatus.FOLLOW_UP]
        with time_machine.travel(minutes(10), tick=False):
            for step in steps:
                actions.do_transition(keeper, red_case.pk, step)
        entered = minutes(10)
        assert sla.check_service_levels(entered + timedelta(days=7) - timedelta(minutes=1)) == []
        [breach] = sla.check_service_levels(entered + timedelta(days=7, minutes=1))
        assert (breach.kind, breach.due_at) == (BreachKind.FOLLOW_UP, entered + timedelta(days=7))
        # A contact restarts the interval and resolves the breach.
        called = entered + timedelta(days=8)
        with time_machine.travel(called, tick=False):
            actions.do_add_action(keeper, red_case.pk, CaseActionKind.CALL, called, "随访电话")
        assert SlaBreach.objects.get().resolved_at == called
        assert sla.check_service_levels(called + timedelta(days=6)) == []
        later = sla.check_service_levels(called + timedelta(days=7, minutes=1))
        assert [b.level for b in later] == [2]  # past the top of the chain: the top again

    def test_a_contact_dated_before_follow_up_does_not_resolve_its_breach(
        self, red_case: CrisisCase, keeper: User
    ) -> None:
        contact(keeper, red_case, minutes(2))
        with time_machine.travel(minutes(20), tick=False):
            for step in (CaseStatus.ASSESSED, CaseStatus.INTERVENING, CaseStatus.FOLLOW_UP):
                actions.do_transition(keeper, red_case.pk, step)
        late = minutes(20) + timedelta(days=7, minutes=1)
        [breach] = sla.check_service_levels(late)
        contact(keeper, red_case, minutes(10), recorded=late)  # before entering follow-up
        breach.refresh_from_db()
        assert breach.resolved_at is None

    def test_a_closed_case_has_no_clock(self, red_case: CrisisCase) -> None:
        red_case.status = CaseStatus.CLOSED
        red_case.closed_at = minutes(5)
        red_case.save()
        assert sla.check_service_levels(minutes(600)) == []


class EscalationChainTestCase:
    def test_it_goes_up_from_the_assignee_s_own_grant(
        self, red_case: CrisisCase, city_keeper: User
    ) -> None:
        assert sla.escalation_chain(red_case) == [[city_keeper]]

    def test_without_an_assignee_it_starts_at_the_case_s_unit(
        self, red_case: CrisisCase, keeper: User, city_keeper: User
    ) -> None:
        red_case.assignee = None
        red_case.save()
        assert sla.escalation_chain(red_case) == [[keeper], [city_keeper]]
        [breach] = sla.check_service_levels(minutes(61))
        assert list(breach.escalated_to.all()) == [keeper]
        # Nobody is assigned: the record keepers in scope hear of the breach.
        recipients = set(
            Message.objects.filter(kind="care.sla_breach").values_list("recipient", flat=True)
        )
        assert recipients == {keeper.pk, city_keeper.pk}

    def test_a_counsellor_assignee_escalates_from_the_case_s_unit(
        self, red_case: CrisisCase, keeper: User, city_keeper: User, counsellor: User
    ) -> None:
        actions.do_assign(keeper, red_case.pk, counsellor.pk)
        red_case.refresh_from_db()
        assert sla.escalation_chain(red_case) == [[keeper], [city_keeper]]
        assert Message.objects.get(kind="care.case_assigned").recipient == counsellor


class RepeatedEscalationTestCase:
    def test_an_unresolved_breach_escalates_again_every_interval(
        self, red_case: CrisisCase, keeper: User, city_keeper: User
    ) -> None:
        red_case.assignee = None
        red_case.save()
        found = [
            breach
            for at in (61, 62, 121, 150, 181)
            for breach in sla.check_service_levels(minutes(at))
        ]
        assert [(b.due_at, b.level) for b in found] == [
            (minutes(60), 1),
            (minutes(120), 2),
            (minutes(180), 3),
        ]
        # One level further each time; past the top of the chain, the top again.
        assert [list(b.escalated_to.all()) for b in found] == [
            [keeper],
            [city_keeper],
            [city_keeper],
        ]
        red_case.refresh_from_db()
        assert red_case.escalation_level == 3
        assert AuditEvent.objects.filter(action="case.sla_breach").count() == 3

    def test_a_stopped_task_catches_up_with_one_breach(self, red_case: CrisisCase) -> None:
        [breach] = sla.check_service_levels(minutes(301))
        assert (breach.due_at, breach.level) == (minutes(300), 1)
        assert sla.check_service_levels(minutes(302)) == []

    def test_a_contact_ends_the_repeats_and_resolves_them_all(
        self, red_case: CrisisCase, keeper: User
    ) -> None:
        sla.check_service_levels(minutes(61))
        sla.check_service_levels(minutes(121))
        contact(keeper, red_case, minutes(130))
        assert set(SlaBreach.objects.values_list("resolved_at", flat=True)) == {minutes(130)}
        assert sla.check_service_levels(minutes(600)) == []

    def test_a_missed_follow_up_repeats_every_follow_up_interval(
        self, red_case: CrisisCase, keeper: User
    ) -> None:
        contact(keeper, red_case, minutes(5))
        with time_machine.travel(minutes(10), tick=False):
            for step in (CaseStatus.ASSESSED, CaseStatus.INTERVENING, CaseStatus.FOLLOW_UP):
                actions.do_transition(keeper, red_case.pk, step)
        due = minutes(10) + timedelta(days=7)
        assert len(sla.check_service_levels(due + timedelta(days=1))) == 1
        assert sla.check_service_levels(due + timedelta(days=6)) == []
        [again] = sla.check_service_levels(due + timedelta(days=7))
        assert (again.kind, again.due_at, again.level) == (
            BreachKind.FOLLOW_UP,
            due + timedelta(days=7),
            2,
        )


@pytest.fixture
def alerted(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The live alerts sent, as (recipients, kind, tier)."""
    sent: list[tuple[Any, ...]] = []

    def send_alert(users: Any, kind: str, link: str, tier: str) -> None:
        sent.append((sorted(u.username for u in users), kind, tier))

    monkeypatch.setattr(alerts, "send_alert", send_alert)
    return sent


class TierRaiseTestCase:
    @pytest.fixture
    def orange_case(self, keeper: User, open_case: Callable[..., CrisisCase]) -> CrisisCase:
        """An orange case opened at T0 whose person was called half an hour later."""
        with time_machine.travel(T0, tick=False):
            case = open_case("orange")
        contact(keeper, case, minutes(30))
        return case

    def confirm(
        self,
        keeper: User,
        subject: Person,
        raise_warning: Callable[..., RiskWarning],
        tier: str = "red",
        at: int = 120,
    ) -> CrisisCase:
        with time_machine.travel(minutes(at), tick=False):
            warning = raise_warning(subject, tier)
            _warning, case = actions.do_review_warning(keeper, warning.pk, "confirm")
        assert case is not None
        case.refresh_from_db()
        return case

    def test_a_more_urgent_warning_starts_a_new_first_contact_clock(
        self,
        orange_case: CrisisCase,
        keeper: User,
        subject: Person,
        raise_warning: Callable[..., RiskWarning],
    ) -> None:
        case = self.confirm(keeper, subject, raise_warning)
        assert case.pk == orange_case.pk
        assert (case.tier, case.tier_raised_at, case.first_contact_at) == (
            "red",
            minutes(120),
            None,
        )
        assert case.contact_due_at() == minutes(180)
        assert sla.check_service_levels(minutes(179)) == []
        [breach] = sla.check_service_levels(minutes(181))
        assert (breach.kind, breach.due_at) == (BreachKind.FIRST_CONTACT, minutes(180))

    def test_a_contact_after_the_rise_meets_the_new_clock(
        self,
        orange_case: CrisisCase,
        keeper: User,
        subject: Person,
        raise_warning: Callable[..., RiskWarning],
    ) -> None:
        self.confirm(keeper, subject, raise_warning)
        contact(keeper, orange_case, minutes(150))
        orange_case.refresh_from_db()
        assert orange_case.first_contact_at == minutes(150)
        assert sla.check_service_levels(minutes(600)) == []

    def test_a_contact_dated_before_the_rise_does_not_meet_it(
        self,
        orange_case: CrisisCase,
        keeper: User,
        subject: Person,
        raise_warning: Callable[..., RiskWarning],
    ) -> None:
        self.confirm(keeper, subject, raise_warning)
        contact(keeper, orange_case, minutes(90), recorded=minutes(130))
        orange_case.refresh_from_db()
        assert orange_case.first_contact_at is None
        assert len(sla.check_service_levels(minutes(181))) == 1

    def test_the_assignee_is_told_and_it_is_audited(
        self,
        orange_case: CrisisCase,
        keeper: User,
        subject: Person,
        raise_warning: Callable[..., RiskWarning],
        alerted: list[tuple[Any, ...]],
    ) -> None:
        self.confirm(keeper, subject, raise_warning)
        [message] = Message.objects.filter(kind="care.tier_raised")
        assert message.recipient == keeper
        assert message.link == f"/console/care/cases/{orange_case.pk}/"
        assert (["keeper"], alerts.ESCALATION, "red") in alerted
        event = AuditEvent.objects.get(action="case.tier_raised")
        assert event.object_id == str(orange_case.pk)
        changes = dict(event.changes)
        assert datetime.fromisoformat(changes.pop("first_contact_due")) == minutes(180)
        assert changes == {"from": "orange", "to": "red", "notified": [str(keeper.pk)]}

    def test_without_an_assignee_the_record_keepers_holding_the_unit_are_told(
        self,
        orange_case: CrisisCase,
        keeper: User,
        city_keeper: User,
        subject: Person,
        raise_warning: Callable[..., RiskWarning],
        alerted: list[tuple[Any, ...]],
    ) -> None:
        CrisisCase.objects.filter(pk=orange_case.pk).update(assignee=None)
        self.confirm(keeper, subject, raise_warning)
        recipients = set(
            Message.objects.filter(kind="care.tier_raised").values_list("recipient", flat=True)
        )
        assert recipients == {keeper.pk, city_keeper.pk}
        assert (["city-keeper", "keeper"], alerts.ESCALATION, "red") in alerted

    def test_a_warning_no_more_urgent_starts_no_clock(
        self,
        orange_case: CrisisCase,
        keeper: User,
        subject: Person,
        raise_warning: Callable[..., RiskWarning],
    ) -> None:
        case = self.confirm(keeper, subject, raise_warning, tier="orange")
        assert (case.tier, case.tier_raised_at, case.first_contact_at) == (
            "orange",
            None,
            minutes(30),
        )
        assert not Message.objects.filter(kind="care.tier_raised").exists()
        assert not AuditEvent.objects.filter(action="case.tier_raised").exists()
