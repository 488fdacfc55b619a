"""Roster pages: login, role and scope rules on every page, and the changes they make."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from conftest import City, logged_in, make_id_number
from sunflower.accounts.models import User
from sunflower.audit.models import AuditEvent
from sunflower.orgs.models import EmploymentStatus, Person

PERSON_PAGES = ["orgs:person-edit", "orgs:person-transfer", "orgs:person-leave"]
LIST_PAGES = ["orgs:person-list", "orgs:person-create", "orgs:unit-list"]


def form_data(city: City, **overrides: str) -> dict[str, str]:
    number = make_id_number(777, birth="19900101")
    data = {
        "name": "李华",
        "id_number": number,
        "gender": "M" if int(number[16]) % 2 else "F",
        "birth_date": "1990-01-01",
        "mobile": "13912340000",
        "unit": str(city.town_a1.pk),
        "post": "科员",
        "rank": "staff",
        "tags": ["urgent_tasks"],
    }
    data.update(overrides)
    return data


class RosterAccessTestCase:
    @pytest.mark.parametrize("name", LIST_PAGES)
    def test_it_requires_login(self, name: str, db: None) -> None:
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    @pytest.mark.parametrize("name", LIST_PAGES)
    def test_it_forbids_cadres(self, name: str, cadre: User) -> None:
        assert logged_in(cadre).get(reverse(name)).status_code == 403

    @pytest.mark.parametrize("name", PERSON_PAGES)
    def test_it_hides_people_outside_scope_as_not_found(
        self, name: str, city: City, charlie: User, make_person: Callable[..., Person]
    ) -> None:
        person = make_person(unit=city.town_a1)
        assert logged_in(charlie).get(reverse(name, args=[person.pk])).status_code == 404

    @pytest.mark.parametrize("name", PERSON_PAGES)
    def test_it_answers_the_same_for_a_missing_person(self, name: str, charlie: User) -> None:
        missing = "00000000-0000-0000-0000-000000000000"
        assert logged_in(charlie).get(reverse(name, args=[missing])).status_code == 404

    @pytest.mark.parametrize("name", PERSON_PAGES)
    def test_it_allows_the_liaison_in_scope(
        self, name: str, alice: User, make_person: Callable[..., Person]
    ) -> None:
        person = make_person()
        assert logged_in(alice).get(reverse(name, args=[person.pk])).status_code == 200


class RosterListTestCase:
    def test_it_lists_only_people_in_scope(
        self, city: City, alice: User, make_person: Callable[..., Person]
    ) -> None:
        make_person(name="甲乙丙", unit=city.town_a1)
        make_person(name="丁戊己", unit=city.district_b)
        body = logged_in(alice).get(reverse("orgs:person-list")).content.decode()
        assert "甲乙丙" in body
        assert "丁戊己" not in body

    def test_the_city_admin_sees_every_district(
        self, city: City, bob: User, make_person: Callable[..., Person]
    ) -> None:
        make_person(name="甲乙丙", unit=city.town_a1)
        make_person(name="丁戊己", unit=city.district_b)
        body = logged_in(bob).get(reverse("orgs:person-list")).content.decode()
        assert "甲乙丙" in body and "丁戊己" in body

    def test_it_searches_by_name_and_exact_id_number(
        self, alice: User, make_person: Callable[..., Person]
    ) -> None:
        target = make_person(name="欧阳明")
        make_person(name="张伟")
        client = logged_in(alice)
        by_name = client.get(reverse("orgs:person-list"), {"q": "欧阳"}).content.decode()
        assert "欧阳明" in by_name and "张伟" not in by_name
        by_id = client.get(reverse("orgs:person-list"), {"q": target.id_number}).content.decode()
        assert "欧阳明" in by_id and "张伟" not in by_id
        partial = client.get(reverse("orgs:person-list"), {"q": target.id_number[:10]})
        assert "欧阳明" not in partial.content.decode()

    def test_it_finds_a_person_by_mobile(
        self, alice: User, make_person: Callable[..., Person]
    ) -> None:
        make_person(name="欧阳明", mobile="13711112222")
        body = logged_in(alice).get(reverse("orgs:person-list"), {"q": "137 1111 2222"})
        assert "欧阳明" in body.content.decode()

    def test_it_filters_by_tag_and_status(
        self, alice: User, make_person: Callable[..., Person]
    ) -> None:
        tagged = make_person(name="有标签")
        tagged.tag_codes = ["heavy_burden"]
        tagged.save()
        make_person(name="无标签")
        make_person(name="离岗人", status=EmploymentStatus.LEFT)
        client = logged_in(alice)
        body = client.get(reverse("orgs:person-list"), {"tag": "heavy_burden"}).content.decode()
        assert "有标签" in body and "无标签" not in body
        default = client.get(reverse("orgs:person-list")).content.decode()
        assert "离岗人" not in default
        everyone = client.get(reverse("orgs:person-list"), {"status": "all"}).content.decode()
        assert "离岗人" in everyone

    def test_it_ignores_a_unit_filter_outside_scope(
        self, city: City, alice: User, make_person: Callable[..., Person]
    ) -> None:
        make_person(name="丁戊己", unit=city.district_b)
        response = logged_in(alice).get(reverse("orgs:person-list"), {"unit": city.district_b.pk})
        assert response.status_code == 200
        assert "丁戊己" not in response.content.decode()

    def test_it_paginates(self, alice: User, make_person: Callable[..., Person]) -> None:
        for _ in range(55):
            make_person()
        client = logged_in(alice)
        first = client.get(reverse("orgs:person-list")).content.decode()
        assert "共 55 人" in first
        assert "第 1 / 2 页" in first
        assert client.get(reverse("orgs:person-list"), {"page": 2}).status_code == 200

    def test_it_shows_an_empty_state(self, alice: User) -> None:
        body = logged_in(alice).get(reverse("orgs:person-list")).content.decode()
        assert "花名册还是空的" in body

    def test_its_query_count_does_not_grow_with_rows(
        self,
        alice: User,
        make_person: Callable[..., Person],
        django_assert_max_num_queries: Callable[..., object],
    ) -> None:
        for _ in range(30):
            make_person()
        client = logged_in(alice)
        client.get(reverse("orgs:person-list"))  # warm the per-process key cache
        with django_assert_max_num_queries(8):  # type: ignore[attr-defined]
            client.get(reverse("orgs:person-list"))


class RosterCreateTestCase:
    def test_it_creates_a_person_and_audits_it(self, city: City, alice: User) -> None:
        response = logged_in(alice).post(reverse("orgs:person-create"), form_data(city))
        assert response.status_code == 302
        person = Person.objects.get(name="李华")
        assert person.unit == city.town_a1
        assert person.tag_codes == ["urgent_tasks"]
        event = AuditEvent.objects.get(action="roster.create")
        assert event.actor == alice
        assert event.object_id == str(person.pk)
        assert person.id_number not in str(event.changes)

    def test_it_keeps_the_input_and_explains_a_bad_id_number(self, city: City, alice: User) -> None:
        data = form_data(city, id_number="110105194912310021", name="保留我")
        response = logged_in(alice).post(reverse("orgs:person-create"), data)
        assert response.status_code == 200
        body = response.content.decode()
        assert "身份证号校验位错误" in body
        assert 'value="保留我"' in body
        assert not Person.objects.exists()

    def test_it_explains_a_bad_mobile(self, city: City, alice: User) -> None:
        data = form_data(city, mobile="1391234")
        body = logged_in(alice).post(reverse("orgs:person-create"), data).content.decode()
        assert "手机号应为11位" in body

    def test_it_rejects_a_duplicate_id_number(
        self, city: City, alice: User, make_person: Callable[..., Person]
    ) -> None:
        existing = make_person()
        data = form_data(city, id_number=existing.id_number, birth_date=str(existing.birth_date))
        data["gender"] = existing.gender
        body = logged_in(alice).post(reverse("orgs:person-create"), data).content.decode()
        assert "该身份证号已在花名册中登记" in body
        assert Person.objects.count() == 1

    def test_it_checks_birth_date_and_gender_against_the_id(self, city: City, alice: User) -> None:
        data = form_data(city, birth_date="1991-02-03")
        body = logged_in(alice).post(reverse("orgs:person-create"), data).content.decode()
        assert "出生日期与身份证号不一致" in body

    def test_it_refuses_a_unit_outside_scope(self, city: City, alice: User) -> None:
        data = form_data(city, unit=str(city.district_b.pk))
        response = logged_in(alice).post(reverse("orgs:person-create"), data)
        assert response.status_code == 200
        assert not Person.objects.exists()


class RosterEditTestCase:
    def test_it_updates_and_records_changed_field_names_only(
        self, alice: User, make_person: Callable[..., Person], city: City
    ) -> None:
        person = make_person(name="旧名字")
        data = form_data(
            city,
            name="新名字",
            id_number=person.id_number,
            gender=person.gender,
            birth_date=str(person.birth_date),
            mobile=person.mobile,
        )
        response = logged_in(alice).post(reverse("orgs:person-edit", args=[person.pk]), data)
        assert response.status_code == 302
        person.refresh_from_db()
        assert person.name == "新名字"
        event = AuditEvent.objects.get(action="roster.update")
        assert "name" in event.changes["fields"]
        assert "新名字" not in str(event.changes)

    def test_it_cannot_move_a_person_through_the_edit_form(
        self, alice: User, make_person: Callable[..., Person], city: City
    ) -> None:
        person = make_person()
        data = form_data(
            city,
            id_number=person.id_number,
            gender=person.gender,
            birth_date=str(person.birth_date),
            mobile=person.mobile,
            unit=str(city.district_b.pk),
        )
        logged_in(alice).post(reverse("orgs:person-edit", args=[person.pk]), data)
        person.refresh_from_db()
        assert person.unit == city.town_a1


class RosterTransferTestCase:
    def test_it_moves_a_person_within_scope(
        self, city: City, alice: User, make_person: Callable[..., Person]
    ) -> None:
        person = make_person(unit=city.town_a1)
        url = reverse("orgs:person-transfer", args=[person.pk])
        response = logged_in(alice).post(url, {"unit": city.district_a.pk})
        assert response.status_code == 302
        person.refresh_from_db()
        assert person.unit == city.district_a
        event = AuditEvent.objects.get(action="roster.transfer")
        assert event.changes == {"from_unit": city.town_a1.pk, "to_unit": city.district_a.pk}

    def test_it_refuses_a_destination_outside_scope(
        self, city: City, alice: User, make_person: Callable[..., Person]
    ) -> None:
        person = make_person(unit=city.town_a1)
        url = reverse("orgs:person-transfer", args=[person.pk])
        response = logged_in(alice).post(url, {"unit": city.district_b.pk})
        assert response.status_code == 200
        person.refresh_from_db()
        assert person.unit == city.town_a1

    def test_the_city_admin_moves_across_districts(
        self, city: City, bob: User, make_person: Callable[..., Person]
    ) -> None:
        person = make_person(unit=city.town_a1)
        url = reverse("orgs:person-transfer", args=[person.pk])
        logged_in(bob).post(url, {"unit": city.district_b.pk})
        person.refresh_from_db()
        assert person.unit == city.district_b


class RosterLeaveTestCase:
    def test_it_needs_a_confirmation(self, alice: User, make_person: Callable[..., Person]) -> None:
        person = make_person()
        url = reverse("orgs:person-leave", args=[person.pk])
        response = logged_in(alice).post(url, {"status": "left", "left_on": "2026-01-05"})
        assert response.status_code == 200
        person.refresh_from_db()
        assert person.status == EmploymentStatus.ACTIVE

    def test_it_marks_a_person_as_left_and_can_reinstate(
        self, alice: User, make_person: Callable[..., Person]
    ) -> None:
        person = make_person()
        url = reverse("orgs:person-leave", args=[person.pk])
        client = logged_in(alice)
        client.post(url, {"status": "retired", "left_on": "2026-01-05", "confirm": "on"})
        person.refresh_from_db()
        assert person.status == EmploymentStatus.RETIRED
        assert str(person.left_on) == "2026-01-05"
        client.post(url, {"reinstate": "1"})
        person.refresh_from_db()
        assert person.status == EmploymentStatus.ACTIVE
        assert person.left_on is None
        actions = list(AuditEvent.objects.values_list("action", flat=True).order_by("id"))
        assert actions == ["roster.leave", "roster.reinstate"]

    def test_it_refuses_a_future_date(
        self, alice: User, make_person: Callable[..., Person]
    ) -> None:
        person = make_person()
        url = reverse("orgs:person-leave", args=[person.pk])
        body = logged_in(alice).post(
            url, {"status": "left", "left_on": "2999-01-01", "confirm": "on"}
        )
        assert "离开日期不能晚于今天" in body.content.decode()


class UnitListTestCase:
    def test_it_shows_only_units_in_scope_with_counts(
        self, city: City, alice: User, make_person: Callable[..., Person]
    ) -> None:
        make_person(unit=city.town_a1)
        body = logged_in(alice).get(reverse("orgs:unit-list")).content.decode()
        assert "东港区海滨街道" in body
        assert "西湖区" not in body
