"""The demo city's year of assessments: campaigns, anonymous rows, consents, a history to chart."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from sunflower.accounts.models import User
from sunflower.assessments import campaigns
from sunflower.assessments.models import (
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignMode,
    CampaignStatus,
    Response,
)
from sunflower.privacy.consent import has_consent


def build(seed: str = "5") -> str:
    out = StringIO()
    call_command("demo", "--cadres", "120", "--seed", seed, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
class AssessmentDemoTestCase:
    def test_it_runs_three_campaigns_over_the_year(self) -> None:
        output = build()
        assert "测评 assessments: 3 campaigns" in output
        found = sorted(Campaign.objects.values_list("mode", "status"))
        assert found == [
            (CampaignMode.ANONYMOUS, CampaignStatus.CLOSED),
            (CampaignMode.IDENTIFIED, CampaignStatus.CLOSED),
            (CampaignMode.IDENTIFIED, CampaignStatus.OPEN),
        ]

    def test_anonymous_rows_have_no_person_and_no_assignment_link(self) -> None:
        build()
        survey = Campaign.objects.get(mode=CampaignMode.ANONYMOUS)
        rows = Response.objects.filter(campaign=survey)
        assert rows.exists()
        assert not rows.filter(person__isnull=False).exists()
        done = Assignment.objects.filter(campaign=survey, status=AssignmentStatus.DONE)
        assert done.count() == rows.count()
        assert not done.filter(response__isnull=False).exists()
        assert rows.first().result_data()["instrument"] == "pss10"

    def test_everyone_with_a_response_consented_before_it(self) -> None:
        build()
        people = {r.person for r in Response.objects.filter(person__isnull=False)}
        assert people
        assert all(has_consent(person) for person in people)

    def test_the_demo_cadre_has_a_history_and_a_pending_task(self) -> None:
        build()
        cadre = User.objects.get(username="demo-cadre-01")
        phq9 = Response.objects.filter(person=cadre.person, instrument_id="phq9", campaign=None)
        assert phq9.count() >= 3
        assert [a.campaign.name for a in campaigns.open_assignments(cadre.person_id)] == [
            "冬季干部心理健康普查"
        ]

    def test_the_same_seed_gives_the_same_history(self) -> None:
        first = build("9").splitlines()
        counts = list(
            Response.objects.values("instrument_id")
            .annotate(n=Count("id"))
            .order_by("instrument_id")
        )
        call_command("demo", "--reset", "--cadres", "120", "--seed", "9", stdout=StringIO())
        again = list(
            Response.objects.values("instrument_id")
            .annotate(n=Count("id"))
            .order_by("instrument_id")
        )
        assert counts == again
        assert any("测评 assessments" in line for line in first)
