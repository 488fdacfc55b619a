"""FHIR R4 views of instruments (Questionnaire) and responses (QuestionnaireResponse).

Item texts are in Chinese, with English carried by the standard translation extension. Option
codes are exchanged as Codings: LOINC answer codes where the data file has them (PHQ-9, GAD-7),
otherwise a code system of this deployment (`base_url`). Each option also carries its score as
the R4 `ordinalValue` extension, so that a receiving system can total it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from sunflower.scales.engine import check_answers
from sunflower.scales.model import DEFAULT_LANGUAGE, Instrument, Item, Option, Text

LOINC = "http://loinc.org"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
# A reserved name: a deployment passes its own base URL.
DEFAULT_BASE_URL = "https://sunflower.invalid/fhir"
FHIR_LANGUAGE = {"zh-Hans": "zh-CN", "en": "en"}
LICENCE_STATUS_TEXT = {
    "free": "Free to use",
    "free_non_commercial": "Free for non-commercial use",
    "unclear": "Licence status unclear; legal advice pending",
    "permission_required": "Used under a licence held by this deployment",
    "commercial": "Used under a commercial licence held by this deployment",
}


def canonical_url(instrument: Instrument, base_url: str = DEFAULT_BASE_URL) -> str:
    return f"{base_url}/Questionnaire/{instrument.id}"


def option_system(instrument: Instrument, item: Item, base_url: str = DEFAULT_BASE_URL) -> str:
    return f"{base_url}/CodeSystem/{instrument.id}-{item.option_set}"


def _translated(text: Text) -> dict[str, Any]:
    """The `_field` element carrying the other languages of a text."""
    return {
        "extension": [
            {
                "url": TRANSLATION,
                "extension": [
                    {"url": "lang", "valueCode": FHIR_LANGUAGE[language]},
                    {"url": "content", "valueString": value},
                ],
            }
            for language, value in text.items()
            if language != DEFAULT_LANGUAGE
        ]
    }


def _coding(instrument: Instrument, item: Item, option: Option, base_url: str) -> dict[str, Any]:
    if option.loinc:
        coding: dict[str, Any] = {"system": LOINC, "code": option.loinc}
    else:
        coding = {"system": option_system(instrument, item, base_url), "code": str(option.code)}
    coding["display"] = option.label[DEFAULT_LANGUAGE]
    coding["_display"] = _translated(option.label)
    return coding


def _pascal(identifier: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]", identifier) if part)


def questionnaire(instrument: Instrument, *, base_url: str = DEFAULT_BASE_URL) -> dict[str, Any]:
    """The instrument as a FHIR R4 Questionnaire resource (a JSON-ready dict)."""
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": f"{instrument.id}-{instrument.version}".replace(".", "-"),
        "url": canonical_url(instrument, base_url),
        "version": instrument.version,
        "name": _pascal(instrument.id),
        "title": instrument.name[DEFAULT_LANGUAGE],
        "_title": _translated(instrument.name),
        "status": "active",
        "language": FHIR_LANGUAGE[DEFAULT_LANGUAGE],
        "description": instrument.instructions[DEFAULT_LANGUAGE],
        "_description": _translated(instrument.instructions),
        "copyright": (
            f"{instrument.licence.holder}. {instrument.licence.terms} "
            f"({LICENCE_STATUS_TEXT[instrument.licence.status]}.)"
        ),
        "subjectType": ["Patient"],
    }
    if instrument.loinc_panel:
        resource["code"] = [
            {"system": LOINC, "code": instrument.loinc_panel, "display": instrument.name["en"]}
        ]
    items: list[dict[str, Any]] = []
    for item in instrument.items:
        entry: dict[str, Any] = {
            "linkId": str(item.number),
            "prefix": str(item.number),
            "text": item.text[DEFAULT_LANGUAGE],
            "_text": _translated(item.text),
            "type": "choice",
            "required": not item.optional,
            "repeats": False,
            "answerOption": [
                {
                    "valueCoding": _coding(instrument, item, option, base_url),
                    "extension": [{"url": ORDINAL_VALUE, "valueDecimal": item.scored[option.code]}],
                }
                for option in item.options
            ],
        }
        if item.loinc:
            entry["code"] = [{"system": LOINC, "code": item.loinc, "display": item.text["en"]}]
        items.append(entry)
    resource["item"] = items
    return resource


def questionnaire_response(
    instrument: Instrument,
    answers: Sequence[int | None],
    authored: dt.datetime,
    *,
    base_url: str = DEFAULT_BASE_URL,
    subject: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A response as a FHIR R4 QuestionnaireResponse; unanswered items are left out."""
    if authored.tzinfo is None or authored.utcoffset() is None:
        raise ValueError("authored must be an aware datetime (FHIR requires a time zone)")
    checked = check_answers(instrument, answers)
    complete = all(
        code is not None
        for code, item in zip(checked, instrument.items, strict=True)
        if not item.optional
    )
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{canonical_url(instrument, base_url)}|{instrument.version}",
        "status": "completed" if complete else "in-progress",
        "authored": authored.isoformat(timespec="seconds"),
        "language": FHIR_LANGUAGE[DEFAULT_LANGUAGE],
    }
    if subject is not None:
        resource["subject"] = subject
    items: list[dict[str, Any]] = []
    for item, code in zip(instrument.items, checked, strict=True):
        if code is None:
            continue
        option = next(option for option in item.options if option.code == code)
        coding = _coding(instrument, item, option, base_url)
        coding.pop("_display")
        items.append(
            {
                "linkId": str(item.number),
                "text": item.text[DEFAULT_LANGUAGE],
                "answer": [{"valueCoding": coding}],
            }
        )
    resource["item"] = items
    return resource
