"""Shared helpers for the scales tests (no Django)."""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

from sunflower.scales import Instrument, Library, load_library, score, validate_instrument_file

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHIPPED = [
    *("auditc", "brs", "cbi", "cpss14", "gad7", "k10", "k6", "pcl5", "phq15", "phq9"),
    *("pss10", "sas", "scl90", "sds", "srq20", "ucla3", "who5"),
]


@functools.cache
def library() -> Library:
    return load_library()


def instrument(instrument_id: str) -> Instrument:
    return library().get(instrument_id)


@functools.cache
def demo() -> Instrument:
    return validate_instrument_file(FIXTURES / "demo.v1.yaml")


def scored(instrument_id: str, answers: list[int | None], **kwargs: Any) -> dict[str, Any]:
    return score(instrument(instrument_id), answers, **kwargs).to_dict()


def d(text: str) -> Decimal:
    return Decimal(text)
