"""The case state machine: every allowed and every forbidden transition, from the table."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from sunflower.accounts.models import User
from sunflower.audit.models import AuditEvent
from sunflower.care import actions
from sunflower.care.actions import CareError
from sunflower.care.models import CaseTransition, CrisisCase
from sunflower.care.workflow import TRANSITIONS, CaseStatus, allowed_targets

ALL = [s.value for s in CaseStatus]
ALLOWED = [(a, b) for a in ALL for b in ALL if b in TRANSITIONS[a]]
FORBIDDEN = [(a, b) for a in ALL for b in ALL if b not in TRANSITIONS[a]]
EXTRA = {"referral_destination": "市精神卫生中心", "closing_reason": "情绪稳定，随访结束"}


def put_in(case: CrisisCase, status: str) -> CrisisCase:
    """Set a case's status directly (the state under test), as if it had got there."""
    from django.utils import timezone

    case.status = status
    case.closed_at = timezone.now() if status == CaseStatus.CLOSED else None
    case.save(update_fields=["status", "closed_at"])
    return case


class TransitionTableTestCase:
    def test_it_lists_every_status(self) -> None:
        assert set(TRANSITIONS) == set(ALL)

    def test_it_reaches_closed_by_the_main_path(self) -> None:
        path = ["detected", "assessed", "intervening", "referred", "follow_up", "closed"]
        for source, target in itertools.pairwise(path):
            assert target in allowed_targets(source)

    def test_it_allows_reopening_a_closed_case(self) -> None:
        assert allowed_targets("closed") == ["assessed"]


class TransitionTestCase:
    @pytest.mark.parametrize(("source", "target"), ALLOWED)
    def test_it_makes_each_allowed_transition(
        self,
        source: str,
        target: str,
        keeper: User,
        open_case: Callable[..., CrisisCase],
    ) -> None:
        case = put_in(open_case(), source)
        moved = actions.do_transition(keeper, case.pk, target, note="依计划", **EXTRA)
        assert moved.status == target
        last = CaseTransition.objects.filter(case=case).latest("at", "id")
        assert (last.from_status, last.to_status, last.by) == (source, target, keeper)
        assert last.note == "依计划"
        event = AuditEvent.objects.filter(action="case.transition").latest("id")
        assert event.changes == {"from": source, "to": target}
        assert "依计划" not in str(event.changes)

    @pytest.mark.parametrize(("source", "target"), FORBIDDEN)
    def test_it_refuses_each_forbidden_transition(
        self,
        source: str,
        target: str,
        keeper: User,
        open_case: Callable[..., CrisisCase],
    ) -> None:
        case = put_in(open_case(), source)
        count = CaseTransition.objects.count()
        with pytest.raises(CareError, match="不能从"):
            actions.do_transition(keeper, case.pk, target, **EXTRA)
        case.refresh_from_db()
        assert case.status == source
        assert CaseTransition.objects.count() == count

    def test_leaving_detected_is_not_a_contact(
        self, keeper: User, open_case: Callable[..., CrisisCase]
    ) -> None:
        case = open_case()
        moved = actions.do_transition(keeper, case.pk, CaseStatus.ASSESSED, note="已分派处置")
        moved.refresh_from_db()
        assert (moved.first_contact_at, moved.last_contact_at) == (None, None)
        assert moved.contact_due_at() is not None  # the first-contact clock still runs

    def test_it_refuses_an_unknown_status(
        self, keeper: User, open_case: Callable[..., CrisisCase]
    ) -> None:
        with pytest.raises(CareError):
            actions.do_transition(keeper, open_case().pk, "vanished")

    def test_closing_needs_a_reason(
        self, keeper: User, open_case: Callable[..., CrisisCase]
    ) -> None:
        case = put_in(open_case(), CaseStatus.FOLLOW_UP)
        with pytest.raises(CareError, match="结案理由"):
            actions.do_transition(keeper, case.pk, CaseStatus.CLOSED)

    def test_referral_needs_a_destination(
        self, keeper: User, open_case: Callable[..., CrisisCase]
    ) -> None:
        case = put_in(open_case(), CaseStatus.ASSESSED)
        with pytest.raises(CareError, match="转介去向"):
            actions.do_transition(keeper, case.pk, CaseStatus.REFERRED)

    def test_it_refuses_to_reopen_while_the_person_has_another_open_case(
        self, keeper: User, open_case: Callable[..., CrisisCase]
    ) -> None:
        old = put_in(open_case(), CaseStatus.CLOSED)
        open_case()  # a new case for the same person
        with pytest.raises(CareError, match="已有进行中的个案"):
            actions.do_transition(keeper, old.pk, CaseStatus.ASSESSED)
        old.refresh_from_db()
        assert old.status == CaseStatus.CLOSED
