"""The demo city's training: about 85 % compliant in the previous half year, part of the way
in the current one, non-compliant cadres in the demo liaison's district."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from sunflower.orgs.models import Person, Unit
from sunflower.training import compliance
from sunflower.training.models import Session


@pytest.mark.django_db
class TrainingDemoTestCase:
    def test_it_builds_plans_sessions_and_compliance(self) -> None:
        out = StringIO()
        call_command("demo", "--cadres", "300", "--seed", "11", stdout=out)
        assert "培训 training:" in out.getvalue()
        assert 25 <= Session.objects.count() <= 35
        people = list(Person.objects.current().values_list("pk", flat=True))
        current = compliance.current_period(timezone.now())
        before = len(compliance.compliant_ids(people, current.previous())) / len(people)
        now = len(compliance.compliant_ids(people, current)) / len(people)
        assert 0.78 <= before <= 0.92
        assert 0.2 <= now < before
        district = Unit.objects.get(code="379902")
        missing = (
            Person.objects.current()
            .in_subtree(district)
            .exclude(pk__in=compliance.compliant_ids(people, current))
        )
        assert missing.exists()
