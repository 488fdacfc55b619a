"""The mental-health record: who may open it, what it shows, and that every view is audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import City, logged_in, make_user
from sunflower.accounts.models import Role, User
from sunflower.assessments import campaigns
from sunflower.assessments.models import CampaignMode, Response
from sunflower.assessments.tests.helpers import PHQ9_CRITICAL, take
from sunflower.audit.models import AuditEvent
from sunflower.care import actions, talks
from sunflower.care.models import CrisisCase, RiskWarning
from sunflower.care.workflow import CaseStatus
from sunflower.orgs.models import Person
from sunflower.training.models import Attendance, AttendanceSource
from sunflower.training.tests.samples import make_course, make_session


def record_url(person: Person | None) -> str:
    assert person is not None
    return reverse("care:record", args=[person.pk])


@pytest.fixture
def campaign_response(bob: User, city: City, consenting: User) -> Response:
    """The cadre's GAD-7 in an identified city-wide campaign."""
    now = timezone.now()
    campaign = campaigns.do_create_campaign(
        bob,
        name="2026 年度心理普查",
        instruments=["gad7"],
        root_unit=city.city,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        mode=CampaignMode.IDENTIFIED,
    )
    campaigns.do_open_campaign(bob, campaign.pk)
    response = take(consenting, "gad7", [1] * 7)
    assert response.campaign_id == campaign.pk
    return response


@pytest.fixture
def private_response(consenting: User) -> Response:
    """A self-assessment with no warning: the cadre's alone."""
    response = take(consenting, "phq9", [0] * 9)
    assert response.campaign_id is None
    assert not RiskWarning.objects.filter(response=response).exists()
    return response


class RecordPageTestCase:
    def test_a_record_keeper_in_scope_sees_the_record_and_the_view_is_audited(
        self, keeper: User, consenting: User
    ) -> None:
        person = consenting.person
        response = logged_in(keeper).get(record_url(person))
        assert response.status_code == 200
        page = response.content.decode()
        assert person is not None and person.name in page
        assert person.unit.name in page
        event = AuditEvent.objects.get(action="care.record.read")
        assert (event.actor, event.actor_role) == (keeper, Role.RECORD_KEEPER)
        assert (event.object_type, event.object_id) == ("orgs.person", str(person.pk))
        assert event.scope_unit_id == person.unit_id
        assert {"assessments", "warnings", "cases", "talks"} <= set(event.changes["sections"])
        assert event.changes["grant"] == ""

    def test_every_view_writes_an_entry(self, keeper: User, consenting: User) -> None:
        client = logged_in(keeper)
        client.get(record_url(consenting.person))
        client.get(record_url(consenting.person))
        assert AuditEvent.objects.filter(action="care.record.read").count() == 2

    def test_it_lists_campaign_responses_and_those_with_a_warning_never_a_private_one(
        self,
        keeper: User,
        consenting: User,
        campaign_response: Response,
        private_response: Response,
    ) -> None:
        flagged = take(consenting, "phq9", PHQ9_CRITICAL)
        response = logged_in(keeper).get(record_url(consenting.person))
        shown = [row["response"].pk for row in response.context["results"]]
        assert sorted(map(str, shown)) == sorted([str(campaign_response.pk), str(flagged.pk)])
        page = response.content.decode()
        assert reverse("results:detail", args=[campaign_response.pk]) in page
        assert str(private_response.pk) not in page
        assert "关键条目" in page
        event = AuditEvent.objects.get(action="care.record.read")
        assert str(private_response.pk) not in event.changes["responses"]

    def test_it_shows_warnings_and_cases_with_their_timeline(
        self, keeper: User, subject: Person, open_case: Callable[..., CrisisCase]
    ) -> None:
        case = open_case()
        actions.do_transition(keeper, case.pk, CaseStatus.ASSESSED, note="已面谈评估风险")
        response = logged_in(keeper).get(record_url(subject))
        page = response.content.decode()
        assert "谈话中流露轻生念头" in page  # the warning's reason
        assert "已面谈评估风险" in page  # a note on the case's timeline
        assert reverse("care:case-detail", args=[case.pk]) in page
        event = AuditEvent.objects.get(action="care.record.read")
        assert event.changes["cases"] == [str(case.pk)]
        assert len(event.changes["warnings"]) == 1

    def test_it_shows_the_training_record_and_the_half_year_requirement(
        self, keeper: User, subject: Person
    ) -> None:
        session = make_session(make_course(subject.unit), timezone.now() - timedelta(days=1))
        Attendance.objects.create(
            session=session,
            person=subject,
            checked_in_at=session.starts_at,
            source=AttendanceSource.QR,
            late=True,
        )
        page = logged_in(keeper).get(record_url(subject)).content.decode()
        training = page[page.index('id="training"') :]
        assert "干部心理健康与压力管理" in training
        assert "迟到" in training
        assert "已完成每半年必修" in training
        assert "training" in AuditEvent.objects.get(action="care.record.read").changes["sections"]

    def test_it_shows_talks_visits_and_key_attention_through_their_access_functions(
        self, keeper: User, talk_officer: User, subject: Person
    ) -> None:
        talks.do_assign(keeper, subject.pk, talk_officer.pk)
        held_at = timezone.now() - timedelta(hours=1)
        details = talks.talk_details("routine", ["work"], 4, needs="希望减少夜间值班")
        talks.do_record_talk(talk_officer, subject.pk, held_at, details)
        visit = talks.visit_details("home", place="家中", notes="家属反映睡眠差")
        talks.do_record_visit(talk_officer, subject.pk, held_at, visit)
        talks.do_create_attention(
            keeper,
            subject.pk,
            codes=["major_setback"],
            note="母亲病重住院",
            talk_every_days=14,
            responsible_id=keeper.pk,
            review_on=timezone.localdate() + timedelta(days=90),
        )
        before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        page = logged_in(keeper).get(record_url(subject)).content.decode()
        assert "希望减少夜间值班" in page
        assert "家属反映睡眠差" in page
        assert "母亲病重住院" in page
        assert "每 14 天谈心谈话" in page
        actions_read = set(
            AuditEvent.objects.filter(id__gt=before).values_list("action", flat=True)
        )
        assert {"care.record.read", "talk.person", "attention.read"} <= actions_read
        event = AuditEvent.objects.get(action="care.record.read")
        assert {"talks", "visits", "key_attention"} <= set(event.changes["sections"])

    def test_empty_sections_and_modules_not_yet_built_say_so(
        self, keeper: User, subject: Person
    ) -> None:
        page = logged_in(keeper).get(record_url(subject)).content.decode()
        for heading in ("谈心谈话", "走访慰问", "重点关注"):
            assert heading in page
        assert page.count("暂无记录") >= 5
        assert "心理咨询模块尚未启用" in page
        assert "暂无培训记录" in page
        assert "紧急调阅</strong>" not in page

    def test_a_record_keeper_outside_scope_gets_404_without_break_glass(
        self, outsider: User, subject: Person
    ) -> None:
        assert logged_in(outsider).get(record_url(subject)).status_code == 404
        assert not AuditEvent.objects.filter(action="care.record.read").exists()

    def test_an_unknown_person_is_404(self, keeper: User, subject: Person) -> None:
        url = reverse("care:record", args=["00000000-0000-4000-8000-000000000000"])
        assert logged_in(keeper).get(url).status_code == 404

    @pytest.mark.parametrize(
        "role",
        [
            Role.PROGRAMME_ADMIN,
            Role.LIAISON,
            Role.COUNSELLOR,
            Role.TALK_OFFICER,
            Role.LEADER,
            Role.AUDIT_ADMIN,
            Role.SECURITY_ADMIN,
            Role.SYSTEM_ADMIN,
        ],
    )
    def test_other_roles_are_refused(self, role: str, city: City, subject: Person) -> None:
        user = make_user(f"user-{role}", (role, city.city))
        assert logged_in(user).get(record_url(subject)).status_code in (403, 404)

    def test_a_cadre_is_refused_even_for_their_own_record(self, consenting: User) -> None:
        assert logged_in(consenting).get(record_url(consenting.person)).status_code == 403

    def test_it_needs_login(self, subject: Person) -> None:
        from django.test import Client

        response = Client().get(record_url(subject))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


class RecordSearchTestCase:
    def test_it_finds_people_in_scope_by_name_or_unit(
        self, keeper: User, subject: Person, city: City, make_person: Callable[..., Person]
    ) -> None:
        make_person(unit=city.district_b, name="赵二")
        client = logged_in(keeper)
        people = client.get(reverse("care:record-search"), {"q": "赵"}).context["people"]
        assert people == [subject]
        by_unit = client.get(reverse("care:record-search"), {"q": "海滨街道"}).context["people"]
        assert subject in by_unit
        page = client.get(reverse("care:record-search"), {"q": "赵"}).content.decode()
        assert record_url(subject) in page

    def test_it_says_when_nobody_is_found(self, keeper: User, subject: Person) -> None:
        page = logged_in(keeper).get(reverse("care:record-search"), {"q": "无此人"})
        assert "没有找到该干部" in page.content.decode()

    def test_warning_and_case_pages_link_to_the_record(
        self, keeper: User, subject: Person, open_case: Callable[..., CrisisCase]
    ) -> None:
        case = open_case()
        client = logged_in(keeper)
        assert case.warning is not None
        warning_page = client.get(reverse("care:warning-detail", args=[case.warning.pk]))
        assert record_url(subject) in warning_page.content.decode()
        case_page = client.get(reverse("care:case-detail", args=[case.pk]))
        assert record_url(subject) in case_page.content.decode()

    def test_the_assigned_counsellor_sees_no_link_to_the_record(
        self, keeper: User, counsellor: User, subject: Person, open_case: Callable[..., CrisisCase]
    ) -> None:
        case = open_case()
        actions.do_assign(keeper, case.pk, counsellor.pk)
        page = logged_in(counsellor).get(reverse("care:case-detail", args=[case.pk]))
        assert page.status_code == 200
        assert record_url(subject) not in page.content.decode()
