"""The PDF report and the FHIR resources of a response, and the instrument Questionnaires."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import City, verified_login
from sunflower.accounts.models import User
from sunflower.assessments import reports
from sunflower.assessments.models import Campaign
from sunflower.assessments.tests.helpers import PHQ9_MODERATE
from sunflower.assessments.tests.records import keeper, open_campaign, take
from sunflower.audit.models import AuditEvent
from sunflower.privacy.tests.pdftext import pdf_text
from sunflower.scales import load_library
from sunflower.scales.fhir import LOINC


def cadre_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_download(reply: object, content_type: str, pattern: str) -> None:
    assert reply.status_code == 200  # type: ignore[attr-defined]
    assert reply["Content-Type"] == content_type  # type: ignore[index]
    disposition = reply["Content-Disposition"]  # type: ignore[index]
    assert re.fullmatch(rf'attachment; filename="{pattern}"', disposition), disposition
    assert "no-store" in reply["Cache-Control"]  # type: ignore[index]


@pytest.fixture
def campaign(bob: User, city: City, consenting: User) -> Campaign:
    return open_campaign(bob, city.city)


class PdfReportTestCase:
    def test_the_cadre_downloads_their_own_copy(self, consenting: User) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        page = cadre_client(consenting).get(reverse("assessments:result", args=[response.pk]))
        url = reverse("assessments:report-pdf", args=[response.pk])
        assert url in page.content.decode()
        reply = cadre_client(consenting).get(url)
        assert_download(reply, "application/pdf", r"report-\d{8}\.pdf")
        pdf = reply.content
        assert pdf.startswith(b"%PDF-")
        assert b"STSong-Light" in pdf
        text = pdf_text(pdf)
        for words in (
            "心理测评结果报告",
            "本人副本",
            "患者健康问卷抑郁量表（PHQ-9）",
            "中度",
            "12356",
        ):
            assert words in text, words
        assert "王小明" not in text
        event = AuditEvent.objects.filter(
            action="assessment.read", object_id=str(response.pk)
        ).order_by("pk")
        assert event.last().changes["purpose"] == "pdf"  # type: ignore[union-attr]

    def test_the_record_keeper_copy_names_the_cadre(
        self, campaign: Campaign, consenting: User, city: City
    ) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        reader = keeper("keeper-a", city.district_a)
        reply = verified_login(Client(), reader).get(reverse("results:pdf", args=[response.pk]))
        assert_download(reply, "application/pdf", r"report-\d{8}\.pdf")
        text = pdf_text(reply.content)
        for words in ("档案管理员存档副本", "王小明", "东港区海滨街道", "2026 年度心理普查"):
            assert words in text, words

    def test_another_cadre_gets_404(self, consenting: User, other_cadre: User) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        url = reverse("assessments:report-pdf", args=[response.pk])
        assert cadre_client(other_cadre).get(url).status_code == 404

    def test_a_subscale_instrument_renders(self, consenting: User) -> None:
        response = take(consenting, "scl90", [1] * 45 + [2] * 45)
        text = pdf_text(reports.response_pdf(response, own_copy=True))
        assert "分量表得分" in text
        assert "躯体化" in text


class FhirTestCase:
    def test_the_cadre_downloads_a_questionnaire_response(self, consenting: User) -> None:
        response = take(consenting, "phq9", PHQ9_MODERATE)
        reply = cadre_client(consenting).get(reverse("assessments:fhir", args=[response.pk]))
        assert_download(reply, reports.FHIR_CONTENT_TYPE, r"questionnaire-response-\d{8}\.json")
        resource = json.loads(reply.content)
        assert resource["resourceType"] == "QuestionnaireResponse"
        assert resource["status"] == "completed"
        assert resource["id"] == str(response.pk)
        questionnaire = reports.instrument_fhir(load_library().get("phq9", "1"))
        assert resource["questionnaire"] == f"{questionnaire['url']}|1"
        assert [i["linkId"] for i in resource["item"]] == [
            i["linkId"] for i in questionnaire["item"]
        ]
        first = resource["item"][0]["answer"][0]["valueCoding"]
        assert (first["system"], first["code"]) == (LOINC, "LA6570-1")  # "more than half"
        assert resource["subject"]["reference"] == f"Patient/{consenting.person_id}"
        event = AuditEvent.objects.filter(
            action="assessment.read", object_id=str(response.pk)
        ).order_by("pk")
        assert event.last().changes["purpose"] == "fhir"  # type: ignore[union-attr]

    def test_the_record_keeper_downloads_one_in_scope(
        self, campaign: Campaign, consenting: User, city: City
    ) -> None:
        response = take(consenting, "gad7", [1, 1, 1, 1, 1, 0, 0])
        client = verified_login(Client(), keeper("keeper-a", city.district_a))
        reply = client.get(reverse("results:fhir", args=[response.pk]))
        assert json.loads(reply.content)["resourceType"] == "QuestionnaireResponse"
        other = verified_login(Client(), keeper("keeper-b", city.district_b))
        assert other.get(reverse("results:fhir", args=[response.pk])).status_code == 404

    @pytest.mark.parametrize(("instrument_id", "loinc"), [("phq9", "44249-1"), ("gad7", "69737-5")])
    def test_staff_download_questionnaires_with_loinc(
        self, instrument_id: str, loinc: str, bob: User
    ) -> None:
        client = verified_login(Client(), bob)
        page = client.get(reverse("instruments:list")).content.decode()
        url = reverse("instruments:questionnaire", args=[instrument_id])
        assert url in page
        reply = client.get(url)
        assert_download(reply, reports.FHIR_CONTENT_TYPE, rf"questionnaire-{instrument_id}-1\.json")
        resource = json.loads(reply.content)
        assert resource["resourceType"] == "Questionnaire"
        assert resource["status"] == "active"
        assert resource["code"][0] == {
            "system": LOINC,
            "code": loinc,
            "display": resource["code"][0]["display"],
        }
        assert all(item["linkId"] and item["answerOption"] for item in resource["item"])

    def test_an_unknown_instrument_or_version_is_404(self, bob: User) -> None:
        client = verified_login(Client(), bob)
        assert client.get(reverse("instruments:questionnaire", args=["nope"])).status_code == 404
        url = reverse("instruments:questionnaire", args=["phq9"])
        assert client.get(url, {"version": "99"}).status_code == 404
