"""Taking an assessment through the actions: start, autosave, submit once, consent, version."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from sunflower.accounts.models import User
from sunflower.assessments import actions, catalogue
from sunflower.assessments.models import Response, ResponseStatus
from sunflower.assessments.tests.helpers import PHQ9_CRITICAL, PHQ9_MODERATE, take
from sunflower.audit.models import AuditEvent
from sunflower.privacy import actions as privacy_actions
from sunflower.privacy.consent import ConsentRequired
from sunflower.scales import load_library, score
from sunflower.scales.loader import INSTRUMENTS_DIR, parse_instrument


class StartTestCase:
    def test_it_creates_an_encrypted_draft_on_the_latest_version(self, consenting: User) -> None:
        draft = actions.do_start(consenting, "phq9")
        assert (draft.status, draft.instrument_version) == (ResponseStatus.DRAFT, "1")
        assert draft.answer_list() == [None] * 9
        assert AuditEvent.objects.filter(action="assessment.start", object_id=str(draft.pk))

    def test_it_resumes_the_open_draft(self, consenting: User) -> None:
        first = actions.do_start(consenting, "phq9")
        assert actions.do_start(consenting, "phq9") == first
        assert Response.objects.count() == 1

    def test_it_requires_consent(self, cadre: User) -> None:
        with pytest.raises(ConsentRequired):
            actions.do_start(cadre, "phq9")
        assert not Response.objects.exists()

    def test_it_stops_after_consent_is_withdrawn(self, consenting: User) -> None:
        draft = actions.do_start(consenting, "phq9")
        privacy_actions.do_withdraw_consent(consenting)
        with pytest.raises(ConsentRequired):
            actions.do_save_draft(consenting, draft.pk, {0: 1})
        with pytest.raises(ConsentRequired):
            actions.do_submit(consenting, draft.pk, "t", dict(enumerate(PHQ9_MODERATE)))

    def test_it_refuses_an_instrument_not_offered_for_self_assessment(
        self, consenting: User
    ) -> None:
        with pytest.raises(Http404):
            actions.do_start(consenting, "pcl5")

    def test_one_draft_per_person_and_instrument_is_a_database_rule(self, consenting: User) -> None:
        draft = actions.do_start(consenting, "phq9")
        twin = Response(
            person=draft.person,
            instrument_id="phq9",
            instrument_version="1",
            started_at=draft.started_at,
            saved_at=draft.saved_at,
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            twin.save()


class SaveDraftTestCase:
    def test_it_merges_a_page_into_the_draft(self, consenting: User) -> None:
        draft = actions.do_start(consenting, "phq9")
        actions.do_save_draft(consenting, draft.pk, {0: 1, 1: 2})
        actions.do_save_draft(consenting, draft.pk, {5: 3, 1: None})
        stored = Response.objects.get(pk=draft.pk)
        assert stored.answer_list() == [1, None, None, None, None, 3, None, None, None]

    def test_it_rejects_a_code_outside_the_options(self, consenting: User) -> None:
        draft = actions.do_start(consenting, "phq9")
        with pytest.raises(actions.AssessmentError):
            actions.do_save_draft(consenting, draft.pk, {0: 4})
        with pytest.raises(actions.AssessmentError):
            actions.do_save_draft(consenting, draft.pk, {9: 1})
        assert Response.objects.get(pk=draft.pk).answer_list() == [None] * 9

    def test_it_refuses_another_persons_draft(self, consenting: User, other_cadre: User) -> None:
        draft = actions.do_start(consenting, "phq9")
        with pytest.raises(Http404):
            actions.do_save_draft(other_cadre, draft.pk, {0: 1})


class SubmitTestCase:
    def test_it_scores_with_the_engine_and_stores_the_result_encrypted(
        self, consenting: User
    ) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        expected = score(load_library().get("phq9", "1"), PHQ9_MODERATE).to_dict()
        stored = Response.objects.get(pk=response.pk)
        data = stored.result_data()
        assert stored.status == ResponseStatus.SUBMITTED
        assert (data["total"], data["band"], data["flags"]) == (
            expected["total"],
            expected["band"],
            expected["flags"],
        )
        assert stored.answer_list() == PHQ9_MODERATE
        assert stored.submitted_at is not None and stored.duration_seconds is not None

    def test_the_same_token_records_one_response(self, consenting: User) -> None:
        draft = actions.do_start(consenting, "phq9")
        page = dict(enumerate(PHQ9_MODERATE))
        first = actions.do_submit(consenting, draft.pk, "token-1", page)
        again = actions.do_submit(consenting, draft.pk, "token-1", page)
        assert again.pk == first.pk
        assert Response.objects.filter(status=ResponseStatus.SUBMITTED).count() == 1
        assert AuditEvent.objects.filter(action="assessment.submit").count() == 1

    def test_a_submitted_response_stays_as_it_was(self, consenting: User) -> None:
        draft = actions.do_start(consenting, "phq9")
        actions.do_submit(consenting, draft.pk, "token-1", dict(enumerate(PHQ9_MODERATE)))
        later = actions.do_submit(consenting, draft.pk, "token-2", {0: 3})
        actions.do_save_draft(consenting, draft.pk, {1: 3})
        assert later.answer_list() == PHQ9_MODERATE
        assert Response.objects.get(pk=draft.pk).answer_list() == PHQ9_MODERATE

    def test_the_token_is_unique_per_person_in_the_database(self, consenting: User) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        twin = Response(
            person=response.person,
            instrument_id="gad7",
            instrument_version="1",
            status=ResponseStatus.SUBMITTED,
            started_at=response.started_at,
            saved_at=response.saved_at,
            submitted_at=response.submitted_at,
            submission_token=response.submission_token,
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            twin.save()

    def test_it_names_unanswered_items_and_keeps_the_rest(self, consenting: User) -> None:
        draft = actions.do_start(consenting, "phq9")
        page = dict(enumerate(PHQ9_MODERATE))
        page[3] = page[7] = None
        with pytest.raises(actions.MissingAnswers) as caught:
            actions.do_submit(consenting, draft.pk, "token-1", page)
        assert caught.value.numbers == [4, 8]
        assert "4、8" in str(caught.value)
        stored = Response.objects.get(pk=draft.pk)
        assert stored.status == ResponseStatus.DRAFT
        assert stored.answer_list()[0] == PHQ9_MODERATE[0]

    def test_it_audits_without_values(self, consenting: User) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        event = AuditEvent.objects.get(action="assessment.submit")
        assert event.object_id == str(response.pk)
        assert event.changes == {"instrument": "phq9@1"}

    def test_it_scores_with_the_version_answered_on(
        self, consenting: User, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        draft = actions.do_start(consenting, "phq9")
        # A version 2 arrives before submission, with a differently labelled band.
        raw = (INSTRUMENTS_DIR / "phq9.v1.yaml").read_text(encoding="utf-8")
        v2_text = raw.replace('version: "1"', 'version: "2"').replace(
            "zh-Hans: 中度抑郁症状", "zh-Hans: 第二版中度"
        )
        library = load_library()
        library.add(parse_instrument(v2_text.encode(), "phq9.v2.yaml"))
        monkeypatch.setattr(catalogue, "library", lambda: library)
        assert catalogue.instrument("phq9").version == "2"
        response = actions.do_submit(
            consenting, draft.pk, "token-1", dict(enumerate(PHQ9_MODERATE))
        )
        data = response.result_data()
        assert (data["version"], data["band"]["label"]) == ("1", "中度抑郁症状")

    def test_a_critical_item_proposes_a_red_warning(self, consenting: User) -> None:
        response = take(consenting, "phq9", PHQ9_CRITICAL)
        assert "critical_item" in response.result_data()["flags"]
        event = AuditEvent.objects.get(action="warning.proposed")
        assert event.changes["tier"] == "red"
        assert event.changes["response"] == str(response.pk)

    def test_a_positive_screen_proposes_a_yellow_warning(self, consenting: User) -> None:
        take(consenting, "phq9", PHQ9_MODERATE)
        assert AuditEvent.objects.get(action="warning.proposed").changes["tier"] == "yellow"

    def test_a_low_score_proposes_nothing(self, consenting: User) -> None:
        take(consenting, "phq9", [0] * 9)
        assert not AuditEvent.objects.filter(action="warning.proposed").exists()

    def test_severe_symptoms_propose_an_orange_warning(self, consenting: User) -> None:
        take(consenting, "gad7", [3, 3, 2, 2, 2, 2, 2])  # total 16
        assert AuditEvent.objects.get(action="warning.proposed").changes["tier"] == "orange"


class QualityTestCase:
    def test_it_flags_a_response_finished_implausibly_fast(self, consenting: User) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        assert actions.TOO_FAST in response.result_data()["quality"]

    def test_it_does_not_flag_a_response_taken_at_reading_pace(self, consenting: User) -> None:
        later = timezone.now() + dt.timedelta(days=1)
        with time_machine.travel(later, tick=False) as clock:
            draft = actions.do_start(consenting, "phq9")
            clock.shift(120)
            response = actions.do_submit(consenting, draft.pk, "t", dict(enumerate(PHQ9_MODERATE)))
        assert response.result_data()["quality"] == []
        assert response.duration_seconds == 120

    def test_it_flags_straight_lining_where_it_contradicts_itself(self, consenting: User) -> None:
        instrument = load_library().get("pss10")  # has reversed items
        assert actions.quality_flags(instrument, [2] * 10, 600) == [actions.STRAIGHT_LINE]
        phq9 = load_library().get("phq9")  # all "not at all" is a healthy answer
        assert actions.quality_flags(phq9, [0] * 9, 600) == []

    def test_quality_is_stored_with_the_result(self, consenting: User) -> None:
        response = take(consenting, "pss10", [2] * 10)
        quality = Response.objects.get(pk=response.pk).result_data()["quality"]
        assert actions.STRAIGHT_LINE in quality


class StoredFormTestCase:
    def test_answers_and_result_are_json_inside_the_encryption(self, consenting: User) -> None:
        response = take(consenting, "sds", [2] * 20)
        stored = Response.objects.get(pk=response.pk)
        assert json.loads(stored.answers) == [2] * 20
        assert isinstance(stored.result_data()["indices"]["index"], int | Decimal)
