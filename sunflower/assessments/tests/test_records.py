"""The record keeper's campaign results: who may read, the list and its filters, the detail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import City, make_user, verified_login
from sunflower.accounts.models import Role, User
from sunflower.assessments.access import (
    ResponseFilters,
    access_response,
    access_responses_in_scope,
)
from sunflower.assessments.models import Campaign, CampaignMode, Response
from sunflower.assessments.tests.helpers import PHQ9_CRITICAL, PHQ9_MODERATE
from sunflower.assessments.tests.records import anonymous_response, keeper, open_campaign, take
from sunflower.audit.models import AuditEvent
from sunflower.orgs.models import Person
from sunflower.privacy import actions as privacy_actions
from sunflower.privacy.models import ConsentNotice

PHQ9_NONE = [0] * 9
GAD7_MILD = [1, 1, 1, 1, 1, 0, 0]  # total 5, mild


@pytest.fixture
def keeper_a(city: City) -> User:
    return keeper("keeper-a", city.district_a)


@pytest.fixture
def keeper_b(city: City) -> User:
    return keeper("keeper-b", city.district_b)


@pytest.fixture
def campaign(bob: User, city: City, consenting: User, other_cadre: User) -> Campaign:
    return open_campaign(bob, city.city)  # after the cadres exist: they get assignments


@pytest.fixture
def cadre_b(make_person: Callable[..., Person], city: City, notice: ConsentNotice) -> User:
    user = make_user("cadre-b", person=make_person(unit=city.district_b, name="赵六"))
    privacy_actions.do_give_consent(user, notice)
    return user


class RecordKeeperAccessTestCase:
    def test_the_record_keeper_in_scope_reads_a_campaign_response(
        self, campaign: Campaign, consenting: User, keeper_a: User
    ) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        assert response.campaign_id == campaign.pk
        assert access_response(keeper_a, response.pk) == response
        event = AuditEvent.objects.filter(action="assessment.read", actor=keeper_a).get()
        assert (event.actor_role, event.object_id) == (Role.RECORD_KEEPER, str(response.pk))

    def test_a_confidential_campaign_reaches_the_record_keeper_too(
        self, bob: User, city: City, consenting: User, keeper_a: User
    ) -> None:
        open_campaign(bob, city.city, mode=CampaignMode.CONFIDENTIAL)
        response = take(consenting, "phq9", PHQ9_MODERATE)
        assert access_response(keeper_a, response.pk) == response

    def test_another_districts_record_keeper_gets_404(
        self, campaign: Campaign, consenting: User, keeper_b: User
    ) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        with pytest.raises(Http404):
            access_response(keeper_b, response.pk)
        client = verified_login(Client(), keeper_b)
        assert client.get(reverse("results:detail", args=[response.pk])).status_code == 404
        assert client.get(reverse("results:pdf", args=[response.pk])).status_code == 404

    @pytest.mark.parametrize("who", ["bob", "alice"])
    def test_the_programme_admin_and_liaison_get_404(
        self, who: str, campaign: Campaign, consenting: User, request: pytest.FixtureRequest
    ) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        with pytest.raises(Http404):
            access_response(request.getfixturevalue(who), response.pk)

    def test_a_cadre_reads_only_their_own(
        self, campaign: Campaign, consenting: User, other_cadre: User
    ) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        assert access_response(consenting, response.pk) == response
        with pytest.raises(Http404):
            access_response(other_cadre, response.pk)

    def test_a_self_assessment_stays_private(self, consenting: User, keeper_a: User) -> None:
        response = take(consenting, "phq9", PHQ9_NONE)  # no warning proposed either
        assert response.campaign_id is None
        with pytest.raises(Http404):
            access_response(keeper_a, response.pk)
        assert access_responses_in_scope(keeper_a).paginator.count == 0

    def test_an_anonymous_response_is_never_readable(
        self, bob: User, city: City, keeper_a: User
    ) -> None:
        campaign = open_campaign(bob, city.city, mode=CampaignMode.ANONYMOUS)
        city_keeper = keeper("keeper-city", city.city)
        response = anonymous_response(campaign, PHQ9_NONE, 0)
        for reader in (keeper_a, city_keeper):
            with pytest.raises(Http404):
                access_response(reader, response.pk)
            assert access_responses_in_scope(reader).paginator.count == 0

    def test_a_draft_in_a_campaign_is_not_readable(
        self, campaign: Campaign, consenting: User, keeper_a: User
    ) -> None:
        from sunflower.assessments import actions

        draft = actions.do_start(consenting, "phq9")
        assert draft.campaign_id == campaign.pk
        with pytest.raises(Http404):
            access_response(keeper_a, draft.pk)


class ResultListTestCase:
    def test_it_lists_responses_in_scope_and_audits_the_ids_shown(
        self, cadre_b: User, campaign: Campaign, consenting: User, keeper_a: User
    ) -> None:
        mine = take(consenting, "phq9", PHQ9_MODERATE)
        theirs = take(cadre_b, "phq9", PHQ9_MODERATE)
        assert theirs.campaign_id == campaign.pk  # in the campaign, outside keeper A's scope
        client = verified_login(Client(), keeper_a)
        page = client.get(reverse("results:list")).content.decode()
        assert "王小明" in page
        assert "赵六" not in page
        assert reverse("results:detail", args=[mine.pk]) in page
        event = AuditEvent.objects.filter(action="assessment.read", actor=keeper_a).get()
        assert event.changes["responses"] == [str(mine.pk)]
        assert event.actor_role == Role.RECORD_KEEPER

    def test_it_filters(
        self,
        campaign: Campaign,
        bob: User,
        city: City,
        consenting: User,
        other_cadre: User,
        keeper_a: User,
    ) -> None:
        moderate = take(consenting, "phq9", PHQ9_MODERATE)
        anxious = take(consenting, "gad7", GAD7_MILD, slowly=False)  # too fast
        calm = take(other_cadre, "phq9", PHQ9_NONE)

        def shown(**filters: Any) -> set[Response]:
            found = access_responses_in_scope(keeper_a, ResponseFilters(**filters))
            return set(found.object_list)

        assert shown() == {moderate, anxious, calm}
        assert shown(instrument_id="gad7") == {anxious}
        assert shown(band="moderate") == {moderate}
        assert shown(quality="any") == {anxious}
        assert shown(quality="too_fast") == {anxious}
        assert shown(quality="straight_line") == set()
        assert shown(name="王小") == {moderate, anxious}
        assert shown(campaign_id=campaign.pk) == {moderate, anxious, calm}
        assert shown(unit=city.district_b) == set()
        assert shown(unit=city.town_a1) == {moderate, anxious, calm}
        today = timezone.localdate()
        assert shown(submitted_from=today + timedelta(days=1)) == set()
        assert shown(submitted_to=today + timedelta(days=1)) == {moderate, anxious, calm}

    def test_the_page_filters_by_query_string(
        self, campaign: Campaign, consenting: User, other_cadre: User, keeper_a: User
    ) -> None:
        take(consenting, "phq9", PHQ9_MODERATE)
        take(other_cadre, "phq9", PHQ9_NONE)
        client = verified_login(Client(), keeper_a)
        page = client.get(reverse("results:list"), {"q": "李四"}).content.decode()
        assert "李四" in page
        assert "王小明" not in page
        page = client.get(reverse("results:list"), {"band": "moderate"}).content.decode()
        assert "王小明" in page
        assert "李四</a>" not in page

    def test_it_has_empty_states(self, campaign: Campaign, keeper_a: User) -> None:
        client = verified_login(Client(), keeper_a)
        assert "还没有测评活动的作答" in client.get(reverse("results:list")).content.decode()
        page = client.get(reverse("results:list"), {"q": "无此人"}).content.decode()
        assert "没有符合条件的作答" in page

    def test_bad_filters_get_a_message_not_an_error(
        self, campaign: Campaign, keeper_a: User
    ) -> None:
        client = verified_login(Client(), keeper_a)
        reply = client.get(
            reverse("results:list"),
            {"submitted_from": "2026-13-45", "campaign": "x", "band": "nonsense", "page": "z"},
        )
        assert reply.status_code == 200
        assert reply.context["form"].errors
        reply = client.get(
            reverse("results:list"),
            {"submitted_from": "2026-03-10", "submitted_to": "2026-03-01"},
        )
        assert "结束日期不能早于开始日期" in reply.content.decode()

    def test_it_paginates(
        self, campaign: Campaign, consenting: User, keeper_a: User, settings: object
    ) -> None:
        take(consenting, "phq9", PHQ9_MODERATE)
        take(consenting, "gad7", GAD7_MILD)
        first = access_responses_in_scope(keeper_a, per_page=1, page=1)
        second = access_responses_in_scope(keeper_a, per_page=1, page=2)
        assert first.paginator.num_pages == 2
        assert set(first.object_list).isdisjoint(second.object_list)

    def test_the_cadre_and_other_staff_may_not_open_it(self, consenting: User, bob: User) -> None:
        client = Client()
        client.force_login(consenting)
        assert client.get(reverse("results:list")).status_code == 403
        assert verified_login(Client(), bob).get(reverse("results:list")).status_code == 403


class ResultDetailTestCase:
    def test_it_shows_the_result_flags_and_answers(
        self, campaign: Campaign, consenting: User, keeper_a: User
    ) -> None:
        response = take(consenting, "phq9", PHQ9_CRITICAL, slowly=False)
        client = verified_login(Client(), keeper_a)
        page = client.get(reverse("results:detail", args=[response.pk])).content.decode()
        for words in (
            "王小明",
            "东港区海滨街道",
            "2026 年度心理普查",
            "患者健康问卷抑郁量表（PHQ-9）",
            "轻度",  # the band label, total 5
            "关键条目阳性",
            "作答质量提示",
            "作答过快",
            "不会因为这些提示被删除或作废",
            "好几天",  # an option label in the item-by-item answers
            "完全不会",
        ):
            assert words in page, words
        assert reverse("results:pdf", args=[response.pk]) in page
        assert reverse("results:fhir", args=[response.pk]) in page

    def test_a_slow_consistent_response_has_no_quality_notice(
        self, campaign: Campaign, consenting: User, keeper_a: User
    ) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        client = verified_login(Client(), keeper_a)
        page = client.get(reverse("results:detail", args=[response.pk])).content.decode()
        assert "作答质量提示" not in page
