from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from conftest import City, logged_in, make_user
from sunflower.accounts.models import User
from sunflower.audit.models import AuditEvent
from sunflower.orgs.models import Person
from sunflower.training import checkin
from sunflower.training.checkin import CheckinRefusedError, do_check_in, make_token
from sunflower.training.models import Attendance, Enrolment, Session
from sunflower.training.tests.samples import make_course, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(city: City) -> Session:
    start = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    return make_session(make_course(city.city), start, targets=[city.district_a])


class CheckinTokenTestCase:
    def test_it_accepts_the_current_and_the_previous_window(self, session: Session) -> None:
        now = timezone.now()
        token = make_token(session, now)
        assert checkin.read_token(token, now) == session.pk
        assert checkin.read_token(token, now + timedelta(seconds=30)) == session.pk

    def test_it_refuses_an_expired_token(self, session: Session) -> None:
        now = timezone.now()
        token = make_token(session, now)
        with pytest.raises(CheckinRefusedError, match="已过期"):
            checkin.read_token(token, now + timedelta(seconds=61))

    def test_it_refuses_a_token_from_the_future(self, session: Session) -> None:
        now = timezone.now()
        with pytest.raises(CheckinRefusedError, match="已过期"):
            checkin.read_token(make_token(session, now + timedelta(minutes=5)), now)

    def test_it_refuses_a_forged_token(self, session: Session) -> None:
        payload = {"s": session.pk, "w": checkin.window_index(), "n": "x"}
        forged = signing.dumps(payload, salt="another-salt")
        with pytest.raises(CheckinRefusedError, match="无效"):
            checkin.read_token(forged)
        genuine = make_token(session)
        tampered = genuine.replace(genuine.split(":")[0], signing.b64_encode(b'{"s":999}').decode())
        with pytest.raises(CheckinRefusedError, match="无效"):
            checkin.read_token(tampered)

    def test_each_token_is_different_within_one_window(self, session: Session) -> None:
        now = timezone.now()
        assert make_token(session, now) != make_token(session, now)


class CheckinTestCase:
    def test_it_checks_a_cadre_in_once(self, session: Session, cadre: User) -> None:
        first = do_check_in(cadre, make_token(session))
        second = do_check_in(cadre, make_token(session))
        assert first.created and not second.created
        assert second.attendance.pk == first.attendance.pk
        assert Attendance.objects.filter(session=session).count() == 1
        assert AuditEvent.objects.filter(action="training.checkin").count() == 1

    def test_a_double_scan_says_when_the_first_was(self, session: Session, cadre: User) -> None:
        client = logged_in(cadre)
        url = reverse("training-portal:checkin", args=[make_token(session)])
        assert "签到成功" in client.get(url).content.decode()
        again = client.get(reverse("training-portal:checkin", args=[make_token(session)]))
        first = Attendance.objects.get(session=session)
        time = timezone.localtime(first.checked_in_at).strftime("%H:%M")
        assert f"您已于 {time} 签到" in again.content.decode()
        assert Attendance.objects.count() == 1

    def test_a_token_names_its_own_session_only(
        self, session: Session, cadre: User, city: City
    ) -> None:
        other = make_session(session.course, session.starts_at, targets=[city.district_a])
        do_check_in(cadre, make_token(session))
        assert not Attendance.objects.filter(session=other).exists()

    def test_it_refuses_an_expired_code_through_the_page(
        self, session: Session, cadre: User
    ) -> None:
        token = make_token(session, timezone.now() - timedelta(seconds=90))
        response = logged_in(cadre).get(reverse("training-portal:checkin", args=[token]))
        assert response.status_code == 400
        assert "已过期" in response.content.decode()
        assert not Attendance.objects.exists()

    def test_it_refuses_a_cancelled_session(self, session: Session, cadre: User) -> None:
        session.cancelled_at = timezone.now()
        session.save()
        with pytest.raises(CheckinRefusedError, match="已经取消"):
            do_check_in(cadre, make_token(session))

    def test_it_refuses_an_ended_session(self, session: Session, cadre: User) -> None:
        after = session.ends_at + timedelta(seconds=5)
        with pytest.raises(CheckinRefusedError, match="已经结束"):
            do_check_in(cadre, make_token(session, after), now=after)

    def test_it_refuses_a_cadre_outside_the_targets_who_did_not_enrol(
        self, session: Session, city: City, make_person: Callable[..., Person]
    ) -> None:
        outsider = make_user("outsider", person=make_person(unit=city.district_b))
        with pytest.raises(CheckinRefusedError, match="不面向"):
            do_check_in(outsider, make_token(session))

    def test_it_admits_an_enrolled_cadre_outside_the_targets(
        self, session: Session, city: City, make_person: Callable[..., Person]
    ) -> None:
        outsider = make_user("outsider", person=make_person(unit=city.district_b))
        Enrolment.objects.create(session=session, person=outsider.person)
        assert do_check_in(outsider, make_token(session)).created

    def test_it_marks_late_arrivals(self, session: Session, cadre: User) -> None:
        on_time = do_check_in(cadre, make_token(session)).attendance
        assert not on_time.late
        later = session.starts_at + timedelta(minutes=11)
        with time_machine.travel(later, tick=False):
            other = make_user("late", person=Person.objects.create(
                name="迟到者", gender="M", birth_date="1985-03-12", id_number="37160219850312991X",
                mobile="13900009999", unit=cadre.person.unit,
            ))  # fmt: skip
            assert do_check_in(other, make_token(session, later), now=later).attendance.late

    def test_staff_without_a_person_cannot_check_in(self, session: Session, alice: User) -> None:
        with pytest.raises(CheckinRefusedError):
            do_check_in(alice, make_token(session))


class TrainerPageTestCase:
    def test_it_shows_a_code_that_links_to_the_checkin_page(
        self, session: Session, alice: User
    ) -> None:
        response = logged_in(alice).get(reverse("training:session-qr", args=[session.pk]))
        page = response.content.decode()
        assert "<svg" in page and "/m/training/checkin/" in page

    def test_the_code_endpoint_returns_a_fresh_token(self, session: Session, alice: User) -> None:
        data = logged_in(alice).get(reverse("training:session-qr-code", args=[session.pk])).json()
        token = data["url"].rstrip("/").rsplit("/", 1)[1]
        assert checkin.read_token(token) == session.pk
        assert data["svg"].startswith("<svg")

    def test_it_refuses_a_liaison_of_another_district(
        self, session: Session, charlie: User
    ) -> None:
        response = logged_in(charlie).get(reverse("training:session-qr", args=[session.pk]))
        assert response.status_code == 404

    def test_it_shows_no_code_for_a_cancelled_session(self, session: Session, alice: User) -> None:
        session.cancelled_at = timezone.now()
        session.save()
        page = logged_in(alice).get(reverse("training:session-qr", args=[session.pk]))
        assert "<svg" not in page.content.decode().split("qr-stage")[1]
        assert "已经取消" in page.content.decode()
