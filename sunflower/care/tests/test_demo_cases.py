"""The demo city's warnings and cases: drawn from its results, one open case per person, and a
fresh red case that the service-level check finds breached."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from sunflower.care.models import CrisisCase, RiskWarning, WarningSource, WarningStatus
from sunflower.care.sla import check_service_levels
from sunflower.care.workflow import CaseStatus, is_allowed


@pytest.mark.django_db
class CareDemoTestCase:
    def test_it_draws_warnings_and_cases_that_keep_the_rules(self) -> None:
        # One build for every check: the demo takes seconds.
        out = StringIO()
        call_command("demo", "--cadres", "300", "--seed", "11", stdout=out)
        assert "关爱 care:" in out.getvalue()
        assert RiskWarning.objects.filter(status=WarningStatus.PROPOSED).count() >= 5
        assert RiskWarning.objects.filter(source=WarningSource.MANUAL).exists()
        assert CrisisCase.objects.filter(status=CaseStatus.CLOSED).exists()

        automatic = RiskWarning.objects.filter(source=WarningSource.RESULT)
        assert automatic.exists()
        assert not automatic.filter(response__isnull=True).exists()
        assert not automatic.filter(response__person__isnull=True).exists()  # never anonymous

        open_cases = CrisisCase.objects.exclude(status=CaseStatus.CLOSED)
        assert not open_cases.values("person").annotate(n=Count("id")).filter(n__gt=1).exists()
        for case in CrisisCase.objects.prefetch_related("transitions"):
            moves = [(t.from_status, t.to_status) for t in case.transitions.all()]
            assert moves[0] == ("", CaseStatus.DETECTED)
            assert all(is_allowed(a, b) for a, b in moves[1:])
            assert moves[-1][1] == case.status

        breaches = check_service_levels(timezone.now())
        assert any(b.case.tier == "red" and b.kind == "first_contact" for b in breaches)
