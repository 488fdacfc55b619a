"""FHIR R4 Questionnaire and QuestionnaireResponse: structure, codes and round trip."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sunflower.scales import AnswerError
from sunflower.scales.fhir import LOINC, ORDINAL_VALUE, questionnaire, questionnaire_response
from sunflower.scales.tests.helpers import SHIPPED, instrument

AUTHORED = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def answer_codings(resource: dict) -> dict[str, set[tuple[str, str]]]:  # type: ignore[type-arg]
    return {
        item["linkId"]: {
            (option["valueCoding"]["system"], option["valueCoding"]["code"])
            for option in item["answerOption"]
        }
        for item in resource["item"]
    }


class QuestionnaireTestCase:
    def test_it_codes_phq9_with_loinc(self) -> None:
        resource = questionnaire(instrument("phq9"))
        assert resource["resourceType"] == "Questionnaire"
        assert resource["code"] == [
            {
                "system": LOINC,
                "code": "44249-1",
                "display": "Patient Health Questionnaire-9 (PHQ-9)",
            }
        ]
        assert resource["item"][8]["code"][0]["code"] == "44260-8"
        options = resource["item"][0]["answerOption"]
        assert [o["valueCoding"]["code"] for o in options] == [
            "LA6568-5",
            "LA6569-3",
            "LA6570-1",
            "LA6571-9",
        ]
        assert [o["extension"][0] for o in options][3] == {"url": ORDINAL_VALUE, "valueDecimal": 3}

    def test_it_codes_gad7_with_loinc(self) -> None:
        resource = questionnaire(instrument("gad7"))
        assert resource["code"][0]["code"] == "69737-5"
        assert [item["code"][0]["code"] for item in resource["item"]] == [
            "69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7",
        ]  # fmt: skip

    @pytest.mark.parametrize("instrument_id", SHIPPED)
    def test_it_builds_a_well_formed_questionnaire(self, instrument_id: str) -> None:
        inst = instrument(instrument_id)
        resource = questionnaire(inst, base_url="https://xyh.example.gov.cn/fhir")
        json.dumps(resource)  # plain JSON types only
        assert resource["url"] == f"https://xyh.example.gov.cn/fhir/Questionnaire/{inst.id}"
        assert (resource["version"], resource["status"], resource["language"]) == (
            inst.version,
            "active",
            "zh-CN",
        )
        assert resource["name"][0].isupper() and resource["name"].isalnum()
        assert resource["title"] == inst.name["zh-Hans"]
        translation = resource["_title"]["extension"][0]["extension"]
        assert translation == [
            {"url": "lang", "valueCode": "en"},
            {"url": "content", "valueString": inst.name["en"]},
        ]
        assert [item["linkId"] for item in resource["item"]] == [
            str(n) for n in range(1, len(inst.items) + 1)
        ]
        for item, source in zip(resource["item"], inst.items, strict=True):
            assert item["type"] == "choice" and item["text"] == source.text["zh-Hans"]
            assert item["required"] is not source.optional
            weights = [o["extension"][0]["valueDecimal"] for o in item["answerOption"]]
            assert weights == [source.scored[code] for code in source.codes]  # reversal applied
        assert inst.licence.holder in resource["copyright"]

    def test_it_marks_the_womens_item_as_optional(self) -> None:
        items = questionnaire(instrument("phq15"))["item"]
        assert [item["required"] for item in items].count(False) == 1
        assert items[3]["required"] is False


class QuestionnaireResponseTestCase:
    @pytest.mark.parametrize("instrument_id", SHIPPED)
    def test_it_answers_with_codings_from_the_questionnaire(self, instrument_id: str) -> None:
        inst = instrument(instrument_id)
        answers: list[int | None] = [item.codes[-1] for item in inst.items]
        answers[0] = None
        response = questionnaire_response(inst, answers, AUTHORED)
        json.dumps(response)
        assert response["resourceType"] == "QuestionnaireResponse"
        assert response["questionnaire"].endswith(f"/Questionnaire/{inst.id}|{inst.version}")
        assert response["authored"] == "2026-03-01T09:30:00+08:00"
        assert response["status"] == "in-progress"
        offered = answer_codings(questionnaire(inst))
        assert [item["linkId"] for item in response["item"]] == [
            str(n) for n in range(2, len(inst.items) + 1)
        ]
        for item in response["item"]:
            (answer,) = item["answer"]
            coding = answer["valueCoding"]
            assert (coding["system"], coding["code"]) in offered[item["linkId"]]

    def test_it_is_completed_when_every_required_item_is_answered(self) -> None:
        response = questionnaire_response(
            instrument("phq15"),
            [0, 0, 0, None, *[1] * 11],
            AUTHORED,
            subject={"reference": "Patient/1"},
        )
        assert response["status"] == "completed"
        assert response["subject"] == {"reference": "Patient/1"}
        assert len(response["item"]) == 14

    def test_it_uses_the_loinc_answer_codes(self) -> None:
        response = questionnaire_response(instrument("phq9"), [0, 1, 2, 3, 0, 0, 0, 0, 1], AUTHORED)
        assert response["item"][3]["answer"][0]["valueCoding"] == {
            "system": LOINC,
            "code": "LA6571-9",
            "display": "几乎每天",
        }

    def test_it_refuses_bad_answers_and_naive_times(self) -> None:
        with pytest.raises(AnswerError, match="item 1: 7 is not an option code"):
            questionnaire_response(instrument("gad7"), [7, 0, 0, 0, 0, 0, 0], AUTHORED)
        with pytest.raises(ValueError, match="aware datetime"):
            questionnaire_response(instrument("gad7"), [0] * 7, dt.datetime(2026, 3, 1))  # noqa: DTZ001
