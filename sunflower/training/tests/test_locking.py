"""A QR scan, the roll and the import take the same session row lock, so that they are applied
one after another and never insert the same cadre's attendance twice (PostgreSQL only)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from conftest import City, make_user
from sunflower.accounts.models import User
from sunflower.orgs.models import Person
from sunflower.training import attendance, checkin
from sunflower.training.models import Attendance, AttendanceSource, Enrolment, Session
from sunflower.training.tests.samples import make_course, make_session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def session(city: City) -> Session:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    return make_session(make_course(city.city), timezone.now() - timedelta(minutes=5))


def in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:
            outcome.append(exc)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_it_checks_in_after_a_roll_holding_the_session(
    session: Session, cadre: User, alice: User
) -> None:
    assert cadre.person is not None
    with transaction.atomic():
        Session.objects.select_for_update().get(pk=session.pk)  # the roll has begun
        scan, outcome = in_thread(lambda: checkin.do_check_in(cadre, checkin.make_token(session)))
        scan.join(timeout=1.5)
        assert scan.is_alive(), "the scan did not wait for the session lock"
        Attendance.objects.create(  # the roll records the cadre, then commits
            session=session,
            person=cadre.person,
            checked_in_at=timezone.now(),
            source=AttendanceSource.ROLL,
            recorded_by=alice,
        )
    scan.join(timeout=10)
    (result,) = outcome
    assert isinstance(result, checkin.CheckinResult) and not result.created
    assert result.attendance.source == AttendanceSource.ROLL


def test_it_takes_the_roll_after_a_scan_holding_the_session(
    session: Session, alice: User, make_person: Callable[..., Person]
) -> None:
    person = make_person()
    Enrolment.objects.create(session=session, person=person)
    scanner = make_user("scanner", person=person)
    key = str(person.pk)
    with transaction.atomic():
        Session.objects.select_for_update().get(pk=session.pk)  # a scan has begun
        roll, outcome = in_thread(
            lambda: attendance.do_take_roll(
                alice, session, [key], [], [], shown=[key], shown_attendances=[]
            )
        )
        roll.join(timeout=1.5)
        assert roll.is_alive(), "the roll did not wait for the session lock"
        Attendance.objects.create(
            session=session,
            person=person,
            checked_in_at=timezone.now(),
            source=AttendanceSource.QR,
            recorded_by=scanner,
        )
    roll.join(timeout=10)
    (counts,) = outcome
    assert counts == {"created": 0, "updated": 0, "removed": 0}
    assert Attendance.objects.get(person=person).source == AttendanceSource.QR
