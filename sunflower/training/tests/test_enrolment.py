from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.urls import reverse

from conftest import City, logged_in, make_user
from sunflower.accounts.models import User
from sunflower.notifications.models import Message
from sunflower.orgs.models import Person
from sunflower.training import enrolment
from sunflower.training.actions import TrainingError
from sunflower.training.models import Enrolment, Session
from sunflower.training.tests.samples import make_course, make_session

ENROLLED, WAITING, CANCELLED = "enrolled", "waiting", "cancelled"


@pytest.fixture
def full_session(city: City) -> Session:
    return make_session(make_course(city.city), capacity=1)


def _cadres(make_person: Callable[..., Person], n: int) -> list[User]:
    return [make_user(f"c{i}", person=make_person()) for i in range(n)]


@pytest.mark.django_db
class EnrolmentTestCase:
    def test_the_transition_table_is_exhaustive(self) -> None:
        states = [None, ENROLLED, WAITING, CANCELLED]
        allowed = {(a, b) for a in states for b in states[1:] if enrolment.allowed(a, b)}
        assert allowed == {
            (None, ENROLLED), (None, WAITING), (ENROLLED, CANCELLED), (WAITING, ENROLLED),
            (WAITING, CANCELLED), (CANCELLED, ENROLLED), (CANCELLED, WAITING),
        }  # fmt: skip

    def test_a_full_session_puts_cadres_on_the_waiting_list(
        self, full_session: Session, make_person: Callable[..., Person]
    ) -> None:
        a, b, c = _cadres(make_person, 3)
        assert enrolment.do_enrol(a, full_session.pk, a.person).status == ENROLLED
        assert enrolment.do_enrol(b, full_session.pk, b.person).status == WAITING
        assert enrolment.do_enrol(c, full_session.pk, c.person).status == WAITING

    def test_a_cancellation_promotes_the_head_of_the_queue_and_tells_them(
        self, full_session: Session, make_person: Callable[..., Person]
    ) -> None:
        a, b, c = _cadres(make_person, 3)
        for user in (a, b, c):
            enrolment.do_enrol(user, full_session.pk, user.person)
        enrolment.do_cancel(a, full_session.pk, a.person)
        statuses = dict(Enrolment.objects.values_list("person_id", "status"))
        assert statuses == {a.person_id: CANCELLED, b.person_id: ENROLLED, c.person_id: WAITING}
        message = Message.objects.get(recipient=b, kind="training.promoted")
        assert "候补转为正式报名" in message.text
        assert not Message.objects.filter(recipient=c).exists()

    def test_enrolling_again_goes_to_the_back_of_the_queue(
        self, full_session: Session, make_person: Callable[..., Person]
    ) -> None:
        a, b, c = _cadres(make_person, 3)
        for user in (a, b, c):
            enrolment.do_enrol(user, full_session.pk, user.person)
        enrolment.do_cancel(b, full_session.pk, b.person)  # leaves the queue
        enrolment.do_enrol(b, full_session.pk, b.person)
        enrolment.do_cancel(a, full_session.pk, a.person)
        assert Enrolment.objects.get(person=c.person).status == ENROLLED
        assert Enrolment.objects.get(person=b.person).status == WAITING

    def test_more_places_promote_at_once(
        self, full_session: Session, make_person: Callable[..., Person], bob: User
    ) -> None:
        from sunflower.training import actions

        a, b = _cadres(make_person, 2)
        for user in (a, b):
            enrolment.do_enrol(user, full_session.pk, user.person)
        values = {k: getattr(full_session, k) for k in actions.SESSION_FIELDS}
        values["capacity"] = 2
        actions.do_save_session(bob, full_session.course, full_session, values, [])
        assert Enrolment.objects.get(person=b.person).status == ENROLLED

    def test_it_promotes_only_cadres_the_session_still_reaches(
        self, city: City, make_person: Callable[..., Person], bob: User
    ) -> None:
        from sunflower.training import actions

        session = make_session(make_course(city.city), capacity=1)
        first = make_user("first", person=make_person(unit=city.district_b))
        east = make_user("east", person=make_person(unit=city.town_a1))  # ahead in the queue
        west = make_user("west", person=make_person(unit=city.district_b))
        for user in (first, east, west):
            enrolment.do_enrol(user, session.pk, user.person)
        values = {k: getattr(session, k) for k in actions.SESSION_FIELDS}
        values["capacity"] = 2
        actions.do_save_session(bob, session.course, session, values, [city.district_b])
        assert Enrolment.objects.get(person=west.person).status == ENROLLED
        assert Enrolment.objects.get(person=east.person).status == WAITING
        assert not Message.objects.filter(recipient=east).exists()

    def test_it_refuses_a_second_enrolment(
        self, full_session: Session, make_person: Callable[..., Person]
    ) -> None:
        (a,) = _cadres(make_person, 1)
        enrolment.do_enrol(a, full_session.pk, a.person)
        with pytest.raises(TrainingError, match="已经报名"):
            enrolment.do_enrol(a, full_session.pk, a.person)

    def test_it_refuses_cadres_outside_the_targets(
        self, city: City, make_person: Callable[..., Person]
    ) -> None:
        session = make_session(make_course(city.city), targets=[city.district_a])
        outsider = make_user("o", person=make_person(unit=city.district_b))
        with pytest.raises(TrainingError, match="不面向"):
            enrolment.do_enrol(outsider, session.pk, outsider.person)

    def test_a_cadre_enrols_through_the_portal(self, full_session: Session, cadre: User) -> None:
        client = logged_in(cadre)
        client.post(reverse("training-portal:enrol", args=[full_session.pk]))
        assert Enrolment.objects.get(person=cadre.person).status == ENROLLED
        page = client.get(reverse("web:portal-learn")).content.decode()
        assert full_session.course.title in page

    def test_a_liaison_enrols_cadres_of_their_unit_only(
        self, full_session: Session, alice: User, city: City, make_person: Callable[..., Person]
    ) -> None:
        mine = make_person(unit=city.town_a1)
        theirs = make_person(unit=city.district_b)
        client = logged_in(alice)
        url = reverse("training:session-enrol", args=[full_session.pk])
        client.post(url, {"person": [str(mine.pk)]})
        assert Enrolment.objects.filter(person=mine).exists()
        assert client.post(url, {"person": [str(theirs.pk)]}).status_code == 404
        assert not Enrolment.objects.filter(person=theirs).exists()

    def test_it_answers_404_to_an_id_that_is_not_one_and_enrols_nobody(
        self, full_session: Session, alice: User, city: City, make_person: Callable[..., Person]
    ) -> None:
        mine = make_person(unit=city.town_a1)
        client = logged_in(alice)
        url = reverse("training:session-enrol", args=[full_session.pk])
        assert client.post(url, {"person": "abc"}).status_code == 404
        assert client.post(url, {"person": [str(mine.pk), "abc"]}).status_code == 404
        assert not Enrolment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_cancellations_promote_two_distinct_cadres(
    city: City, make_person: Callable[..., Person]
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    session = make_session(make_course(city.city), capacity=2)
    users = _cadres(make_person, 5)
    for user in users:
        enrolment.do_enrol(user, session.pk, user.person)
    errors: list[BaseException] = []

    def cancel(user: User) -> None:
        try:
            enrolment.do_cancel(user, session.pk, user.person)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=cancel, args=(u,)) for u in users[:2]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = [Enrolment.objects.get(person=u.person).status for u in users]
    assert statuses == [CANCELLED, CANCELLED, ENROLLED, ENROLLED, WAITING]
    assert Enrolment.objects.filter(session=session, status=ENROLLED).count() == 2
