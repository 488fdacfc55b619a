from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from conftest import City, logged_in
from sunflower.accounts.models import User
from sunflower.audit.models import AuditEvent
from sunflower.orgs.models import Person
from sunflower.training import attendance
from sunflower.training.models import Attendance, AttendanceSource, Enrolment, Session
from sunflower.training.tests.samples import make_course, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(city: City) -> Session:
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    return make_session(make_course(city.city), start - timedelta(days=1), hours=3)


def sheet(*rows: list[Any], header: tuple[str, ...] = attendance.COLUMNS) -> io.BytesIO:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(list(header))
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


class AttendanceImportTestCase:
    def test_a_good_sheet_is_applied_and_audited(
        self, session: Session, alice: User, make_person: Callable[..., Person]
    ) -> None:
        a, b = make_person(name="甲"), make_person(name="乙")
        report = attendance.do_import_sheet(
            alice,
            session,
            sheet(["甲", a.id_number, "", "09:20", "", ""], ["乙", "", b.mobile, "", "否", "是"]),
        )
        assert report.ok and report.applied and report.created == 2
        first = Attendance.objects.get(person=a)
        assert first.late and first.source == AttendanceSource.IMPORT  # 09:20 > 09:10
        second = Attendance.objects.get(person=b)
        assert not second.late and second.left_early
        assert AuditEvent.objects.filter(action="training.attendance_create").count() == 2

    def test_a_bad_row_applies_nothing(
        self, session: Session, alice: User, make_person: Callable[..., Person], city: City
    ) -> None:
        good = make_person(name="甲")
        outside = make_person(name="丙", unit=city.district_b)
        report = attendance.do_import_sheet(
            alice,
            session,
            sheet(
                ["甲", good.id_number, "", "", "", ""],
                ["乙", "123", "", "", "", ""],
                ["丙", outside.id_number, "", "", "", ""],
                ["甲", good.id_number, "", "25:99", "也许", ""],
            ),
        )
        assert not report.applied
        assert {(e.row, e.column) for e in report.errors} == {
            (3, "身份证号"), (4, "身份证号"), (5, "签到时间"), (5, "迟到"), (5, "姓名"),
        }  # fmt: skip
        assert not Attendance.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="training.attendance").exists()

    def test_a_name_that_does_not_match_is_an_error(
        self, session: Session, alice: User, make_person: Callable[..., Person]
    ) -> None:
        person = make_person(name="甲")
        report = attendance.do_import_sheet(alice, session, sheet(["乙", person.id_number]))
        assert [(e.row, e.column) for e in report.errors] == [(2, "姓名")]

    def test_it_keeps_late_and_early_marks_when_the_cells_are_blank(
        self, session: Session, alice: User, make_person: Callable[..., Person]
    ) -> None:
        scanned, rolled = make_person(name="甲"), make_person(name="乙")
        Attendance.objects.create(
            session=session,
            person=scanned,
            checked_in_at=session.starts_at + timedelta(minutes=20),
            source=AttendanceSource.QR,
            late=True,
        )
        Attendance.objects.create(
            session=session,
            person=rolled,
            checked_in_at=session.starts_at,
            source=AttendanceSource.ROLL,
            left_early=True,
        )
        report = attendance.do_import_sheet(
            alice,
            session,
            sheet(
                ["甲", scanned.id_number, "", "", "", ""], ["乙", rolled.id_number, "", "", "", ""]
            ),
        )
        assert report.applied and report.updated == 0
        assert Attendance.objects.get(person=scanned).late
        assert Attendance.objects.get(person=rolled).left_early
        report = attendance.do_import_sheet(
            alice, session, sheet(["乙", rolled.id_number, "", "", "", "否"])
        )
        assert report.updated == 1
        assert not Attendance.objects.get(person=rolled).left_early  # a "否" does clear it

    def test_it_refuses_an_import_before_the_session_opens(
        self, city: City, alice: User, make_person: Callable[..., Person]
    ) -> None:
        later = make_session(make_course(city.city), timezone.now() + timedelta(hours=2))
        person = make_person(name="甲")
        report = attendance.do_import_sheet(alice, later, sheet(["甲", person.id_number]))
        assert not report.applied and "还没有开始" in report.file_errors[0]
        assert not Attendance.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="training.attendance").exists()

    def test_it_refuses_a_file_without_the_columns(self, session: Session, alice: User) -> None:
        report = attendance.do_import_sheet(alice, session, sheet(["x"], header=("名字",)))
        assert report.file_errors and not report.applied

    def test_the_upload_page_lists_errors_with_rows_and_columns(
        self, session: Session, alice: User
    ) -> None:
        upload = SimpleUploadedFile("s.xlsx", sheet(["甲", "123"]).getvalue())
        response = logged_in(alice).post(
            reverse("training:session-import", args=[session.pk]), {"file": upload}
        )
        page = response.content.decode()
        assert "未导入任何数据" in page and "<td>2</td><td>身份证号</td>" in page

    def test_the_template_has_the_columns(self, alice: User) -> None:
        response = logged_in(alice).get(reverse("training:attendance-template"))
        book = load_workbook(io.BytesIO(response.content))
        assert [c.value for c in book["签到表"][1]] == list(attendance.COLUMNS)


class RollTestCase:
    def test_the_roll_records_marks_and_removals_audited(
        self, session: Session, alice: User, make_person: Callable[..., Person]
    ) -> None:
        a, b = make_person(), make_person()
        for person in (a, b):
            Enrolment.objects.create(session=session, person=person)
        client = logged_in(alice)
        url = reverse("training:session-roll", args=[session.pk])
        client.post(url, {**shown(client, url), "present": [str(a.pk), str(b.pk)],
                          "late": [str(b.pk)]})  # fmt: skip
        assert Attendance.objects.get(person=b).late
        client.post(url, {**shown(client, url), "present": [str(a.pk)], "early": [str(a.pk)]})
        assert Attendance.objects.get(person=a).left_early
        assert not Attendance.objects.filter(person=b).exists()
        actions = sorted(  # within one roll, the lines go by unit and name
            AuditEvent.objects.filter(action__startswith="training.attendance").values_list(
                "action", flat=True
            )
        )
        assert actions == [
            "training.attendance_create", "training.attendance_create",
            "training.attendance_delete", "training.attendance_update",
        ]  # fmt: skip

    def test_a_liaison_of_another_district_sees_nobody(
        self, session: Session, charlie: User, make_person: Callable[..., Person]
    ) -> None:
        Enrolment.objects.create(session=session, person=make_person(name="东港某"))
        page = logged_in(charlie).get(reverse("training:session-roll", args=[session.pk]))
        assert page.status_code == 200  # a city-wide session reaches district B too
        assert "东港某" not in page.content.decode()

    def test_it_keeps_a_check_in_made_after_the_roll_was_loaded(
        self, session: Session, alice: User, make_person: Callable[..., Person]
    ) -> None:
        seen, late_scan, newcomer = make_person(), make_person(), make_person()
        for person in (seen, late_scan):
            Enrolment.objects.create(session=session, person=person)
        client = logged_in(alice)
        url = reverse("training:session-roll", args=[session.pk])
        form = shown(client, url)  # the liaison opens the roll: nobody checked in yet
        for person in (late_scan, newcomer):  # then two cadres scan the code
            Attendance.objects.create(
                session=session,
                person=person,
                checked_in_at=session.starts_at + timedelta(minutes=15),
                source=AttendanceSource.QR,
                late=True,
            )
        client.post(url, {**form, "present": [str(seen.pk)]})
        assert Attendance.objects.get(person=seen).source == AttendanceSource.ROLL
        for person in (late_scan, newcomer):
            kept = Attendance.objects.get(person=person)
            assert kept.source == AttendanceSource.QR and kept.late
        assert not AuditEvent.objects.filter(action="training.attendance_delete").exists()

    def test_it_refuses_a_roll_before_the_session_opens(
        self, city: City, alice: User, make_person: Callable[..., Person]
    ) -> None:
        later = make_session(make_course(city.city), timezone.now() + timedelta(hours=2))
        person = make_person()
        Enrolment.objects.create(session=later, person=person)
        client = logged_in(alice)
        url = reverse("training:session-roll", args=[later.pk])
        assert "还没有开始" in client.get(url).content.decode()
        response = client.post(url, {**shown(client, url), "present": [str(person.pk)]})
        assert "还没有开始，不能点名" in client.get(response["Location"]).content.decode()
        assert not Attendance.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="training.attendance").exists()


def shown(client: Any, url: str) -> dict[str, list[str]]:
    """The hidden fields of the roll form as the page shows it now."""
    page = client.get(url).content.decode()
    return {
        name: re.findall(rf'name="{name}" value="([^"]+)"', page)
        for name in ("shown", "shown_attendance")
    }
