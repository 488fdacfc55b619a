"""A cadre asks for an explanation of an automatic proposal (PIPL Art. 24)."""

from __future__ import annotations

from django.urls import reverse

from conftest import logged_in
from sunflower.accounts.models import User
from sunflower.assessments.tests.helpers import PHQ9_CRITICAL, take
from sunflower.care.models import ExplanationRequest, RiskWarning
from sunflower.notifications.models import Message


class ExplanationTestCase:
    def test_the_cadre_asks_and_the_record_keeper_answers(
        self, consenting: User, keeper: User, outsider: User
    ) -> None:
        response = take(consenting, "phq9", PHQ9_CRITICAL)
        cadre = logged_in(consenting)
        page = cadre.get(reverse("assessments:result", args=[response.pk]))
        assert reverse("care-portal:explain", args=[response.pk]) in page.content.decode()
        posted = cadre.post(
            reverse("care-portal:explain", args=[response.pk]), {"question": "为什么提示风险？"}
        )
        assert posted.status_code == 302
        found = ExplanationRequest.objects.get()
        assert found.warning == RiskWarning.objects.get()
        assert Message.objects.filter(kind="care.explanation", recipient=keeper).exists()

        url = reverse("care:explanation-detail", args=[found.pk])
        assert logged_in(outsider).get(url).status_code == 404
        desk = logged_in(keeper)
        assert "为什么提示风险？" in desk.get(url).content.decode()
        desk.post(url, {"answer": "第9题作答提示需要关心，已安排专人联系您。"})

        mine = cadre.get(reverse("care-portal:explanations"))
        assert "已安排专人联系您" in mine.content.decode()
        assert Message.objects.filter(
            kind="care.explanation_answered", recipient=consenting
        ).exists()

    def test_another_cadre_cannot_ask_about_my_response(
        self, consenting: User, other_cadre: User
    ) -> None:
        response = take(consenting, "phq9", PHQ9_CRITICAL)
        url = reverse("care-portal:explain", args=[response.pk])
        assert logged_in(other_cadre).get(url).status_code == 404
