"""Service levels with a controlled clock: breach, idempotence, escalation, resolution."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from sunflower.accounts.models import User
from sunflower.audit.models import AuditEvent
from sunflower.care import actions, sla
from sunflower.care.models import BreachKind, CaseActionKind, CrisisCase, SlaBreach
from sunflower.care.workflow import CaseStatus
from sunflower.notifications.models import Message

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(480))


@pytest.fixture
def red_case(keeper: User, city_keeper: User, open_case: Callable[..., CrisisCase]) -> CrisisCase:
    with time_machine.travel(T0, tick=False):
        return open_case("red")


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


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
        assert sla.check_service_levels(minutes(300)) == []
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

    def test_moving_past_detected_counts_as_first_contact(
        self, red_case: CrisisCase, keeper: User
    ) -> None:
        with time_machine.travel(minutes(20), tick=False):
            actions.do_transition(keeper, red_case.pk, CaseStatus.ASSESSED, note="已面谈评估")
        assert sla.check_service_levels(minutes(120)) == []

    def test_a_late_contact_resolves_the_breach(self, red_case: CrisisCase, keeper: User) -> None:
        sla.check_service_levels(minutes(61))
        with time_machine.travel(minutes(70), tick=False):
            actions.do_add_action(keeper, red_case.pk, CaseActionKind.MEETING, minutes(70), "面谈")
        assert SlaBreach.objects.get().resolved_at == minutes(70)

    def test_the_periodic_task_checks_every_open_case(self, red_case: CrisisCase) -> None:
        from sunflower.care.tasks import check_care_service_levels

        with time_machine.travel(minutes(61), tick=False):
            assert check_care_service_levels.call_local() == 1


class FollowUpTestCase:
    def test_a_case_in_follow_up_needs_contact_every_interval(
        self, red_case: CrisisCase, keeper: User
    ) -> None:
        steps = [CaseStatus.ASSESSED, CaseStatus.INTERVENING, CaseStatus.FOLLOW_UP]
        with time_machine.travel(minutes(10), tick=False):
            for step in steps:
                actions.do_transition(keeper, red_case.pk, step)
        entered = minutes(10)
        assert sla.check_service_levels(entered + timedelta(days=7) - timedelta(minutes=1)) == []
        [breach] = sla.check_service_levels(entered + timedelta(days=7, minutes=1))
        assert (breach.kind, breach.due_at) == (BreachKind.FOLLOW_UP, entered + timedelta(days=7))
        # A contact restarts the interval and resolves the breach.
        contact = entered + timedelta(days=8)
        with time_machine.travel(contact, tick=False):
            actions.do_add_action(keeper, red_case.pk, CaseActionKind.CALL, contact, "随访电话")
        assert SlaBreach.objects.get().resolved_at == contact
        assert sla.check_service_levels(contact + timedelta(days=6)) == []
        later = sla.check_service_levels(contact + timedelta(days=7, minutes=1))
        assert [b.level for b in later] == [2]  # past the top of the chain: the top again

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
