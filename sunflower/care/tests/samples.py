"""Sample care rows for the site's permission matrix (web/tests/test_permission_matrix.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from sunflower.care.models import (
    CrisisCase,
    DutyShift,
    ExplanationRequest,
    RiskWarning,
    WarningSource,
)
from sunflower.care.tiers import Tier
from sunflower.care.workflow import CaseStatus


def sample_for_matrix(arg: str, cast: dict[str, Any]) -> Any:
    """The primary key for URL argument *arg*: a row about the cast's sample person (in every
    city-wide role's scope), handled by the city-wide record keeper."""
    person = cast["person"]
    keeper = cast["users"]["record_keeper"]
    if arg == "warning_id":
        warning = RiskWarning.objects.filter(person=person).first() or RiskWarning.objects.create(
            person=person,
            unit=person.unit,
            source=WarningSource.MANUAL,
            proposed_tier=Tier.RED,
            tier=Tier.RED,
            reason="matrix",
        )
        return warning.pk
    if arg == "case_id":
        case = CrisisCase.objects.filter(person=person).exclude(status=CaseStatus.CLOSED).first()
        if case is None:
            case = CrisisCase.objects.create(
                person=person, unit=person.unit, tier=Tier.RED, assignee=keeper
            )
        return case.pk
    if arg == "explanation_id":
        found = ExplanationRequest.objects.filter(person=person).first()
        if found is None:
            found = ExplanationRequest.objects.create(
                person=person, unit=person.unit, question="matrix"
            )
        return found.pk
    if arg == "shift_id":
        now = timezone.now()
        shift = DutyShift.objects.filter(user=keeper).first() or DutyShift.objects.create(
            user=keeper, starts_at=now, ends_at=now + timedelta(hours=8)
        )
        return shift.pk
    raise AssertionError(arg)
