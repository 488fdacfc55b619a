"""Fixtures for consent and rights: the notice in force, record keepers, sudo clients."""

from __future__ import annotations

import importlib

import pytest
from django.utils import timezone

from conftest import City, make_user
from sunflower.accounts.models import Role, User
from sunflower.privacy.models import ConsentNotice

seed = importlib.import_module("sunflower.privacy.migrations.0002_notice_v1")


@pytest.fixture
def notice(db: None) -> ConsentNotice:
    """Notice v1 as the migration publishes it (a flushing test elsewhere may have removed it)."""
    found, _ = ConsentNotice.objects.get_or_create(
        version=1,
        defaults={"title": seed.TITLE, "body": seed.BODY, "published_at": timezone.now()},
    )
    return found


@pytest.fixture
def keeper(city: City) -> User:
    """The record keeper of district A, where the `cadre` fixture works."""
    return make_user("keeper", (Role.RECORD_KEEPER, city.district_a))


@pytest.fixture
def far_keeper(city: City) -> User:
    """A record keeper of district B: the cadre is outside their scope."""
    return make_user("far-keeper", (Role.RECORD_KEEPER, city.district_b))
