"""Shared set-up for the record keeper's tests: campaigns, keepers, responses in them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import time_machine
from django.utils import timezone

from conftest import City, make_user
from sunflower.accounts.models import Role, User
from sunflower.assessments import actions, campaigns
from sunflower.assessments.models import Campaign, CampaignMode, Response, ResponseStatus
from sunflower.orgs.models import Unit

SLOW = timedelta(minutes=5)  # long enough that no "too fast" quality flag is raised


def keeper(name: str, unit: Unit) -> User:
    return make_user(name, (Role.RECORD_KEEPER, unit))


def open_campaign(
    admin: User, unit: Unit, *, mode: str = CampaignMode.IDENTIFIED, **fields: Any
) -> Campaign:
    now = timezone.now()
    campaign = Campaign.objects.create(
        name=fields.pop("name", "2026 年度心理普查"),
        instruments=fields.pop("instruments", ["phq9", "gad7"]),
        root_unit=unit,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        mode=mode,
        created_by=admin,
        **fields,
    )
    if mode == CampaignMode.ANONYMOUS:
        return campaign  # the anonymous submission path is not what these tests are about
    return campaigns.do_open_campaign(admin, campaign.pk)


def take(
    user: User, instrument_id: str, answers: Sequence[int | None], *, slowly: bool = True
) -> Response:
    """Start, answer and submit as the pages would; *slowly* takes five minutes."""
    draft = actions.do_start(user, instrument_id)
    if not slowly:
        return actions.do_submit(user, draft.pk, actions.new_token(), dict(enumerate(answers)))
    with time_machine.travel(timezone.now() + SLOW, tick=False):
        return actions.do_submit(user, draft.pk, actions.new_token(), dict(enumerate(answers)))


def anonymous_response(campaign: Campaign, answers: Sequence[int], total: int) -> Response:
    """A row as the anonymous submission path stores it: no person, the shared key."""
    now = timezone.now()
    response = Response(
        person=None,
        instrument_id="phq9",
        instrument_version="1",
        status=ResponseStatus.SUBMITTED,
        started_at=now - SLOW,
        saved_at=now,
        submitted_at=now,
        campaign=campaign,
    )
    response.set_answers(list(answers))
    response.set_result({"total": total, "band": {"code": "mild"}, "flags": [], "quality": []})
    response.save()
    return response


def city_units(city: City) -> dict[str, Unit]:
    return {"city": city.city, "a": city.district_a, "a1": city.town_a1, "b": city.district_b}
