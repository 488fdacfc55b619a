"""Warnings: proposals from results, raising by hand, and the record keeper's review."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone

from sunflower.accounts.models import User
from sunflower.assessments.models import Response, ResponseStatus
from sunflower.assessments.tests.helpers import PHQ9_CRITICAL, PHQ9_MODERATE, take
from sunflower.assessments.warnings import propose_warning_from_result
from sunflower.audit.models import AuditEvent
from sunflower.care import actions
from sunflower.care.actions import CareError
from sunflower.care.models import (
    CrisisCase,
    RiskWarning,
    WarningSource,
    WarningStatus,
)
from sunflower.care.tiers import Tier
from sunflower.notifications.kinds import NEUTRAL_TEXT
from sunflower.notifications.models import Message
from sunflower.orgs.models import Person


class ProposalTestCase:
    def test_it_proposes_red_for_phq9_item_9_endorsed(self, consenting: User, keeper: User) -> None:
        response = take(consenting, "phq9", PHQ9_CRITICAL)
        warning = RiskWarning.objects.get()
        assert (warning.source, warning.tier, warning.proposed_tier) == ("result", "red", "red")
        assert warning.status == WarningStatus.PROPOSED
        assert warning.response == response
        assert warning.person_id == consenting.person_id
        assert warning.unit_id == consenting.person.unit_id
        event = AuditEvent.objects.get(action="warning.proposed")
        assert event.object_id == str(warning.pk)
        assert event.changes["response"] == str(response.pk)

    def test_it_tells_the_record_keepers_in_scope_without_content(
        self, consenting: User, keeper: User, outsider: User
    ) -> None:
        take(consenting, "phq9", PHQ9_CRITICAL)
        message = Message.objects.get(kind="care.warning")
        assert message.recipient == keeper
        assert message.text == str(NEUTRAL_TEXT)
        assert message.link == f"/console/care/warnings/{RiskWarning.objects.get().pk}/"

    def test_it_proposes_yellow_for_a_positive_screen(self, consenting: User) -> None:
        take(consenting, "phq9", PHQ9_MODERATE)
        assert RiskWarning.objects.get().tier == Tier.YELLOW

    def test_a_low_score_proposes_nothing(self, consenting: User) -> None:
        take(consenting, "phq9", [0] * 9)
        assert not RiskWarning.objects.exists()

    def test_an_anonymous_response_proposes_nothing(self, db: None, keeper: User) -> None:
        now = timezone.now()
        response = Response(
            person=None,
            instrument_id="phq9",
            instrument_version="1",
            status=ResponseStatus.SUBMITTED,
            started_at=now,
            saved_at=now,
            submitted_at=now,
        )
        response.set_result({"total": 5, "flags": ["critical_item"]})
        response.save()
        assert propose_warning_from_result(response) == Tier.RED
        assert not RiskWarning.objects.exists()
        assert not AuditEvent.objects.filter(action="warning.proposed").exists()
        assert not Message.objects.exists()


class RaiseTestCase:
    def test_a_counsellor_raises_a_warning_with_a_reason(
        self, counsellor: User, subject: Person
    ) -> None:
        warning = actions.do_raise_warning(
            counsellor, subject.pk, Tier.ORANGE, "连续失眠，情绪低落"
        )
        assert warning.source == WarningSource.MANUAL
        assert warning.reason == "连续失眠，情绪低落"
        assert warning.raised_by == counsellor
        assert AuditEvent.objects.get(action="warning.raised").changes["tier"] == "orange"

    def test_a_talk_officer_may_raise_one(self, talk_officer: User, subject: Person) -> None:
        actions.do_raise_warning(talk_officer, subject.pk, Tier.YELLOW, "工作压力大")
        assert RiskWarning.objects.count() == 1

    def test_it_needs_a_reason(self, counsellor: User, subject: Person) -> None:
        with pytest.raises(CareError, match="理由"):
            actions.do_raise_warning(counsellor, subject.pk, Tier.RED, "  ")

    def test_it_refuses_a_person_outside_scope(
        self, counsellor: User, make_person: Callable[..., Person], city: object
    ) -> None:
        stranger = make_person(unit=city.district_b)  # type: ignore[attr-defined]
        with pytest.raises(CareError):
            actions.do_raise_warning(counsellor, stranger.pk, Tier.RED, "理由")

    def test_the_reason_is_encrypted_at_rest(self, counsellor: User, subject: Person) -> None:
        from django.db import connection

        warning = actions.do_raise_warning(counsellor, subject.pk, Tier.RED, "轻生念头")
        with connection.cursor() as cursor:
            cursor.execute("SELECT reason FROM care_riskwarning WHERE id = %s", [warning.pk.hex])
            row = cursor.fetchone()
        if row is None:  # PostgreSQL stores UUIDs natively
            with connection.cursor() as cursor:
                cursor.execute("SELECT reason FROM care_riskwarning WHERE id = %s", [warning.pk])
                row = cursor.fetchone()
        assert "轻生" not in row[0]


class ReviewTestCase:
    def test_confirming_red_opens_a_case_assigned_to_the_reviewer(
        self, keeper: User, subject: Person, raise_warning: Callable[..., RiskWarning]
    ) -> None:
        warning, case = actions.do_review_warning(keeper, raise_warning(subject).pk, "confirm")
        assert warning.status == WarningStatus.CONFIRMED
        assert warning.reviewed_by == keeper
        assert case is not None
        assert (case.status, case.tier, case.assignee, case.warning) == (
            "detected",
            "red",
            keeper,
            warning,
        )
        assert AuditEvent.objects.filter(action="case.open").count() == 1

    def test_confirming_orange_opens_a_case(
        self, keeper: User, subject: Person, raise_warning: Callable[..., RiskWarning]
    ) -> None:
        _, case = actions.do_review_warning(keeper, raise_warning(subject, "orange").pk, "confirm")
        assert case is not None

    def test_confirming_yellow_opens_a_case_only_by_choice(
        self, keeper: User, subject: Person, raise_warning: Callable[..., RiskWarning]
    ) -> None:
        _, case = actions.do_review_warning(keeper, raise_warning(subject, "yellow").pk, "confirm")
        assert case is None
        _, case = actions.do_review_warning(
            keeper, raise_warning(subject, "yellow").pk, "confirm", open_case=True
        )
        assert case is not None

    def test_changing_the_tier_needs_a_reason_and_keeps_the_proposal(
        self, keeper: User, subject: Person, raise_warning: Callable[..., RiskWarning]
    ) -> None:
        warning = raise_warning(subject, "yellow")
        with pytest.raises(CareError, match="理由"):
            actions.do_review_warning(keeper, warning.pk, "change", tier="red")
        changed, case = actions.do_review_warning(
            keeper, warning.pk, "change", tier="red", note="面谈后判断风险更高"
        )
        assert (changed.proposed_tier, changed.tier) == ("yellow", "red")
        assert changed.review_note == "面谈后判断风险更高"
        assert case is not None and case.tier == "red"

    def test_dismissing_needs_a_reason_and_opens_nothing(
        self, keeper: User, subject: Person, raise_warning: Callable[..., RiskWarning]
    ) -> None:
        warning = raise_warning(subject)
        with pytest.raises(CareError, match="理由"):
            actions.do_review_warning(keeper, warning.pk, "dismiss")
        dismissed, case = actions.do_review_warning(keeper, warning.pk, "dismiss", note="误填")
        assert dismissed.status == WarningStatus.DISMISSED
        assert case is None
        assert not CrisisCase.objects.exists()

    def test_it_reviews_a_warning_once(
        self, keeper: User, subject: Person, raise_warning: Callable[..., RiskWarning]
    ) -> None:
        warning = raise_warning(subject, "yellow")
        actions.do_review_warning(keeper, warning.pk, "confirm")
        with pytest.raises(CareError, match="已审核"):
            actions.do_review_warning(keeper, warning.pk, "dismiss", note="x")

    def test_a_second_warning_joins_the_open_case_and_raises_its_tier(
        self, keeper: User, subject: Person, raise_warning: Callable[..., RiskWarning]
    ) -> None:
        _, first = actions.do_review_warning(keeper, raise_warning(subject, "orange").pk, "confirm")
        _, second = actions.do_review_warning(keeper, raise_warning(subject, "red").pk, "confirm")
        assert first == second
        assert CrisisCase.objects.get().tier == "red"

    def test_a_record_keeper_outside_scope_cannot_review(
        self, outsider: User, subject: Person, raise_warning: Callable[..., RiskWarning]
    ) -> None:
        from django.http import Http404

        with pytest.raises(Http404):
            actions.do_review_warning(outsider, raise_warning(subject).pk, "confirm")
