"""Screening campaigns: scope, assignments, the deadline, closing, and suppressed counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import City, make_user, verified_login
from sunflower.accounts.models import Role, User
from sunflower.assessments import actions, campaigns
from sunflower.assessments.models import (
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignMode,
    CampaignStatus,
    Response,
    ResponseStatus,
)
from sunflower.assessments.tests.helpers import PHQ9_CRITICAL, PHQ9_MODERATE, take
from sunflower.audit.models import AuditEvent
from sunflower.lib.privacy import suppress, suppress_cells
from sunflower.orgs.models import EmploymentStatus, Person, Unit


@pytest.fixture
def district_admin(city: City) -> User:
    return make_user("district-admin", (Role.PROGRAMME_ADMIN, city.district_a))


def create(actor: User, unit: Unit, **fields: Any) -> Campaign:
    now = timezone.now()
    values: dict[str, Any] = {
        "name": "2026 年度心理普查",
        "instruments": ["phq9", "gad7"],
        "root_unit": unit,
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=7),
        "mode": CampaignMode.IDENTIFIED,
    }
    values.update(fields)
    return campaigns.do_create_campaign(actor, **values)


class SuppressTestCase:
    def test_it_hides_counts_below_the_threshold(self, settings: Any) -> None:
        settings.SUNFLOWER_MIN_CELL = 10
        assert suppress(9) == "<10"
        assert suppress(0) == "<10"
        assert suppress(10) == 10

    def test_it_hides_a_companion_when_one_sibling_is_hidden(self) -> None:
        assert suppress_cells([30, 4, 12, 20], k=10) == [30, "<10", "<10", 20]

    def test_it_needs_no_companion_when_two_are_hidden(self) -> None:
        assert suppress_cells([30, 4, 3, 20], k=10) == [30, "<10", "<10", 20]

    def test_it_hides_nothing_when_every_cell_is_large(self) -> None:
        assert suppress_cells([30, 12], k=10) == [30, 12]


class CreateCampaignTestCase:
    def test_it_creates_an_audited_draft(self, district_admin: User, city: City) -> None:
        campaign = create(district_admin, city.town_a1)
        assert campaign.status == CampaignStatus.DRAFT
        event = AuditEvent.objects.get(action="campaign.create")
        assert event.object_id == str(campaign.pk)

    def test_it_refuses_a_unit_outside_the_scope(self, district_admin: User, city: City) -> None:
        with pytest.raises(campaigns.CampaignError):
            create(district_admin, city.district_b)
        assert not Campaign.objects.exists()

    def test_it_refuses_a_mode_it_does_not_know(self, district_admin: User, city: City) -> None:
        with pytest.raises(campaigns.CampaignError):
            create(district_admin, city.district_a, mode="public")
        assert not Campaign.objects.exists()

    def test_the_form_refuses_another_district(self, district_admin: User, city: City) -> None:
        client = verified_login(Client(), district_admin)
        response = client.post(
            reverse("campaigns:create"),
            {
                "name": "越界",
                "instruments": ["phq9"],
                "root_unit": city.district_b.pk,
                "opens_at": "2026-12-01T09:00",
                "closes_at": "2026-12-10T18:00",
                "mode": "identified",
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors["root_unit"]
        assert not Campaign.objects.exists()

    def test_the_form_creates_within_scope(self, district_admin: User, city: City) -> None:
        client = verified_login(Client(), district_admin)
        response = client.post(
            reverse("campaigns:create"),
            {
                "name": "东港区普查",
                "instruments": ["phq9"],
                "root_unit": city.district_a.pk,
                "opens_at": "2026-12-01T09:00",
                "closes_at": "2026-12-10T18:00",
                "mode": "confidential",
            },
        )
        campaign = Campaign.objects.get()
        assert response["Location"] == reverse("campaigns:detail", args=[campaign.pk])
        assert campaign.mode == CampaignMode.CONFIDENTIAL


class OpenCampaignTestCase:
    def test_it_assigns_every_current_cadre_in_the_subtree(
        self, district_admin: User, city: City, make_person: Callable[..., Person]
    ) -> None:
        for _ in range(3):
            make_person(unit=city.town_a1)
        make_person(unit=city.district_a)
        make_person(unit=city.district_a, status=EmploymentStatus.LEFT)
        make_person(unit=city.district_b)
        campaign = campaigns.do_open_campaign(
            district_admin, create(district_admin, city.district_a).pk
        )
        assert campaign.status == CampaignStatus.OPEN
        assert Assignment.objects.filter(campaign=campaign).count() == 4 * 2
        event = AuditEvent.objects.get(action="campaign.open")
        assert event.changes == {"people": 4, "assignments": 8}

    def test_it_opens_only_once(self, district_admin: User, city: City) -> None:
        campaign = create(district_admin, city.district_a)
        campaigns.do_open_campaign(district_admin, campaign.pk)
        with pytest.raises(campaigns.CampaignError):
            campaigns.do_open_campaign(district_admin, campaign.pk)


class CampaignPagesTestCase:
    def test_out_of_scope_pages_answer_404(
        self, district_admin: User, bob: User, city: City
    ) -> None:
        other = create(bob, city.district_b)
        client = verified_login(Client(), district_admin)
        assert client.get(reverse("campaigns:detail", args=[other.pk])).status_code == 404
        assert client.post(reverse("campaigns:open", args=[other.pk])).status_code == 404
        assert Campaign.objects.get(pk=other.pk).status == CampaignStatus.DRAFT

    def test_the_list_filters_and_has_an_empty_state(
        self, district_admin: User, bob: User, city: City
    ) -> None:
        client = verified_login(Client(), district_admin)
        assert "还没有测评活动" in client.get(reverse("campaigns:list")).content.decode()
        create(district_admin, city.district_a, name="东港区普查")
        create(bob, city.district_b, name="西湖区普查")
        page = client.get(reverse("campaigns:list")).content.decode()
        assert "东港区普查" in page
        assert "西湖区普查" not in page
        page = client.get(reverse("campaigns:list"), {"status": "closed"}).content.decode()
        assert "没有符合条件的测评活动" in page

    def test_participation_shows_suppressed_counts_only(
        self, bob: User, city: City, make_person: Callable[..., Person]
    ) -> None:
        people = [make_person(unit=city.district_a, name=f"甲{n}") for n in range(12)]
        people += [make_person(unit=city.town_a1, name=f"乙{n}") for n in range(15)]
        people += [make_person(unit=city.district_b, name=f"丙{n}") for n in range(4)]
        campaign = campaigns.do_open_campaign(bob, create(bob, city.city, instruments=["phq9"]).pk)
        Assignment.objects.filter(person__in=people[:11]).update(status=AssignmentStatus.DONE)
        result = campaigns.participation(campaign)
        by_unit = {row.unit.pk: (row.assigned, row.completed) for row in result.rows}
        # District B's 4 are hidden, and with them the next smallest cell (district A's 12).
        assert by_unit[city.district_b.pk] == ("<10", "<10")
        assert by_unit[city.district_a.pk] == ("<10", 11)
        assert by_unit[city.town_a1.pk] == (15, "<10")
        assert (result.assigned, result.completed) == (31, 11)
        client = verified_login(Client(), bob)
        page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
        assert "&lt;10" in page
        assert "甲0" not in page


class SubmitInCampaignTestCase:
    @pytest.fixture
    def campaign(self, bob: User, city: City, consenting: User) -> Campaign:
        return campaigns.do_open_campaign(bob, create(bob, city.city, instruments=["phq9"]).pk)

    def test_a_cadre_sees_and_completes_the_assignment(
        self, campaign: Campaign, consenting: User
    ) -> None:
        client = Client()
        client.force_login(consenting)
        page = client.get(reverse("web:portal-assessments")).content.decode()
        assert "待完成的测评任务" in page
        assert campaign.name in page
        draft_url = client.post(reverse("assessments:intro", args=["phq9"]))["Location"]
        response_id = draft_url.strip("/").split("/")[-2]
        data = {f"q{n}": code for n, code in enumerate(PHQ9_MODERATE, start=1)}
        for page_number in (1, 2):
            answers = {k: v for k, v in data.items() if (int(k[1:]) - 1) // 5 + 1 == page_number}
            reply = client.post(
                reverse("assessments:page", args=[response_id, page_number]),
                {**answers, "go": "submit", "token": "t-1"},
            )
        assert reply["Location"] == reverse("assessments:result", args=[response_id])
        assignment = Assignment.objects.get(campaign=campaign, person=consenting.person)
        assert assignment.status == AssignmentStatus.DONE
        assert str(assignment.response_id) == response_id
        page = client.get(reverse("web:portal-assessments")).content.decode()
        assert "待完成的测评任务" not in page

    def test_a_late_submission_is_refused(self, campaign: Campaign, consenting: User) -> None:
        draft = actions.do_start(consenting, "phq9")
        assert draft.campaign_id == campaign.pk
        with (
            time_machine.travel(campaign.closes_at + timedelta(minutes=1)),
            pytest.raises(actions.CampaignClosed, match="截止，不能再提交"),
        ):
            actions.do_submit(
                consenting, draft.pk, actions.new_token(), dict(enumerate(PHQ9_MODERATE))
            )
        assert Assignment.objects.get(person=consenting.person).status == AssignmentStatus.PENDING

    def test_a_self_assessment_outside_campaigns_is_untouched(
        self, consenting: User, notice: Any
    ) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        assert response.campaign_id is None


class AnonymousCampaignTestCase:
    @pytest.fixture
    def campaign(self, bob: User, city: City, consenting: User) -> Campaign:
        created = create(bob, city.city, instruments=["phq9"], mode=CampaignMode.ANONYMOUS)
        return campaigns.do_open_campaign(bob, created.pk)

    def submit(self, client: Client, token: str = "t-1") -> Any:  # noqa: S107
        draft_url = client.post(reverse("assessments:intro", args=["phq9"]))["Location"]
        response_id = draft_url.strip("/").split("/")[-2]
        client.post(
            reverse("assessments:page", args=[response_id, 1]),
            {f"q{n}": PHQ9_CRITICAL[n - 1] for n in range(1, 6)} | {"go": "next"},
        )
        answers = {f"q{n}": PHQ9_CRITICAL[n - 1] for n in range(6, 10)}
        url = reverse("assessments:page", args=[response_id, 2])
        return response_id, client.post(url, {**answers, "go": "submit", "token": token})

    def test_the_intro_says_no_one_can_be_told(self, campaign: Campaign, consenting: User) -> None:
        client = Client()
        client.force_login(consenting)
        page = client.get(reverse("assessments:intro", args=["phq9"])).content.decode()
        assert "匿名测评" in page
        assert "无法通知任何人" in page

    def test_it_stores_no_identity_and_proposes_nothing(
        self, campaign: Campaign, consenting: User
    ) -> None:
        client = Client()
        client.force_login(consenting)
        draft_id, reply = self.submit(client)
        # The result is shown once, in the answer to the submission, with the help panel.
        assert reply.status_code == 200
        page = reply.content.decode()
        assert "12356" in page
        assert "无法通知任何人" in page
        stored = Response.objects.get(campaign=campaign, status=ResponseStatus.SUBMITTED)
        assert stored.person_id is None
        assert stored.submission_token is None
        assert stored.answer_list() == PHQ9_CRITICAL
        assert "critical_item" in stored.result_data()["flags"]
        local = timezone.localtime(stored.submitted_at)
        assert (local.hour, local.minute, local.second) == (0, 0, 0)
        husk = Response.objects.get(pk=draft_id)
        assert husk.status == ResponseStatus.ANONYMISED
        assert (husk.answers, husk.result) == (None, None)
        assignment = Assignment.objects.get(campaign=campaign, person=consenting.person)
        assert assignment.status == AssignmentStatus.DONE
        assert assignment.response_id is None
        assert not AuditEvent.objects.filter(action="warning.proposed").exists()
        event = AuditEvent.objects.get(action="assessment.submit")
        assert event.object_id == str(campaign.pk)
        assert str(stored.pk) not in str(event.changes)

    def test_a_repeated_submission_records_one_response(
        self, campaign: Campaign, consenting: User
    ) -> None:
        client = Client()
        client.force_login(consenting)
        draft_id, _reply = self.submit(client)
        answers = {f"q{n}": PHQ9_CRITICAL[n - 1] for n in range(6, 10)}
        again = client.post(
            reverse("assessments:page", args=[draft_id, 2]),
            {**answers, "go": "submit", "token": "t-1"},
        )
        assert again.status_code == 200
        assert "已匿名提交" in again.content.decode()
        assert Response.objects.filter(campaign=campaign, person=None).count() == 1
        result = client.get(reverse("assessments:result", args=[draft_id])).content.decode()
        assert "已匿名提交" in result

    def test_the_anonymous_row_is_nobody_s_to_read(
        self, campaign: Campaign, consenting: User
    ) -> None:
        client = Client()
        client.force_login(consenting)
        self.submit(client)
        stored = Response.objects.get(campaign=campaign, person=None)
        reply = client.get(reverse("assessments:result", args=[stored.pk]))
        assert reply.status_code == 404
        own = client.get(reverse("web:portal-assessments")).content.decode()
        assert "待完成的测评任务" not in own


class CloseCampaignTestCase:
    def test_the_task_closes_campaigns_past_their_deadline(self, bob: User, city: City) -> None:
        from sunflower.assessments.tasks import close_due_campaigns

        campaign = campaigns.do_open_campaign(bob, create(bob, city.city).pk)
        assert close_due_campaigns.call_local() == 0
        with time_machine.travel(campaign.closes_at + timedelta(seconds=1)):
            assert close_due_campaigns.call_local() == 1
        assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CLOSED
        assert AuditEvent.objects.filter(action="campaign.close").count() == 1

    def test_reading_a_due_campaign_closes_it(self, bob: User, city: City) -> None:
        campaign = campaigns.do_open_campaign(bob, create(bob, city.city).pk)
        later: datetime = campaign.closes_at + timedelta(seconds=1)
        with time_machine.travel(later):
            found = campaigns.get_campaign_in_scope(bob, campaign.pk)
        assert found.status == CampaignStatus.CLOSED
