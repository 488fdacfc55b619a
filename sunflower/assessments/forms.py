"""Reading one page of answers from a POST: option codes by item number."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from sunflower.assessments.actions import AssessmentError
from sunflower.scales import Instrument


def field_name(number: int) -> str:
    return f"q{number}"


def page_answers(
    data: Mapping[str, str], instrument: Instrument, positions: Iterable[int]
) -> dict[int, int | None]:
    """0-based position → chosen code (None when left empty); a non-number is refused here,
    a number outside the item's options by the action."""
    answers: dict[int, int | None] = {}
    for position in positions:
        raw = (data.get(field_name(instrument.items[position].number)) or "").strip()
        if not raw:
            answers[position] = None
            continue
        try:
            answers[position] = int(raw)
        except ValueError:
            raise AssessmentError(_("有答案不在选项范围内，请重新选择。")) from None
    return answers
