"""Taking an assessment through the app's API: one request per form, the pages' rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import City, make_user
from sunflower.accounts.models import User
from sunflower.api.tests.conftest import ApiClient, api_as
from sunflower.assessments import campaigns
from sunflower.assessments.models import (
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignMode,
    Response,
)
from sunflower.assessments.tests.records import open_campaign
from sunflower.audit.models import AuditEvent
from sunflower.care.models import RiskWarning
from sunflower.privacy.models import ConsentNotice

PHQ9_MILD = [1, 1, 1, 1, 1, 0, 0, 0, 0]  # total 5, mild
PHQ9_ITEM_9 = [0, 0, 0, 0, 0, 0, 0, 0, 1]


def form(instrument: str = "phq9", answers: list[Any] | None = None, **fields: Any) -> dict:
    started = timezone.now() - dt.timedelta(minutes=5)
    return {
        "instrument": instrument,
        "answers": PHQ9_MILD if answers is None else answers,
        "token": fields.pop("token", "a1b2c3d4e5f6a7b8"),
        "started_at": fields.pop("started_at", started.isoformat()),
        **fields,
    }


class SubmitTestCase:
    def test_a_whole_form_is_scored_stored_and_audited_in_one_request(
        self, app: ApiClient, consenting: User
    ) -> None:
        answer = app.post("responses/", form())
        assert answer.status_code == 201
        body = answer.json()
        assert body["instrument"] == "phq9" and body["anonymous"] is False
        assert body["score"] == 5 and body["band"]["code"] == "mild"
        assert body["band"]["label"] and body["interpretation"]
        assert body["help"] is None
        stored = Response.objects.get(pk=body["id"])
        assert stored.person_id == consenting.person_id and stored.is_submitted
        assert stored.answer_list() == PHQ9_MILD
        assert stored.duration_seconds is not None and 290 <= stored.duration_seconds <= 310
        assert stored.result_data()["quality"] == []
        event = AuditEvent.objects.get(action="assessment.submit", object_id=str(stored.pk))
        assert event.actor_id == consenting.pk
        assert "answers" not in str(event.changes) and "5" not in str(event.changes.get("total"))

    def test_sending_the_same_token_again_returns_the_same_response(self, app: ApiClient) -> None:
        first = app.post("responses/", form())
        again = app.post("responses/", form())
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json()["id"] == again.json()["id"]
        assert Response.objects.count() == 1

    def test_a_token_sent_again_with_another_form_is_refused(self, app: ApiClient) -> None:
        assert app.post("responses/", form()).status_code == 201
        other = app.post("responses/", form(answers=PHQ9_ITEM_9))
        assert other.status_code == 409 and other.json()["code"] == "token_reused"
        gad7 = app.post("responses/", form("gad7", [0] * 7))
        assert gad7.status_code == 409
        assert Response.objects.count() == 1

    def test_a_retry_reads_the_result_through_the_audited_access_layer(
        self, app: ApiClient, consenting: User
    ) -> None:
        app.post("responses/", form())
        reads = AuditEvent.objects.filter(action="assessment.read", actor=consenting)
        before = reads.count()
        assert app.post("responses/", form()).status_code == 200
        assert reads.count() == before + 1

    @pytest.mark.parametrize(
        "change",
        [
            {"token": "abc\x00defgh"},
            {"instrument": "phq9\x00"},
            {"answers": [True, 1, 1, 1, 1, 0, 0, 0, 0]},
            {"answers": ["1", 1, 1, 1, 1, 0, 0, 0, 0]},
            {"campaign": 10**30},
            {"campaign": 0},
        ],
    )
    def test_odd_values_are_refused_as_malformed(self, app: ApiClient, change: dict) -> None:
        answer = app.post("responses/", {**form(), **change})
        assert answer.status_code == 422
        assert answer.json()["code"] == "malformed"
        assert not Response.objects.exists()

    def test_a_critical_answer_returns_the_help_and_proposes_a_warning(
        self, app: ApiClient, consenting: User
    ) -> None:
        body = app.post("responses/", form(answers=PHQ9_ITEM_9)).json()
        assert body["help"]["hotline"] == "12356"
        assert "专人会尽快与您联系" in body["help"]["follow_up"]
        warning = RiskWarning.objects.get(person_id=consenting.person_id)
        assert warning.tier == "red" and str(warning.response_id) == body["id"]

    def test_answering_too_fast_is_flagged_not_refused(self, app: ApiClient) -> None:
        answer = app.post("responses/", form(started_at=timezone.now().isoformat()))
        assert answer.status_code == 201
        assert Response.objects.get().result_data()["quality"] == ["too_fast"]

    def test_a_start_time_in_the_future_or_days_ago_is_kept_within_a_day(
        self, app: ApiClient
    ) -> None:
        future = (timezone.now() + dt.timedelta(days=2)).isoformat()
        assert app.post("responses/", form(started_at=future)).status_code == 201
        old = (timezone.now() - dt.timedelta(days=30)).isoformat()
        assert app.post("responses/", form(started_at=old, token="f" * 16)).status_code == 201
        durations = sorted(Response.objects.values_list("duration_seconds", flat=True))
        assert durations[0] == 0 and 86_000 <= durations[1] <= 86_400

    @pytest.mark.parametrize(
        ("answers", "message"),
        [
            ([1, 1, 1, 1, None, 0, 0, 0, 0], "第 5 题还没有作答"),
            ([1, 1, 1], "应为 9 题"),
            ([1, 1, 1, 1, 1, 0, 0, 0, 7], "有答案不在选项范围内"),
        ],
    )
    def test_a_form_the_rules_refuse_is_explained_and_nothing_is_stored(
        self, app: ApiClient, answers: list[Any], message: str
    ) -> None:
        answer = app.post("responses/", form(answers=answers))
        assert answer.status_code == 400
        assert message in answer.json()["detail"]
        assert not Response.objects.exists()

    def test_a_malformed_form_is_explained(self, app: ApiClient) -> None:
        answer = app.post("responses/", {"instrument": "phq9", "answers": "none"})
        assert answer.status_code == 422
        assert answer.json()["code"] == "malformed"
        assert "answers" in answer.json()["detail"] and "token" in answer.json()["detail"]
        assert app.post("responses/", raw="[1, 2").status_code in (400, 422)
        assert not Response.objects.exists()

    def test_an_instrument_not_offered_is_not_found(self, app: ApiClient) -> None:
        for instrument in ("nope", "phq15"):  # phq15 is shipped but not offered here
            answer = app.post("responses/", form(instrument=instrument))
            assert answer.status_code == 404
            assert answer.json()["detail"] == "没有找到，或您没有权限查看。"

    def test_without_consent_nothing_is_processed(self, cadre: User, notice: ConsentNotice) -> None:
        answer = api_as(cadre).post("responses/", form())
        assert answer.status_code == 403
        assert answer.json()["code"] == "consent_required"
        assert "单独同意" in answer.json()["detail"]
        assert not Response.objects.exists()


class CampaignTestCase:
    def test_a_campaign_response_counts_for_the_assignment(
        self, app: ApiClient, consenting: User, bob: User, city: City
    ) -> None:
        campaign = open_campaign(bob, city.city, instruments=["gad7"])
        listed = {row["id"]: row for row in app.get("instruments/").json()}
        assert listed["gad7"]["campaign"]["id"] == campaign.pk
        assert listed["phq9"]["campaign"] is None
        detail = app.get("instruments/gad7").json()
        assert len(detail["items"]) == 7 and detail["campaign"]["name"] == campaign.name
        assert (
            app.post("responses/", form("gad7", [0] * 7, campaign=campaign.pk)).status_code == 201
        )
        assignment = Assignment.objects.get(campaign=campaign, person_id=consenting.person_id)
        assert assignment.status == AssignmentStatus.DONE
        assert Response.objects.get().campaign_id == campaign.pk

    def test_a_form_for_a_campaign_that_has_closed_is_refused_not_kept_as_self_assessment(
        self, app: ApiClient, consenting: User, bob: User, city: City
    ) -> None:
        campaign = open_campaign(bob, city.city, instruments=["phq9"])
        Campaign.objects.filter(pk=campaign.pk).update(closes_at=timezone.now())
        answer = app.post("responses/", form(campaign=campaign.pk))
        assert answer.status_code == 400
        assert "截止" in answer.json()["detail"]
        assert not Response.objects.exists()

    def test_a_retry_after_the_deadline_returns_what_was_stored(
        self, app: ApiClient, consenting: User, bob: User, city: City
    ) -> None:
        campaign = open_campaign(bob, city.city, instruments=["gad7"])
        first = app.post("responses/", form("gad7", [0] * 7, campaign=campaign.pk))
        Campaign.objects.filter(pk=campaign.pk).update(closes_at=timezone.now())
        again = app.post("responses/", form("gad7", [0] * 7, campaign=campaign.pk))
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json()["id"] == first.json()["id"]
        other = app.post("responses/", form("gad7", [0] * 7, campaign=campaign.pk, token="z" * 16))
        assert other.status_code == 400 and "已经完成" in other.json()["detail"]

    def test_a_self_assessment_sent_after_a_campaign_opened_must_be_reopened(
        self, app: ApiClient, bob: User, city: City
    ) -> None:
        campaign = open_campaign(bob, city.city, mode=CampaignMode.ANONYMOUS)
        campaigns.do_open_campaign(bob, campaign.pk)
        answer = app.post("responses/", form(answers=PHQ9_ITEM_9))  # opened as self-assessment
        assert answer.status_code == 409
        assert answer.json()["code"] == "campaign_changed"
        assert campaign.name in answer.json()["detail"]
        assert not Response.objects.exists()

    def test_an_anonymous_sitting_cannot_be_matched_to_its_emptied_draft(
        self, app: ApiClient, consenting: User, bob: User, city: City
    ) -> None:
        campaign = open_campaign(bob, city.city, mode=CampaignMode.ANONYMOUS)
        campaigns.do_open_campaign(bob, campaign.pk)
        sent = app.post("responses/", form(campaign=campaign.pk))
        assert sent.status_code == 201
        anonymous = Response.objects.get(person=None)
        husk = Response.objects.get(person_id=consenting.person_id)
        assert anonymous.duration_seconds is None and husk.duration_seconds is None
        for row in (anonymous, husk):
            local = timezone.localtime(row.submitted_at)
            assert (local.hour, local.minute, local.second) == (0, 0, 0)
            assert row.started_at == row.saved_at == row.submitted_at
        assert anonymous.result_data()["quality"] == []  # the flags were computed first

    def test_a_campaign_that_is_not_the_cadres_is_not_found(
        self, app: ApiClient, bob: User, city: City
    ) -> None:
        campaign = open_campaign(bob, city.district_b, instruments=["phq9"])
        answer = app.post("responses/", form(campaign=campaign.pk))
        assert answer.status_code == 404
        assert not Response.objects.exists()

    def test_an_anonymous_campaign_keeps_no_identity(
        self, app: ApiClient, consenting: User, bob: User, city: City
    ) -> None:
        campaign = open_campaign(bob, city.city, mode=CampaignMode.ANONYMOUS)
        campaigns.do_open_campaign(bob, campaign.pk)
        answer = app.post("responses/", form(answers=PHQ9_ITEM_9, campaign=campaign.pk))
        assert answer.status_code == 201
        body = answer.json()
        assert body["id"] is None and body["anonymous"] is True
        assert "无法通知任何人" in body["help"]["follow_up"]
        stored = Response.objects.get(status="submitted")
        assert stored.person_id is None and stored.campaign_id == campaign.pk
        assert not RiskWarning.objects.exists()
        again = app.post("responses/", form(answers=PHQ9_ITEM_9, campaign=campaign.pk))
        assert again.status_code == 400  # shown once; the same token stores nothing more
        assert Response.objects.filter(status="submitted").count() == 1


class ReadingTestCase:
    def test_the_history_lists_own_responses_newest_first_and_is_audited(
        self, app: ApiClient, consenting: User
    ) -> None:
        app.post("responses/", form(token="1" * 16))
        app.post("responses/", form(answers=[3] * 8 + [0], token="2" * 16))
        page = app.get("responses/").json()
        assert page["count"] == 2
        assert [row["score"] for row in page["items"]] == [24, 5]
        assert AuditEvent.objects.filter(action="assessment.read", actor=consenting).exists()
        assert app.get("responses/", instrument="gad7").json()["count"] == 0

    def test_a_result_is_read_again_by_its_cadre_only(
        self, app: ApiClient, other_cadre: User
    ) -> None:
        made = app.post("responses/", form()).json()
        again = app.get(f"responses/{made['id']}")
        assert again.status_code == 200 and again.json()["score"] == 5
        assert api_as(other_cadre).get(f"responses/{made['id']}").status_code == 404
        assert app.get("responses/not-a-uuid").status_code in (404, 422)

    def test_an_odd_instrument_in_a_path_or_filter_is_refused(self, app: ApiClient) -> None:
        assert app.get("instruments/%00").status_code in (404, 422)
        assert app.get("responses/", instrument="x\x00").status_code == 422

    def test_instruments_list_the_self_assessments_with_their_items(self, app: ApiClient) -> None:
        rows = app.get("instruments/").json()
        assert {"phq9", "gad7", "scl90"} <= {row["id"] for row in rows}
        assert "phq15" not in {row["id"] for row in rows}
        phq9 = app.get("instruments/phq9").json()
        assert len(phq9["items"]) == 9
        assert [o["code"] for o in phq9["items"][0]["options"]] == [0, 1, 2, 3]
        assert app.get("instruments/phq15").status_code == 404


class MeTestCase:
    def test_consent_is_given_to_the_version_in_force_only(
        self, cadre: User, notice: ConsentNotice
    ) -> None:
        app = api_as(cadre)
        state = app.get("me/").json()
        assert state["display_name"] and state["consent"]["given"] is False
        assert state["consent"]["notice_version"] == str(notice.version)
        stale = app.post("me/consent", {"notice_version": "0"})
        assert stale.status_code == 400 and "告知书已更新" in stale.json()["detail"]
        given = app.post("me/consent", {"notice_version": str(notice.version)})
        assert given.status_code == 200 and given.json()["given"] is True
        assert app.post("responses/", form()).status_code == 201

    def test_an_account_without_a_person_cannot_take_assessments(self, notice: Any) -> None:
        user = make_user("no-person")
        answer = api_as(user).post("responses/", form())
        assert answer.status_code == 404
