"""Fixtures for assessments: the notice in force, a cadre who consented, another cadre."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pytest
from django.utils import timezone

from conftest import make_user
from sunflower.accounts.models import User
from sunflower.assessments.tests.rules import seeded_rules
from sunflower.assessments.warnings import forget_rules
from sunflower.orgs.models import Person
from sunflower.privacy import actions as privacy_actions
from sunflower.privacy.models import ConsentNotice

seed = importlib.import_module("sunflower.privacy.migrations.0002_notice_v1")


@pytest.fixture(autouse=True)
def warning_rules(db: None) -> None:
    """The seeded warning tier rules, put back if a flushing test elsewhere removed them, and
    read afresh: the per-process copy may hold a rule an earlier test changed and rolled back."""
    seeded_rules()
    forget_rules()


@pytest.fixture
def notice(db: None) -> ConsentNotice:
    """Notice v1 as the migration publishes it (a flushing test elsewhere may have removed it)."""
    found, _ = ConsentNotice.objects.get_or_create(
        version=1,
        defaults={"title": seed.TITLE, "body": seed.BODY, "published_at": timezone.now()},
    )
    return found


@pytest.fixture
def consenting(cadre: User, notice: ConsentNotice) -> User:
    """The `cadre` fixture after consenting to the notice in force."""
    privacy_actions.do_give_consent(cadre, notice)
    return cadre


@pytest.fixture
def other_cadre(make_person: Callable[..., Person], notice: ConsentNotice) -> User:
    user = make_user("other-cadre", person=make_person(name="李四"))
    privacy_actions.do_give_consent(user, notice)
    return user
