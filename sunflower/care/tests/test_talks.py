"""Talks, visits and assignments through HTTP and the actions: who may record, who may read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import City, logged_in, make_user
from sunflower.accounts.models import Role, User
from sunflower.audit.models import AuditEvent
from sunflower.care import talks
from sunflower.care.actions import CareError
from sunflower.care.models_talks import MeetingStatus, Talk, TalkAssignment, Visit
from sunflower.orgs.models import Person

NOTE = "谈到家中老人住院，近期睡眠不好"


@pytest.fixture
def assigned(keeper: User, talk_officer: User, subject: Person) -> TalkAssignment:
    return talks.do_assign(keeper, subject.pk, talk_officer.pk)


@pytest.fixture
def other_officer(city: City) -> User:
    return make_user("other-officer", (Role.TALK_OFFICER, city.district_a))


def record_talk(officer: User, person: Person, **overrides: object) -> Talk:
    details = talks.talk_details("routine", ["work", "life"], 3, needs="希望调整值班", notes=NOTE)
    held_at = overrides.pop("held_at", timezone.now() - timedelta(hours=1))
    return talks.do_record_talk(officer, person.pk, held_at, details, **overrides)  # type: ignore[arg-type]


def talk_url(talk: Talk) -> str:
    return reverse("care:talk-detail", args=[talk.pk])


def talk_form(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "targeted",
        "when": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "areas": ["thinking", "work"],
        "pressure": "4",
        "needs": "希望减少夜间值班",
        "actions": "与科室负责人沟通排班",
        "notes": NOTE,
        "next_date": (timezone.localdate() + timedelta(days=14)).isoformat(),
        "intent": "record",
    }
    data.update(fields)
    return data


class RecordTalkTestCase:
    def test_the_assigned_officer_records_a_talk_and_reads_it(
        self, talk_officer: User, subject: Person, assigned: TalkAssignment
    ) -> None:
        client = logged_in(talk_officer)
        response = client.post(reverse("care:talk-create", args=[subject.pk]), talk_form())
        talk = Talk.objects.get()
        assert response.status_code == 302
        assert response["Location"] == talk_url(talk)
        assert talk.status == MeetingStatus.DONE
        details = talk.get_details()
        assert (details.kind, details.areas, details.pressure) == (
            "targeted",
            ["thinking", "work"],
            4,
        )
        page = client.get(talk_url(talk)).content.decode()
        assert NOTE in page
        assert "与科室负责人沟通排班" in page
        assert AuditEvent.objects.filter(action="talk.recorded").count() == 1
        assert AuditEvent.objects.filter(action="talk.read", actor=talk_officer).count() == 1

    def test_it_plans_a_talk_and_records_it_later(
        self, talk_officer: User, subject: Person, assigned: TalkAssignment
    ) -> None:
        client = logged_in(talk_officer)
        later = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
        client.post(
            reverse("care:talk-create", args=[subject.pk]),
            {"kind": "return_to_work", "when": later, "intent": "plan"},
        )
        talk = Talk.objects.get()
        assert talk.status == MeetingStatus.PLANNED
        assert talk.get_details().kind == "return_to_work"
        response = client.post(talk_url(talk), talk_form(kind="return_to_work"))
        assert response.status_code == 302
        talk.refresh_from_db()
        assert talk.status == MeetingStatus.DONE
        assert talk.get_details().notes == NOTE

    def test_it_needs_areas_and_pressure_to_record(
        self, talk_officer: User, subject: Person, assigned: TalkAssignment
    ) -> None:
        response = logged_in(talk_officer).post(
            reverse("care:talk-create", args=[subject.pk]), talk_form(areas=[], pressure="")
        )
        assert response.status_code == 200
        assert "请选择谈话涉及的方面" in response.content.decode()
        assert not Talk.objects.exists()

    def test_it_refuses_a_talk_held_in_the_future(
        self, talk_officer: User, subject: Person, assigned: TalkAssignment
    ) -> None:
        with pytest.raises(CareError):
            record_talk(talk_officer, subject, held_at=timezone.now() + timedelta(days=1))
        assert not Talk.objects.exists()

    def test_an_officer_not_assigned_may_not_record(
        self, other_officer: User, subject: Person, assigned: TalkAssignment
    ) -> None:
        client = logged_in(other_officer)
        assert client.get(reverse("care:talk-create", args=[subject.pk])).status_code == 404
        assert (
            client.post(reverse("care:talk-create", args=[subject.pk]), talk_form()).status_code
            == 404
        )
        with pytest.raises(CareError):
            record_talk(other_officer, subject)
        assert not Talk.objects.exists()


class TalkNotesAccessTestCase:
    def test_a_keeper_in_scope_reads_the_notes(
        self, keeper: User, talk_officer: User, subject: Person, assigned: TalkAssignment
    ) -> None:
        talk = record_talk(talk_officer, subject)
        response = logged_in(keeper).get(talk_url(talk))
        assert response.status_code == 200
        assert NOTE in response.content.decode()
        event = AuditEvent.objects.get(action="talk.read", actor=keeper)
        assert event.actor_role == Role.RECORD_KEEPER

    def test_a_keeper_of_another_scope_gets_404(
        self, outsider: User, talk_officer: User, subject: Person, assigned: TalkAssignment
    ) -> None:
        talk = record_talk(talk_officer, subject)
        client = logged_in(outsider)
        assert client.get(talk_url(talk)).status_code == 404
        assert client.get(reverse("care:talk-person", args=[subject.pk])).status_code == 404
        assert not AuditEvent.objects.filter(action="talk.read").exists()

    def test_an_officer_not_assigned_gets_404(
        self, other_officer: User, talk_officer: User, subject: Person, assigned: TalkAssignment
    ) -> None:
        talk = record_talk(talk_officer, subject)
        assert logged_in(other_officer).get(talk_url(talk)).status_code == 404

    def test_another_assigned_officer_does_not_read_a_colleagues_notes(
        self,
        keeper: User,
        other_officer: User,
        talk_officer: User,
        subject: Person,
        assigned: TalkAssignment,
    ) -> None:
        talks.do_assign(keeper, subject.pk, other_officer.pk)
        talk = record_talk(talk_officer, subject)
        client = logged_in(other_officer)
        assert client.get(talk_url(talk)).status_code == 404
        page = client.get(reverse("care:talk-person", args=[subject.pk]))
        assert page.context["found"].talks == []

    def test_the_officer_loses_access_when_the_assignment_ends(
        self, keeper: User, talk_officer: User, subject: Person, assigned: TalkAssignment
    ) -> None:
        talk = record_talk(talk_officer, subject)
        talks.do_end_assignment(keeper, assigned.pk)
        assert logged_in(talk_officer).get(talk_url(talk)).status_code == 404

    @pytest.mark.parametrize("who", ["alice", "bob", "counsellor", "cadre_self"])
    def test_other_roles_are_denied(
        self,
        who: str,
        request: pytest.FixtureRequest,
        talk_officer: User,
        subject: Person,
        assigned: TalkAssignment,
    ) -> None:
        talk = record_talk(talk_officer, subject)
        visit = talks.do_record_visit(
            talk_officer, subject.pk, timezone.now(), talks.visit_details("home", "家中", NOTE)
        )
        if who == "cadre_self":  # the cadre the talk is about
            user = make_user("subject-self", person=subject)
        else:
            user = request.getfixturevalue(who)
        client = logged_in(user)
        for url in (
            talk_url(talk),
            reverse("care:visit-detail", args=[visit.pk]),
            reverse("care:talk-person", args=[subject.pk]),
        ):
            response = client.get(url)
            assert response.status_code in (403, 404), url
            assert NOTE not in response.content.decode()
        assert not AuditEvent.objects.filter(action__in=["talk.read", "visit.read"]).exists()


class VisitTestCase:
    def test_the_officer_records_a_visit_and_the_keeper_reads_it(
        self, keeper: User, talk_officer: User, subject: Person, assigned: TalkAssignment
    ) -> None:
        response = logged_in(talk_officer).post(
            reverse("care:visit-create", args=[subject.pk]),
            {
                "kind": "hospital",
                "when": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "place": "市人民医院",
                "notes": NOTE,
                "follow_up": "出院后返岗谈话",
                "intent": "record",
            },
        )
        visit = Visit.objects.get()
        assert response["Location"] == reverse("care:visit-detail", args=[visit.pk])
        assert visit.get_details().kind == "hospital"
        page = logged_in(keeper).get(reverse("care:visit-detail", args=[visit.pk]))
        assert NOTE in page.content.decode()

    def test_a_visit_needs_a_place(
        self, talk_officer: User, subject: Person, assigned: TalkAssignment
    ) -> None:
        with pytest.raises(CareError):
            talks.do_record_visit(
                talk_officer, subject.pk, timezone.now(), talks.visit_details("home", "")
            )


class MyCadresTestCase:
    def test_it_lists_assigned_cadres_with_overdue_first(
        self,
        keeper: User,
        talk_officer: User,
        subject: Person,
        assigned: TalkAssignment,
        make_person: Callable[..., Person],
    ) -> None:
        calm = make_person(name="钱二")
        talks.do_assign(keeper, calm.pk, talk_officer.pk)
        record_talk(
            talk_officer,
            subject,
            held_at=timezone.now() - timedelta(days=40),
            next_date=timezone.localdate() - timedelta(days=10),
        )
        response = logged_in(talk_officer).get(reverse("care:talk-cadres"))
        rows = response.context["rows"]
        assert [(row.person.name, row.overdue) for row in rows] == [("赵一", True), ("钱二", False)]
        assert "逾期" in response.content.decode()
        assert NOTE not in response.content.decode()

    def test_it_shows_an_empty_state(self, talk_officer: User) -> None:
        response = logged_in(talk_officer).get(reverse("care:talk-cadres"))
        assert "还没有分配给您的干部" in response.content.decode()


class AssignmentTestCase:
    def test_a_keeper_assigns_and_ends(
        self, keeper: User, talk_officer: User, subject: Person
    ) -> None:
        client = logged_in(keeper)
        page = client.get(reverse("care:talk-assign", args=[subject.pk]))
        assert str(talk_officer.pk) in page.content.decode()
        response = client.post(
            reverse("care:talk-assign", args=[subject.pk]),
            {"talk_officer": str(talk_officer.pk), "since": timezone.localdate().isoformat()},
        )
        assert response.status_code == 302
        assignment = TalkAssignment.objects.get()
        client.post(reverse("care:talk-assignment-end", args=[assignment.pk]))
        assignment.refresh_from_db()
        assert assignment.until == timezone.localdate()
        assert AuditEvent.objects.filter(action="talk_assignment.ended").count() == 1

    def test_a_programme_admin_in_scope_may_assign(
        self, bob: User, talk_officer: User, subject: Person
    ) -> None:
        talks.do_assign(bob, subject.pk, talk_officer.pk)
        assert TalkAssignment.objects.filter(talk_officer=talk_officer).exists()

    def test_it_refuses_an_officer_who_does_not_cover_the_cadre(
        self, keeper: User, city: City, subject: Person
    ) -> None:
        elsewhere = make_user("west-officer", (Role.TALK_OFFICER, city.district_b))
        with pytest.raises(CareError):
            talks.do_assign(keeper, subject.pk, elsewhere.pk)

    def test_a_keeper_of_another_scope_may_not_assign(
        self, outsider: User, talk_officer: User, subject: Person
    ) -> None:
        assert (
            logged_in(outsider).get(reverse("care:talk-assign", args=[subject.pk])).status_code
            == 404
        )
        with pytest.raises(CareError):
            talks.do_assign(outsider, subject.pk, talk_officer.pk)

    def test_it_refuses_a_second_open_assignment_of_the_same_pair(
        self, keeper: User, talk_officer: User, subject: Person, assigned: TalkAssignment
    ) -> None:
        with pytest.raises(CareError):
            talks.do_assign(keeper, subject.pk, talk_officer.pk)


class CountsTestCase:
    def test_admins_see_suppressed_counts_only(
        self,
        settings: object,
        bob: User,
        keeper: User,
        talk_officer: User,
        make_person: Callable[..., Person],
    ) -> None:
        settings.SUNFLOWER_MIN_CELL = 5  # type: ignore[attr-defined]
        people = [make_person(name=f"谈话对象{i}") for i in range(6)]
        for person in people:
            talks.do_assign(keeper, person.pk, talk_officer.pk)
            record_talk(talk_officer, person)
        response = logged_in(bob).get(reverse("care:talk-counts"))
        assert response.status_code == 200
        table = response.context["table"]
        cells = {(row.unit.name, row.own_level): row.cells for row in table.rows}
        assert cells[("东港区", False)] == ["<5", 6, "<5"]
        assert cells[("西湖区", False)] == ["<5", "<5", "<5"]
        page = response.content.decode()
        assert "谈话对象0" not in page
        assert NOTE not in page

    def test_a_record_keeper_or_talk_officer_has_no_counts_page(
        self, keeper: User, talk_officer: User
    ) -> None:
        assert logged_in(keeper).get(reverse("care:talk-counts")).status_code == 403
        assert logged_in(talk_officer).get(reverse("care:talk-counts")).status_code == 403
