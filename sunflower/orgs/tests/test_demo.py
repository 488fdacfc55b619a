import datetime as dt
import hashlib
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from sunflower.accounts.models import ADMIN_ROLES, Role, RoleAssignment, User
from sunflower.accounts.scope import people_in_scope
from sunflower.audit.events import record
from sunflower.lib.validators import parse_citizen_id
from sunflower.orgs import demo
from sunflower.orgs.models import EmploymentStatus, Person, Rank, Unit, UnitType

SMALL = 200


def roster_digest() -> str:
    rows = sorted(
        (p.name, p.unit.code, p.id_number, p.mobile, p.post, p.rank, p.status, p.tags)
        for p in Person.objects.select_related("unit")
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def age_on(day: dt.date, birth: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@pytest.fixture
def small_city(db: None) -> demo.DemoSummary:
    return demo.build_demo_city(cadres=SMALL)


@pytest.fixture(scope="module")
def plan() -> demo.DemoPlan:
    return demo.plan_demo_city()


class DemoCityTestCase:
    def test_it_builds_about_sixty_units_on_three_levels(
        self, small_city: demo.DemoSummary
    ) -> None:
        assert 55 <= Unit.objects.count() <= 65
        assert set(Unit.objects.values_list("level", flat=True)) == {1, 2, 3}
        assert small_city.units == Unit.objects.count()
        assert small_city.levels == 3

    def test_it_roots_the_tree_in_the_city(self, small_city: demo.DemoSummary) -> None:
        root = Unit.objects.get(level=1)
        assert root.name == "滨海市"
        assert Unit.objects.subtree_of(root).count() == Unit.objects.count()
        counties = Unit.objects.filter(level=2, unit_type=UnitType.PARTY_GOVERNMENT)
        assert {"海滨区", "东岭县", "市委组织部"} <= set(counties.values_list("name", flat=True))
        assert Unit.objects.filter(level=3, unit_type=UnitType.TOWN_STREET).count() >= 20

    def test_it_flags_key_departments(self, small_city: demo.DemoSummary) -> None:
        key = set(Unit.objects.filter(is_key_department=True).values_list("name", flat=True))
        assert {"市公安局", "市应急管理局", "市信访局"} <= key
        assert "市财政局" not in key

    def test_it_builds_the_requested_number_of_cadres(self, small_city: demo.DemoSummary) -> None:
        assert Person.objects.count() == SMALL
        assert small_city.cadres == SMALL
        # Every unit has someone to show when there are enough people to go round.
        assert not Unit.objects.filter(people__isnull=True).exists()

    def test_it_gives_every_cadre_a_valid_unique_id_number(
        self, small_city: demo.DemoSummary
    ) -> None:
        people = list(Person.objects.all())
        for person in people:
            citizen = parse_citizen_id(person.id_number)
            assert citizen.gender == person.gender
            assert citizen.birth_date == person.birth_date
            assert 22 <= age_on(demo.REFERENCE_DATE, person.birth_date) <= 60
        assert len({person.id_number for person in people}) == SMALL
        assert len({person.id_number_index for person in people}) == SMALL

    def test_it_gives_every_cadre_a_unique_fictional_mobile(
        self, small_city: demo.DemoSummary
    ) -> None:
        mobiles = [person.mobile for person in Person.objects.all()]
        assert len(set(mobiles)) == SMALL
        assert all(mobile[:7] in demo.MOBILE_BLOCKS for mobile in mobiles)

    def test_it_refuses_a_database_that_has_data(self, small_city: demo.DemoSummary) -> None:
        with pytest.raises(demo.DemoError):
            demo.build_demo_city(cadres=10)
        assert Person.objects.count() == SMALL

    def test_it_writes_the_same_roster_for_the_same_seed(self, db: None) -> None:
        demo.build_demo_city(cadres=SMALL, seed=7)
        first = roster_digest()
        demo.delete_demo_city()
        assert not Unit.objects.exists()
        demo.build_demo_city(cadres=SMALL, seed=7)
        assert roster_digest() == first
        demo.delete_demo_city()
        demo.build_demo_city(cadres=SMALL, seed=8)
        assert roster_digest() != first

    def test_it_builds_the_default_city_in_batches(
        self, db: None, django_assert_max_num_queries: Any
    ) -> None:
        # Speed is a benchmark's business; here the shape: a batched write whose statements do
        # not grow with the cadres (no per-row key lookup, insert or blind-index query).
        with django_assert_max_num_queries(250):  # 4,211 before keys were prepared
            summary = demo.build_demo_city()
        assert Person.objects.count() == summary.cadres == 2000


class DemoPlanTestCase:
    def test_it_plans_the_same_city_for_the_same_seed(self, plan: demo.DemoPlan) -> None:
        assert demo.plan_demo_city(seed=demo.DEFAULT_SEED) == plan

    def test_it_plans_other_people_for_another_seed(self, plan: demo.DemoPlan) -> None:
        other = demo.plan_demo_city(seed=demo.DEFAULT_SEED + 1)
        assert [u.code for u in other.units] == [u.code for u in plan.units]
        assert [p.name for p in other.people] != [p.name for p in plan.people]
        assert {p.id_number for p in other.people} != {p.id_number for p in plan.people}

    def test_it_marks_about_two_percent_as_left_or_retired(self, plan: demo.DemoPlan) -> None:
        statuses = Counter(person.status for person in plan.people)
        assert statuses[EmploymentStatus.LEFT] + statuses[EmploymentStatus.RETIRED] == 40
        assert statuses[EmploymentStatus.RETIRED] > 0
        for person in plan.people:
            if person.status == EmploymentStatus.RETIRED:
                assert person.left_on is not None
                assert person.left_on <= demo.REFERENCE_DATE
                assert age_on(person.left_on, person.birth_date) in (55, 60)

    def test_it_tags_about_eight_percent_for_key_attention(self, plan: demo.DemoPlan) -> None:
        tagged = [person for person in plan.people if person.tags]
        assert len(tagged) == 160
        assert all(person.status == EmploymentStatus.ACTIVE for person in tagged)
        key_units = {unit.code for unit in plan.units if unit.is_key_department}
        key_people = [person for person in plan.people if person.unit_code in key_units]
        key_share = sum(1 for person in key_people if person.tags) / len(key_people)
        assert key_share > 0.08

    def test_it_gives_posts_that_fit_the_rank(self, plan: demo.DemoPlan) -> None:
        leading = (Rank.DEPARTMENT, Rank.DIVISION_CHIEF, Rank.DIVISION_DEPUTY, Rank.SECTION_CHIEF)
        for person in plan.people:
            if person.post in ("科员", "一级科员", "二级科员", "办事员"):
                assert person.rank == Rank.STAFF, person
            if person.post.endswith("主任科员"):
                assert person.rank in (Rank.SECTION_CHIEF, Rank.SECTION_DEPUTY), person
            if person.post in ("党委书记", "市委书记", "区委书记", "县委书记", "局长", "部长"):
                assert person.rank in leading, person

    def test_it_heads_every_unit_with_a_chief(self, plan: demo.DemoPlan) -> None:
        order = list(Rank)
        for unit in plan.units:
            people = [person for person in plan.people if person.unit_code == unit.code]
            top = min(people, key=lambda person: order.index(Rank(person.rank)))
            assert not top.post.startswith("副"), (unit.name, top.post)

    def test_it_draws_names_of_two_to_four_characters(self, plan: demo.DemoPlan) -> None:
        names = [person.name for person in plan.people]
        assert all(2 <= len(name) <= 4 for name in names)
        assert not set(names) & demo.AVOIDED_NAMES
        assert len(set(names)) > 0.8 * len(names)

    def test_it_balances_genders(self, plan: demo.DemoPlan) -> None:
        women = sum(1 for person in plan.people if person.gender == "F")
        assert 0.3 < women / len(plan.people) < 0.5


class DemoAccountsTestCase:
    def test_it_authenticates_every_demo_login(self, small_city: demo.DemoSummary) -> None:
        for label, login, password in demo.DEMO_LOGINS:
            assert password == demo.DEMO_PASSWORD
            assert authenticate(username=login, password=password) is not None, label

    def test_it_gives_every_role_a_demo_account(self, small_city: demo.DemoSummary) -> None:
        held: set[str] = set()
        for _label, login, password in demo.DEMO_LOGINS:
            user = authenticate(username=login, password=password)
            assert isinstance(user, User)
            held |= user.active_roles()
        assert held == set(Role)

    def test_it_grants_one_admin_role_per_account(self, small_city: demo.DemoSummary) -> None:
        admins = RoleAssignment.objects.active().filter(role__in=ADMIN_ROLES)
        per_user = Counter(admins.values_list("user_id", flat=True))
        assert len(per_user) == len(ADMIN_ROLES)
        assert set(per_user.values()) == {1}

    def test_it_gives_twenty_cadres_an_account(self, small_city: demo.DemoSummary) -> None:
        people = Person.objects.filter(user__isnull=False)
        assert sorted(person.mobile for person in people) == [f"138{n:08d}" for n in range(1, 21)]
        assert all(person.status == EmploymentStatus.ACTIVE for person in people)
        assert authenticate(username="13800000020", password=demo.DEMO_PASSWORD) is not None

    def test_it_puts_the_demo_cadre_in_the_liaison_scope(
        self, small_city: demo.DemoSummary
    ) -> None:
        cadre = User.objects.get(username="demo-cadre-01")
        liaison = User.objects.get(username="liaison")
        assert cadre.person is not None
        assert cadre.person.mobile == "13800000001"
        assert people_in_scope(liaison, [Role.LIAISON]).filter(pk=cadre.person.pk).exists()
        admin = User.objects.get(username="admin")
        assert people_in_scope(admin, [Role.PROGRAMME_ADMIN]).count() == SMALL


class DemoCommandTestCase:
    def run(self, *args: str) -> str:
        out = StringIO()
        call_command("demo", *args, stdout=out)
        return out.getvalue()

    def test_it_builds_the_city_and_prints_the_logins(self, db: None) -> None:
        output = self.run("--cadres", "50", "--seed", "3")
        assert Person.objects.count() == 50
        assert "60 units on 3 levels, 50 cadres" in output
        for _label, login, password in demo.DEMO_LOGINS:
            assert login in output
            assert password in output

    def test_it_loads_an_empty_database_with_if_empty(self, db: None) -> None:
        output = self.run("--if-empty", "--cadres", "50")
        assert Person.objects.count() == 50
        assert "50 cadres" in output
        assert "Demo logins" not in output  # `sunflower serve --show-logins` prints them

    def test_it_does_nothing_with_if_empty_when_there_is_data(
        self, small_city: demo.DemoSummary, django_assert_max_num_queries: Any
    ) -> None:
        with django_assert_max_num_queries(2):
            output = self.run("--if-empty")
        assert "already has data" in output
        assert Person.objects.count() == SMALL

    def test_it_refuses_a_database_with_data_without_reset(
        self, small_city: demo.DemoSummary
    ) -> None:
        with pytest.raises(CommandError, match="--reset"):
            self.run("--cadres", "50")
        assert Person.objects.count() == SMALL

    def test_it_replaces_the_city_with_reset(self, small_city: demo.DemoSummary) -> None:
        self.run("--reset", "--cadres", "50")
        assert Person.objects.count() == 50
        assert authenticate(username="13800000001", password=demo.DEMO_PASSWORD) is not None

    def test_it_refuses_to_reset_a_database_with_an_audit_trail(
        self, small_city: demo.DemoSummary
    ) -> None:
        record("test.event", actor=User.objects.get(username="admin"))
        with pytest.raises(CommandError, match="fresh database"):
            self.run("--reset", "--cadres", "50")
        assert Person.objects.count() == SMALL

    def test_it_refuses_to_reset_in_production(
        self, small_city: demo.DemoSummary, settings: Any
    ) -> None:
        settings.PRODUCTION = True
        with pytest.raises(CommandError, match="production"):
            self.run("--reset", "--cadres", "50")
        assert Person.objects.count() == SMALL

    @pytest.mark.parametrize("cadres", ["0", "-5", "100001"])
    def test_it_rejects_a_cadre_count_out_of_range(self, db: None, cadres: str) -> None:
        with pytest.raises(CommandError, match="--cadres"):
            self.run("--cadres", cadres)
        assert not Unit.objects.exists()
