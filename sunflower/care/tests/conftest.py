"""The care cast, in the small city of the root conftest:

- `keeper`: record keeper of district A (holds town A1, where `subject` works);
- `city_keeper`: record keeper of the whole city (the next level up for escalation);
- `outsider`: record keeper of district B (must never see district A's warnings or cases);
- `counsellor` and `talk_officer` over district A; `subject`: a cadre of town A1 with consent.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import City, make_user
from sunflower.accounts.models import Role, User
from sunflower.assessments.tests.conftest import (  # noqa: F401
    consenting,
    notice,
    other_cadre,
    warning_rules,
)
from sunflower.care import actions
from sunflower.care.models import CrisisCase, RiskWarning
from sunflower.care.tiers import Tier
from sunflower.orgs.models import Person


@pytest.fixture
def keeper(city: City) -> User:
    return make_user("keeper", (Role.RECORD_KEEPER, city.district_a))


@pytest.fixture
def city_keeper(city: City) -> User:
    return make_user("city-keeper", (Role.RECORD_KEEPER, city.city))


@pytest.fixture
def outsider(city: City) -> User:
    return make_user("outsider", (Role.RECORD_KEEPER, city.district_b))


@pytest.fixture
def counsellor(city: City) -> User:
    return make_user("counsellor", (Role.COUNSELLOR, city.district_a))


@pytest.fixture
def talk_officer(city: City) -> User:
    return make_user("talk-officer", (Role.TALK_OFFICER, city.district_a))


@pytest.fixture
def subject(make_person: Callable[..., Person], city: City) -> Person:
    return make_person(unit=city.town_a1, name="赵一")


@pytest.fixture
def raise_warning(counsellor: User) -> Callable[..., RiskWarning]:
    def make(person: Person, tier: str = Tier.RED) -> RiskWarning:
        return actions.do_raise_warning(counsellor, person.pk, tier, "谈话中流露轻生念头")

    return make


@pytest.fixture
def open_case(
    keeper: User, subject: Person, raise_warning: Callable[..., RiskWarning]
) -> Callable[..., CrisisCase]:
    """A case for `subject` opened by `keeper` confirming a warning of *tier*."""

    def make(tier: str = Tier.RED, person: Person | None = None) -> CrisisCase:
        warning = raise_warning(person or subject, tier)
        _warning, case = actions.do_review_warning(keeper, warning.pk, "confirm", open_case=True)
        assert case is not None
        return case

    return make
