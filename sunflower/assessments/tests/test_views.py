"""The cadre's assessment pages through HTTP: catalogue, notice, pages, result, history."""

from __future__ import annotations

import re

from django.urls import reverse

from conftest import logged_in
from sunflower.accounts.models import User
from sunflower.assessments.models import Response, ResponseStatus
from sunflower.assessments.tests.helpers import PHQ9_CRITICAL, PHQ9_MODERATE, take
from sunflower.audit.models import AuditEvent


def start(client, instrument_id: str = "phq9") -> str:  # type: ignore[no-untyped-def]
    response = client.post(reverse("assessments:intro", args=[instrument_id]))
    assert response.status_code == 302
    return str(response["Location"])


def token_of(body: str) -> str:
    found = re.search(r'name="token" value="([0-9a-f]+)"', body)
    assert found is not None
    return found.group(1)


class CatalogueTestCase:
    def test_it_lists_the_self_assessment_instruments(self, consenting: User) -> None:
        body = logged_in(consenting).get(reverse("web:portal-assessments")).content.decode()
        for name in ("PHQ-9", "GAD-7", "PSS-10", "WHO-5", "K10", "SDS", "SAS", "SCL-90"):
            assert name in body
        assert "约 3 分钟" in body

    def test_it_offers_to_resume_a_draft(self, consenting: User) -> None:
        client = logged_in(consenting)
        start(client)
        body = client.get(reverse("web:portal-assessments")).content.decode()
        assert "继续上次的测评" in body


class IntroTestCase:
    def test_it_explains_what_is_stored_and_who_sees_it(self, consenting: User) -> None:
        body = logged_in(consenting).get(reverse("assessments:intro", args=["phq9"]))
        text = body.content.decode()
        assert "结果只有您本人能看到" in text and "12356" in text
        assert "开始测评" in text

    def test_without_consent_it_explains_and_links_to_the_notice(self, cadre: User) -> None:
        client = logged_in(cadre)
        text = client.get(reverse("assessments:intro", args=["phq9"])).content.decode()
        assert reverse("privacy:consent") in text
        assert "开始测评" not in text
        response = client.post(reverse("assessments:intro", args=["phq9"]), follow=True)
        assert "单独同意" in response.content.decode()
        assert not Response.objects.exists()

    def test_an_unknown_instrument_is_404(self, consenting: User) -> None:
        client = logged_in(consenting)
        assert client.get(reverse("assessments:intro", args=["nope"])).status_code == 404


class PageTestCase:
    def test_it_pages_saves_and_goes_back(self, consenting: User) -> None:
        client = logged_in(consenting)
        page1 = start(client)
        body = client.get(page1).content.decode()
        assert body.count("<fieldset") == 5 and "<legend>" in body
        answers = {f"q{n}": "1" for n in range(1, 6)}
        response = client.post(page1, {**answers, "go": "next"})
        page2 = response["Location"]
        assert page2.endswith("/2/")
        draft = Response.objects.get()
        assert draft.answer_list()[:5] == [1] * 5
        back = client.post(page2, {"q6": "2", "go": "back"})
        assert back["Location"] == page1
        assert Response.objects.get().answer_list()[5] == 2

    def test_it_names_an_unanswered_item(self, consenting: User) -> None:
        client = logged_in(consenting)
        page1 = start(client)
        response = client.post(page1, {"q1": "1", "q2": "1", "q4": "1", "q5": "1", "go": "next"})
        assert response.status_code == 200
        text = response.content.decode()
        assert "第 3 题还没有作答" in text and "请选择一项" in text
        assert Response.objects.get().answer_list()[:5] == [1, 1, None, 1, 1]

    def test_a_code_outside_the_options_is_refused(self, consenting: User) -> None:
        client = logged_in(consenting)
        page1 = start(client)
        response = client.post(page1, {"q1": "9", "go": "next"})
        assert "不在选项范围内" in response.content.decode()
        assert client.post(page1, {"q1": "x", "go": "next"}).status_code == 200

    def test_submitting_twice_records_one_response(self, consenting: User) -> None:
        client = logged_in(consenting)
        page1 = start(client)
        client.post(page1, {f"q{n}": "0" for n in range(1, 6)} | {"go": "next"})
        page2 = page1.replace("/1/", "/2/")
        token = token_of(client.get(page2).content.decode())
        last = {f"q{n}": "1" for n in range(6, 10)} | {"go": "submit", "token": token}
        first = client.post(page2, last)
        again = client.post(page2, last)
        assert first["Location"] == again["Location"]
        assert Response.objects.filter(status=ResponseStatus.SUBMITTED).count() == 1

    def test_another_cadres_page_is_404(self, consenting: User, other_cadre: User) -> None:
        page1 = start(logged_in(consenting))
        assert logged_in(other_cadre).get(page1).status_code == 404


class ResultTestCase:
    def test_it_shows_score_band_and_interpretation(self, consenting: User) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        text = logged_in(consenting).get(reverse("assessments:result", args=[response.pk]))
        body = text.content.decode()
        assert "中度抑郁症状" in body and "<strong>10</strong>" in body
        assert "建议与心理咨询师聊一聊" in body
        assert "您不必独自面对" not in body

    def test_a_critical_answer_shows_the_help_panel_first(self, consenting: User) -> None:
        response = take(consenting, "phq9", PHQ9_CRITICAL)
        body = logged_in(consenting).get(reverse("assessments:result", args=[response.pk]))
        text = body.content.decode()
        assert "您不必独自面对" in text and 'href="tel:12356"' in text
        assert text.index("您不必独自面对") < text.index("<h1>测评结果")
        assert reverse("web:portal-services") in text

    def test_it_compares_with_the_norm_where_there_is_one(self, consenting: User) -> None:
        response = take(consenting, "sds", [2] * 20)
        body = logged_in(consenting).get(reverse("assessments:result", args=[response.pk]))
        assert "T 分" in body.content.decode()

    def test_reading_a_result_is_audited(self, consenting: User) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        logged_in(consenting).get(reverse("assessments:result", args=[response.pk]))
        assert AuditEvent.objects.filter(action="assessment.read", object_id=str(response.pk))

    def test_another_cadre_gets_404(self, consenting: User, other_cadre: User) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        url = reverse("assessments:result", args=[response.pk])
        assert logged_in(other_cadre).get(url).status_code == 404

    def test_staff_are_forbidden(self, consenting: User, alice: User) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        url = reverse("assessments:result", args=[response.pk])
        assert logged_in(alice).get(url).status_code == 403


class HistoryTestCase:
    def test_it_shows_each_attempt_and_reliable_change(self, consenting: User) -> None:
        take(consenting, "phq9", [3, 3, 2, 2, 2, 2, 2, 2, 0])  # 18
        take(consenting, "phq9", [1, 1, 1, 1, 0, 0, 0, 0, 0])  # 4
        body = logged_in(consenting).get(reverse("assessments:history", args=["phq9"]))
        text = body.content.decode()
        assert text.count("<circle") == 2
        assert "可靠改善" in text

    def test_it_is_empty_before_the_first_attempt(self, consenting: User) -> None:
        body = logged_in(consenting).get(reverse("assessments:history", args=["gad7"]))
        assert "还没有完成的测评" in body.content.decode()
