"""The recommendation rules in the content console through HTTP: the list with its preview, adding
a rule (a tag or one item, checked against the instrument's bands), deleting with a
confirmation, audit, who may open the pages, and the result page showing what was added."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import City, logged_in, make_user
from sunflower.accounts.models import Role, User
from sunflower.assessments.tests.conftest import consenting, notice  # noqa: F401 (fixtures)
from sunflower.assessments.tests.helpers import PHQ9_MODERATE, take
from sunflower.audit.models import AuditEvent
from sunflower.content import actions
from sunflower.content.models import Item, Recommendation, Tag
from sunflower.content.tests.test_search import make_item

LIST = reverse("content-admin:recommendations")
ADD = reverse("content-admin:recommendation-add")


def tagged(actor: User, title: str, tag: Tag, *, published: bool = True) -> Item:
    item = make_item(actor, title, "正文", published=published)
    return actions.do_save_item(actor, item, fields={}, tags=[tag])


def rule_data(**more: Any) -> dict[str, Any]:
    return {"target": "phq9:moderate", "tag": "", "item": "", "position": "0", **more}


@pytest.fixture
def keeper(city: City) -> User:
    return make_user("keeper", (Role.RECORD_KEEPER, city.city))


@pytest.fixture
def help_tag(db: None) -> Tag:
    return Tag.objects.create(name="求助")


class RecommendationListTestCase:
    def test_it_says_when_there_are_no_rules(self, bob: User) -> None:
        page = logged_in(bob).get(LIST).content.decode()
        assert "还没有推荐规则" in page

    def test_it_shows_rules_by_instrument_with_what_a_result_page_shows(
        self, bob: User, help_tag: Tag
    ) -> None:
        tagged(bob, "如何寻求帮助", help_tag)
        draft = make_item(bob, "心理热线草稿", "正文", published=False)
        Recommendation.objects.create(instrument_id="phq9", band_code="moderate", tag=help_tag)
        Recommendation.objects.create(instrument_id="phq9", band_code="", item=draft, position=2)
        page = logged_in(bob).get(LIST).content.decode()
        assert "患者健康问卷抑郁量表（PHQ-9）" in page
        assert "中度抑郁症状" in page
        assert "所有分级" in page
        assert "标签“求助”" in page
        assert "1 条已发布" in page
        assert "心理热线草稿" in page
        assert "未发布，结果页不显示" in page
        assert "顺序 2" in page
        # The preview: the published item in the moderate row's list of what is shown.
        assert '<ol class="recommendation-preview">' in page
        assert page.count("如何寻求帮助") == 1

    def test_it_flags_a_tag_without_published_items(self, bob: User, help_tag: Tag) -> None:
        Recommendation.objects.create(instrument_id="gad7", band_code="", tag=help_tag)
        page = logged_in(bob).get(LIST).content.decode()
        assert "没有已发布的内容" in page
        assert "不显示推荐" in page

    def test_it_filters_by_instrument(self, bob: User, help_tag: Tag) -> None:
        Recommendation.objects.create(instrument_id="phq9", band_code="", tag=help_tag)
        Recommendation.objects.create(instrument_id="gad7", band_code="", tag=help_tag)
        page = logged_in(bob).get(LIST, {"instrument": "gad7"}).content.decode()
        assert "<code>gad7</code>" in page
        assert "<code>phq9</code>" not in page

    def test_it_says_when_the_chosen_instrument_has_no_rules(
        self, bob: User, help_tag: Tag
    ) -> None:
        Recommendation.objects.create(instrument_id="phq9", band_code="", tag=help_tag)
        page = logged_in(bob).get(LIST, {"instrument": "k10"}).content.decode()
        assert "还没有推荐规则" in page
        assert "?target=k10:" in page

    def test_its_queries_do_not_grow_with_the_rules_of_an_instrument(
        self, bob: User, help_tag: Tag
    ) -> None:
        client = logged_in(bob)
        Recommendation.objects.create(instrument_id="phq9", band_code="", tag=help_tag)
        client.get(LIST)
        with CaptureQueriesContext(connection) as one:
            client.get(LIST)
        for band in ("mild", "moderate", "severe"):
            other = Tag.objects.create(name=f"标签{band}")
            Recommendation.objects.create(instrument_id="phq9", band_code=band, tag=other)
            tagged(bob, f"内容{band}", other)
        with CaptureQueriesContext(connection) as four:
            client.get(LIST)
        assert len(four) == len(one)


class RecommendationAddTestCase:
    def test_it_adds_a_tag_rule_and_audits_it(self, bob: User, help_tag: Tag) -> None:
        response = logged_in(bob).post(ADD, rule_data(tag=help_tag.pk, position="3"))
        assert response.status_code == 302
        rule = Recommendation.objects.get()
        assert (rule.instrument_id, rule.band_code, rule.tag, rule.item) == (
            "phq9",
            "moderate",
            help_tag,
            None,
        )
        assert rule.position == 3
        event = AuditEvent.objects.get(action="content.recommendation.add")
        assert event.actor == bob
        assert event.actor_role == Role.PROGRAMME_ADMIN
        assert event.object_id == str(rule.pk)
        assert event.changes == {
            "instrument_id": "phq9",
            "band_code": "moderate",
            "tag_id": help_tag.pk,
            "item_id": None,
            "position": 3,
        }

    def test_it_adds_an_item_rule_for_any_band(self, bob: User) -> None:
        item = make_item(bob, "放松练习", "正文")
        client = logged_in(bob)
        response = client.post(ADD, rule_data(target="gad7:", item=item.pk), follow=True)
        rule = Recommendation.objects.get()
        assert (rule.instrument_id, rule.band_code, rule.item) == ("gad7", "", item)
        assert "已添加推荐规则" in response.content.decode()

    def test_it_warns_that_a_draft_is_not_shown_yet(self, bob: User) -> None:
        draft = make_item(bob, "草稿", "正文", published=False)
        response = logged_in(bob).post(ADD, rule_data(item=draft.pk), follow=True)
        assert Recommendation.objects.filter(item=draft).exists()
        assert "发布后才会出现在结果页上" in response.content.decode()

    def test_it_refuses_both_a_tag_and_an_item(self, bob: User, help_tag: Tag) -> None:
        item = make_item(bob, "放松练习", "正文")
        response = logged_in(bob).post(ADD, rule_data(tag=help_tag.pk, item=item.pk))
        page = response.content.decode()
        assert response.status_code == 200
        assert "标签和指定内容只能选一项" in page
        assert not Recommendation.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="content.recommendation").exists()
        # The form comes back with what was chosen.
        assert '<option value="phq9:moderate" selected>' in page
        assert f'<option value="{help_tag.pk}" selected>' in page

    def test_it_refuses_neither_a_tag_nor_an_item(self, bob: User) -> None:
        response = logged_in(bob).post(ADD, rule_data())
        assert "请选择一个标签，或指定一条内容" in response.content.decode()
        assert not Recommendation.objects.exists()

    def test_it_refuses_a_band_the_instrument_does_not_have(self, bob: User, help_tag: Tag) -> None:
        response = logged_in(bob).post(ADD, rule_data(target="phq9:high", tag=help_tag.pk))
        assert "PHQ-9 没有“high”这一结果分级" in response.content.decode()
        assert not Recommendation.objects.exists()

    def test_it_refuses_an_instrument_outside_the_catalogue(self, bob: User, help_tag: Tag) -> None:
        response = logged_in(bob).post(ADD, rule_data(target="nosuch:", tag=help_tag.pk))
        assert "请从列表中选择量表" in response.content.decode()
        assert not Recommendation.objects.exists()

    def test_it_refuses_a_rule_that_exists(self, bob: User, help_tag: Tag) -> None:
        Recommendation.objects.create(instrument_id="phq9", band_code="moderate", tag=help_tag)
        response = logged_in(bob).post(ADD, rule_data(tag=help_tag.pk))
        assert "这条推荐规则已经有了" in response.content.decode()
        assert Recommendation.objects.count() == 1

    def test_it_offers_the_bands_of_the_instrument(self, bob: User) -> None:
        page = logged_in(bob).get(ADD, {"target": "gad7:severe"}).content.decode()
        assert '<option value="gad7:severe" selected>GAD-7 · 重度焦虑症状</option>' in page
        assert '<option value="phq9:">PHQ-9 · 所有分级</option>' in page


class RecommendationDeleteTestCase:
    def test_it_asks_for_confirmation_first(self, bob: User, help_tag: Tag) -> None:
        rule = Recommendation.objects.create(instrument_id="phq9", band_code="", tag=help_tag)
        url = reverse("content-admin:recommendation-delete", args=[rule.pk])
        page = logged_in(bob).get(url).content.decode()
        assert "确认删除" in page
        assert "PHQ-9 · 所有分级：标签“求助”" in page
        assert Recommendation.objects.filter(pk=rule.pk).exists()

    def test_it_deletes_on_the_confirmation_and_audits(self, bob: User, help_tag: Tag) -> None:
        rule = Recommendation.objects.create(instrument_id="phq9", band_code="severe", tag=help_tag)
        url = reverse("content-admin:recommendation-delete", args=[rule.pk])
        response = logged_in(bob).post(url)
        assert response.status_code == 302
        assert response["Location"] == f"{LIST}?instrument=phq9"
        assert not Recommendation.objects.exists()
        event = AuditEvent.objects.get(action="content.recommendation.delete")
        assert event.actor == bob
        assert event.object_id == str(rule.pk)
        assert event.changes["band_code"] == "severe"
        assert event.changes["tag_id"] == help_tag.pk
        assert Tag.objects.filter(pk=help_tag.pk).exists()

    def test_it_answers_404_for_a_missing_rule(self, bob: User) -> None:
        url = reverse("content-admin:recommendation-delete", args=[999])
        assert logged_in(bob).post(url).status_code == 404


class RecommendationPermissionTestCase:
    def test_a_cadre_and_a_record_keeper_cannot_open_or_change_rules(
        self, cadre: User, keeper: User, help_tag: Tag
    ) -> None:
        rule = Recommendation.objects.create(instrument_id="phq9", band_code="", tag=help_tag)
        delete = reverse("content-admin:recommendation-delete", args=[rule.pk])
        for user in (cadre, keeper):
            client = logged_in(user)
            assert client.get(LIST).status_code in (403, 404)
            assert client.get(ADD).status_code in (403, 404)
            assert client.post(ADD, rule_data(tag=help_tag.pk)).status_code in (403, 404)
            assert client.post(delete).status_code in (403, 404)
        assert list(Recommendation.objects.all()) == [rule]

    def test_it_sends_an_anonymous_visitor_to_log_in(self, db: None) -> None:
        from django.test import Client

        response = Client().get(LIST)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


class RecommendationResultPageTestCase:
    def test_the_result_page_shows_an_item_added_in_the_console(
        self,
        bob: User,
        consenting: User,  # noqa: F811 (the imported fixture)
    ) -> None:
        item = make_item(bob, "中度抑郁时可以做什么", "正文")
        logged_in(bob).post(ADD, rule_data(item=item.pk))
        response = take(consenting, "phq9", PHQ9_MODERATE)
        page = logged_in(consenting).get(reverse("assessments:result", args=[response.pk]))
        text = page.content.decode()
        assert "推荐阅读" in text
        assert "中度抑郁时可以做什么" in text
