from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from datetime import datetime, timedelta
from uuid import UUID

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from conftest import City, logged_in, make_user
from sunflower.accounts.models import User
from sunflower.audit.models import AuditEvent
from sunflower.notifications.models import Message
from sunflower.orgs.models import Person
from sunflower.training import compliance
from sunflower.training.compliance import LOCAL, Period
from sunflower.training.models import Attendance, AttendanceSource
from sunflower.training.tests.samples import make_course, make_session

pytestmark = pytest.mark.django_db


def attend(person: Person, starts_at: datetime, *, counts: bool = True) -> Attendance:
    course = make_course(person.unit, counts=counts, year=starts_at.year)
    session = make_session(course, starts_at)
    return Attendance.objects.create(
        session=session, person=person, checked_in_at=starts_at, source=AttendanceSource.ROLL
    )


class PeriodTestCase:
    def test_it_turns_the_half_year_at_beijing_midnight(
        self, make_person: Callable[..., Person]
    ) -> None:
        last_evening, first_morning = make_person(), make_person()
        attend(last_evening, datetime.fromisoformat("2026-06-30T15:00:00+00:00"))  # 23:00
        attend(first_morning, datetime.fromisoformat("2026-06-30T16:00:00+00:00"))  # 00:00
        with time_machine.travel("2026-06-30T15:59:59Z", tick=False):
            period = compliance.current_period()
            assert period == Period(2026, 1)
            assert compliance.is_compliant(last_evening, period)
            assert not compliance.is_compliant(first_morning, period)
        with time_machine.travel("2026-06-30T16:00:00Z", tick=False):
            period = compliance.current_period()
            assert period == Period(2026, 2)
            assert not compliance.is_compliant(last_evening, period)
            assert compliance.is_compliant(first_morning, period)

    def test_it_lists_the_recent_half_years_in_order(self) -> None:
        assert Period(2026, 2).end == datetime(2027, 1, 1, tzinfo=LOCAL)
        assert compliance.recent_periods(Period(2026, 1), 3) == [
            Period(2025, 1), Period(2025, 2), Period(2026, 1)
        ]  # fmt: skip


class ComplianceTestCase:
    def test_attendance_counts_in_its_own_half_year_only(
        self, make_person: Callable[..., Person]
    ) -> None:
        before = make_person()
        after = make_person()
        attend(before, datetime(2026, 6, 30, 23, 0, tzinfo=LOCAL))  # H1, the last hour
        attend(after, datetime(2026, 7, 1, 0, 30, tzinfo=LOCAL))  # H2, the first hour
        ids = [before.pk, after.pk]
        assert compliance.compliant_ids(ids, Period(2026, 1)) == {before.pk}
        assert compliance.compliant_ids(ids, Period(2026, 2)) == {after.pk}

    def test_a_course_that_does_not_count_does_not_count(
        self, make_person: Callable[..., Person]
    ) -> None:
        person = make_person()
        attend(person, datetime(2026, 3, 3, 9, tzinfo=LOCAL), counts=False)
        assert not compliance.is_compliant(person, Period(2026, 1))

    def test_a_cancelled_session_does_not_count(self, make_person: Callable[..., Person]) -> None:
        person = make_person()
        row = attend(person, datetime(2026, 3, 3, 9, tzinfo=LOCAL))
        row.session.cancelled_at = row.session.starts_at
        row.session.save()
        assert not compliance.is_compliant(person, Period(2026, 1))

    def test_other_sources_register_their_completions(
        self, make_person: Callable[..., Person]
    ) -> None:
        person = make_person()

        def lessons(ids: Collection[UUID], start: datetime, end: datetime) -> set[UUID]:
            return {person.pk} if start == Period(2026, 1).start else set()

        compliance.register_completion_source(lessons)
        try:
            assert compliance.is_compliant(person, Period(2026, 1))
            assert not compliance.is_compliant(person, Period(2026, 2))
        finally:
            compliance._sources.remove(lessons)

    def test_rates_are_suppressed_below_the_threshold(
        self, city: City, make_person: Callable[..., Person]
    ) -> None:
        people = [make_person(unit=city.town_a1) for _ in range(12)]
        for person in people[:9]:
            attend(person, datetime(2026, 2, 2, 9, tzinfo=LOCAL))
        make_person(unit=city.district_b)
        total, rows = compliance.unit_rates(city.city, Period(2026, 1))
        assert total.total == 13
        # 9 compliant, 4 not: both below 10, hidden; no rate.
        assert (total.compliant, total.non_compliant, total.rate) == ("<10", "<10", "—")
        assert [r.unit for r in rows] == [city.district_a, city.district_b]

    def test_a_liaison_sees_their_non_compliant_cadres_by_name(
        self, city: City, alice: User, make_person: Callable[..., Person]
    ) -> None:
        done = make_person(unit=city.town_a1, name="已完成")
        make_person(unit=city.town_a1, name="未完成甲")
        make_person(unit=city.district_b, name="外区未完成")
        with time_machine.travel(datetime(2026, 5, 10, 10, tzinfo=LOCAL), tick=False):
            attend(done, datetime(2026, 3, 3, 9, tzinfo=LOCAL))
            page = logged_in(alice).get(reverse("training:non-compliant")).content.decode()
        assert "未完成甲" in page
        assert "已完成" not in page.split("non-compliant")[-1]
        assert "外区未完成" not in page

    def test_the_export_is_audited(self, city: City, alice: User) -> None:
        response = logged_in(alice).get(reverse("training:non-compliant-export"))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert AuditEvent.objects.filter(action="training.compliance_export").count() == 1

    def test_the_overview_page_shows_the_trend(self, city: City, bob: User) -> None:
        page = logged_in(bob).get(reverse("training:compliance")).content.decode()
        assert "最近四个半年的完成率" in page


@pytest.fixture
def district(city: City, make_person: Callable[..., Person]) -> Iterator[dict[str, User]]:
    lazy = make_user("lazy", person=make_person(unit=city.town_a1))
    keen = make_user("keen", person=make_person(unit=city.town_a1))
    liaison = make_user("liaison-a", ("liaison", city.district_a))
    other = make_user("liaison-b", ("liaison", city.district_b))
    yield {"lazy": lazy, "keen": keen, "liaison": liaison, "other": other}


class ReminderTestCase:
    @override_settings(SUNFLOWER_TRAINING_REMINDER_WEEKS=4)
    def test_it_reminds_only_in_the_last_weeks_and_once(self, district: dict[str, User]) -> None:
        assert district["keen"].person is not None
        attend(district["keen"].person, datetime(2026, 2, 2, 9, tzinfo=LOCAL))
        early = datetime(2026, 5, 1, 9, tzinfo=LOCAL)
        assert compliance.send_reminders(early) == 0
        due = datetime(2026, 6, 10, 9, tzinfo=LOCAL)
        assert compliance.send_reminders(due) == 2  # the lazy cadre and their liaison
        assert compliance.send_reminders(due + timedelta(days=1)) == 0
        assert (
            Message.objects.filter(recipient=district["lazy"], kind="training.reminder").count()
            == 1
        )
        liaison_note = Message.objects.get(recipient=district["liaison"])
        assert "1 名干部" in liaison_note.text
        assert not Message.objects.filter(recipient=district["keen"]).exists()
        assert not Message.objects.filter(recipient=district["other"]).exists()

    def test_it_reminds_a_liaison_who_is_also_a_non_compliant_cadre_as_both(
        self, city: City, make_person: Callable[..., Person]
    ) -> None:
        both = make_user(
            "liaison-cadre", ("liaison", city.district_a), person=make_person(unit=city.town_a1)
        )
        assert compliance.send_reminders(datetime(2026, 6, 10, 9, tzinfo=LOCAL)) == 2
        links = set(Message.objects.filter(recipient=both).values_list("link", flat=True))
        assert links == {reverse("training-portal:sessions"), reverse("training:non-compliant")}

    def test_it_counts_a_cadre_once_for_a_liaison_with_overlapping_grants(
        self, district: dict[str, User], city: City
    ) -> None:
        from sunflower.accounts.models import RoleAssignment

        RoleAssignment.objects.create(user=district["liaison"], role="liaison", unit=city.town_a1)
        compliance.send_reminders(datetime(2026, 6, 10, 9, tzinfo=LOCAL))
        note = Message.objects.get(recipient=district["liaison"])
        assert "还有 2 名干部" in note.text  # the lazy and the keen cadre, once each

    def test_a_new_half_year_reminds_again(self, district: dict[str, User]) -> None:
        compliance.send_reminders(datetime(2026, 6, 10, 9, tzinfo=LOCAL))
        compliance.send_reminders(datetime(2026, 12, 10, 9, tzinfo=LOCAL))
        assert Message.objects.filter(recipient=district["lazy"]).count() == 2
