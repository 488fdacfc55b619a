from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import City, logged_in
from sunflower.accounts.models import User
from sunflower.audit.models import AuditEvent
from sunflower.notifications.models import Message
from sunflower.privacy.tests.pdftext import pdf_text
from sunflower.training import certificates
from sunflower.training.models import (
    Attendance,
    AttendanceSource,
    Enrolment,
    LessonProgress,
    Session,
    TrainingPlan,
)
from sunflower.training.tests.samples import make_course, make_session
from sunflower.training.tests.samples_lessons import make_course as make_online_course
from sunflower.training.tests.samples_lessons import make_lesson

pytestmark = pytest.mark.django_db


class PlanPagesTestCase:
    def test_a_programme_admin_creates_a_plan_course_and_session(
        self, city: City, bob: User
    ) -> None:
        client = logged_in(bob)
        client.post(
            reverse("training:plan-create"),
            {"unit": city.city.pk, "year": 2027, "title": "2027年度计划", "description": ""},
        )
        plan = TrainingPlan.objects.get()
        client.post(
            reverse("training:course-create", args=[plan.pk]),
            {"title": "压力管理", "mode": "party_school", "audience": "all_cadres",
             "counts_toward_requirement": "on", "hours": "2"},
        )  # fmt: skip
        course = plan.courses.get()
        client.post(
            reverse("training:session-create", args=[course.pk]),
            {"starts_at": "2027-03-03T09:00", "ends_at": "2027-03-03T11:00",
             "place": "党校", "capacity": 30, "target_units": [city.district_a.pk]},
        )  # fmt: skip
        session = course.sessions.get()
        assert list(session.target_units.all()) == [city.district_a]
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {
            "training.plan_create",
            "training.course_create",
            "training.session_create",
        } <= actions

    def test_the_list_has_an_empty_state(self, bob: User) -> None:
        page = logged_in(bob).get(reverse("training:plan-list")).content.decode()
        assert "还没有培训计划" in page

    def test_a_plan_outside_scope_is_not_found(self, city: City, alice: User, bob: User) -> None:
        from conftest import make_user

        plan = TrainingPlan.objects.create(unit=city.district_b, year=2026, title="西湖区计划")
        admin_a = make_user("admin-a", ("programme_admin", city.district_a))
        assert (
            logged_in(admin_a).get(reverse("training:plan-detail", args=[plan.pk])).status_code
            == 404
        )
        assert (
            logged_in(bob).get(reverse("training:plan-detail", args=[plan.pk])).status_code == 200
        )

    def test_cancelling_a_session_asks_first_and_tells_the_enrolled(
        self, city: City, bob: User, cadre: User
    ) -> None:
        session = make_session(make_course(city.city))
        Enrolment.objects.create(session=session, person=cadre.person)
        client = logged_in(bob)
        url = reverse("training:session-cancel", args=[session.pk])
        assert "确认取消场次" in client.get(url).content.decode()
        client.post(url, {"reason": "讲师临时有事"})
        session.refresh_from_db()
        assert session.cancelled_at is not None
        assert Message.objects.filter(recipient=cadre, kind="training.cancelled").exists()


class PortalTestCase:
    def test_the_record_offers_a_certificate_pdf(self, city: City, cadre: User) -> None:
        session = make_session(make_course(city.city), timezone.now() - timedelta(days=3))
        row = Attendance.objects.create(
            session=session,
            person=cadre.person,
            checked_in_at=session.starts_at,
            source=AttendanceSource.QR,
        )
        client = logged_in(cadre)
        page = client.get(reverse("training-portal:record")).content.decode()
        url = reverse("training-portal:certificate", args=[row.pk])
        assert url in page
        response = client.get(url)
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        text = "".join(pdf_text(response.content).split())
        assert "培训结业证明" in text
        assert "王小明同志" in text and "干部心理健康与压力管理" in text
        assert "市委党校报告厅" in text and "滨海市" in text
        assert certificates.serial(row) in text

    def test_it_offers_a_certificate_for_a_completed_lesson(self, city: City, cadre: User) -> None:
        lesson = make_lesson(
            make_online_course(city.city, title="情绪调适线上课"), title="正念呼吸"
        )
        progress = LessonProgress.objects.create(
            person=cadre.person, lesson=lesson, furthest_seconds=100, completed_at=timezone.now()
        )
        client = logged_in(cadre)
        url = reverse("training-portal:lesson-certificate", args=[lesson.pk])
        assert url in client.get(reverse("training-portal:record")).content.decode()
        assert url in client.get(reverse("lessons:my-progress")).content.decode()
        response = client.get(url)
        assert response["Content-Type"] == "application/pdf"
        text = "".join(pdf_text(response.content).split())
        assert "培训结业证明" in text
        assert "王小明同志" in text and "情绪调适线上课" in text and "正念呼吸" in text
        assert certificates.lesson_serial(progress) in text

    def test_it_has_no_lesson_certificate_until_completed_nor_for_others(
        self, city: City, cadre: User, make_person: object
    ) -> None:
        from conftest import make_user

        other = make_user("other", person=make_person())  # type: ignore[operator]
        counting = make_lesson(make_online_course(city.city))
        optional = make_lesson(make_online_course(city.city, counts=False, title="选修课"))
        LessonProgress.objects.create(person=cadre.person, lesson=counting, furthest_seconds=50)
        LessonProgress.objects.create(
            person=cadre.person, lesson=optional, furthest_seconds=100, completed_at=timezone.now()
        )
        LessonProgress.objects.create(
            person=other.person, lesson=counting, furthest_seconds=100, completed_at=timezone.now()
        )
        client = logged_in(cadre)
        for lesson in (counting, optional):
            url = reverse("training-portal:lesson-certificate", args=[lesson.pk])
            assert client.get(url).status_code == 404
        assert (
            "certificates/lessons/"
            not in client.get(reverse("training-portal:record")).content.decode()
        )

    def test_another_cadres_certificate_is_not_found(
        self, city: City, cadre: User, make_person: object
    ) -> None:
        from conftest import make_user

        other = make_user("other", person=make_person())  # type: ignore[operator]
        session = make_session(make_course(city.city), timezone.now() - timedelta(days=3))
        row = Attendance.objects.create(
            session=session, person=other.person, checked_in_at=session.starts_at, source="qr"
        )
        url = reverse("training-portal:certificate", args=[row.pk])
        assert logged_in(cadre).get(url).status_code == 404

    def test_a_course_that_does_not_count_has_no_certificate(self, city: City, cadre: User) -> None:
        session = make_session(
            make_course(city.city, counts=False), timezone.now() - timedelta(days=3)
        )
        row = Attendance.objects.create(
            session=session, person=cadre.person, checked_in_at=session.starts_at, source="qr"
        )
        url = reverse("training-portal:certificate", args=[row.pk])
        assert logged_in(cadre).get(url).status_code == 404

    def test_an_unpublished_course_is_invisible(self, city: City, cadre: User) -> None:
        session: Session = make_session(make_course(city.city, published=False))
        url = reverse("training-portal:session", args=[session.pk])
        assert logged_in(cadre).get(url).status_code == 404
