"""The scoring engine: answers (option codes in item order) in, a Result out.

Exactness: item values are integers; sums stay integers and means are Fractions, so nothing is
rounded until a score is reported, and then once, to the decimals its data file documents (see
numbers.py). Bands and thresholds compare the reported value, so that a displayed score and its
band can never disagree.

Missing answers follow each instrument's published rule (its `missing` block): all items
required, prorating a sum when at most `max_missing` items are unanswered, or a mean of the
answered items when at least `min_answered` are answered. A score the rule does not allow is
None. `complete` says whether every required item was answered; a prorated score adds the flag
"prorated". Flags from item rules (critical items) are raised from whatever was answered,
complete or not: a crisis answer must never be lost because another item was skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sunflower.scales.errors import AnswerError
from sunflower.scales.model import (
    DEFAULT_LANGUAGE,
    Band,
    BandSet,
    Condition,
    Index,
    Instrument,
    Scale,
)
from sunflower.scales.numbers import Number, quantize

PRORATED = "prorated"

Answers = Sequence[int | None]


@dataclass(frozen=True)
class Result:
    instrument: str
    version: str
    complete: bool
    total: Number | None
    subscales: Mapping[str, Number | None]
    indices: Mapping[str, Number | None]
    band: Band | None
    convention: str | None  # the band convention used
    flags: tuple[str, ...]
    flagged_items: Mapping[str, tuple[int, ...]]  # flag code -> item numbers that raised it
    answered: int

    def to_dict(self, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        """The command-line and API shape; numbers are int or Decimal (see numbers.dumps)."""
        return {
            "instrument": self.instrument,
            "version": self.version,
            "complete": self.complete,
            "total": self.total,
            "subscales": dict(self.subscales),
            "indices": dict(self.indices),
            "band": (
                None
                if self.band is None
                else {"code": self.band.code, "label": self.band.label[language]}
            ),
            "flags": list(self.flags),
        }

    def value(self, ref: str) -> Number | None:
        """A reported score by reference: "total", "subscales.<key>" or "indices.<key>"."""
        if ref == "total":
            return self.total
        group, _, key = ref.partition(".")
        if group == "subscales":
            return self.subscales[key]
        if group == "indices":
            return self.indices[key]
        raise KeyError(ref)


@dataclass(frozen=True)
class _ScalePlan:
    scale: Scale
    positions: tuple[int, ...]
    weights: tuple[Fraction, ...] | None  # weighted_sum only
    optional: frozenset[int]


@dataclass(frozen=True)
class _Plan:
    """An instrument turned into lookup tables once, for scoring many responses."""

    instrument: Instrument
    tables: tuple[Mapping[int, int], ...]  # per item: code -> scored value
    required: tuple[int, ...]
    scales: tuple[_ScalePlan, ...]


_plans: dict[tuple[str, str, str], _Plan] = {}


def _plan(instrument: Instrument) -> _Plan:
    key = (instrument.id, instrument.version, instrument.digest)
    plan = _plans.get(key)
    if plan is None or plan.instrument is not instrument:
        scales = [instrument.total, *instrument.subscales]
        plan = _Plan(
            instrument=instrument,
            tables=tuple(item.scored for item in instrument.items),
            required=tuple(i for i, item in enumerate(instrument.items) if not item.optional),
            scales=tuple(
                _ScalePlan(
                    scale=scale,
                    positions=scale.items,
                    weights=(
                        tuple(instrument.items[p].weight for p in scale.items)
                        if scale.method == "weighted_sum"
                        else None
                    ),
                    optional=frozenset(p for p in scale.items if instrument.items[p].optional),
                )
                for scale in scales
                if scale is not None
            ),
        )
        _plans[key] = plan
    return plan


def check_answers(instrument: Instrument, answers: object) -> list[int | None]:
    """The answers as a list, or AnswerError naming the first problem."""
    if not isinstance(answers, Sequence) or isinstance(answers, str | bytes):
        raise AnswerError("answers must be a list of option codes (null for unanswered)")
    items = instrument.items
    if len(answers) != len(items):
        raise AnswerError(f"{instrument.id} has {len(items)} items, got {len(answers)} answers")
    checked: list[int | None] = []
    for item, code in zip(items, answers, strict=True):
        if code is not None and (
            isinstance(code, bool) or not isinstance(code, int) or code not in item.scored
        ):
            codes = ", ".join(str(c) for c in item.codes)
            shown = json.dumps(code, ensure_ascii=False) if _jsonable(code) else repr(code)
            raise AnswerError(f"item {item.number}: {shown} is not an option code ({codes})")
        checked.append(code)
    return checked


def _jsonable(value: object) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def score(instrument: Instrument, answers: Answers, *, convention: str | None = None) -> Result:
    """Score one response; raises AnswerError for answers that do not fit the instrument."""
    plan = _plan(instrument)
    bands = instrument.band_set(convention)
    return _score(plan, check_answers(instrument, answers), bands)


def score_many(
    instrument: Instrument, responses: Iterable[Answers], *, convention: str | None = None
) -> list[Result]:
    """Score a batch; an AnswerError names the response ("responses[3]: item 2: …")."""
    plan = _plan(instrument)
    bands = instrument.band_set(convention)
    results: list[Result] = []
    for n, answers in enumerate(responses):
        try:
            checked = check_answers(instrument, answers)
        except AnswerError as exc:
            raise AnswerError(f"responses[{n}]: {exc}") from None
        results.append(_score(plan, checked, bands))
    return results


def _score(plan: _Plan, answers: list[int | None], bands: BandSet | None) -> Result:
    instrument = plan.instrument
    values = [
        None if code is None else table[code]
        for code, table in zip(answers, plan.tables, strict=True)
    ]
    exact: dict[str, Fraction | None] = {}
    reported: dict[str, Number | None] = {}
    prorated = False
    for scale_plan in plan.scales:
        value, was_prorated = _scale_value(scale_plan, values)
        prorated = prorated or was_prorated
        scale = scale_plan.scale
        exact[scale.ref] = value
        reported[scale.ref] = (
            None if value is None else quantize(value, scale.decimals, scale.rounding)
        )
    for index in instrument.indices:
        value = _index_value(index, values, exact)
        ref = f"indices.{index.key}"
        exact[ref] = value
        reported[ref] = None if value is None else quantize(value, index.decimals, index.rounding)

    flags: list[str] = []
    flagged: dict[str, tuple[int, ...]] = {}
    for rule in instrument.flags:
        hits = tuple(
            p + 1 for p in rule.items if (code := answers[p]) is not None and rule.hit(code)
        )
        if hits:
            flagged[rule.code] = flagged.get(rule.code, ()) + hits
            if rule.code not in flags:
                flags.append(rule.code)
    if prorated:
        flags.append(PRORATED)

    return Result(
        instrument=instrument.id,
        version=instrument.version,
        complete=all(answers[p] is not None for p in plan.required),
        total=reported.get("total"),
        subscales={s.key: reported[s.ref] for s in instrument.subscales},
        indices={i.key: reported[f"indices.{i.key}"] for i in instrument.indices},
        band=None if bands is None else _band(bands, reported, instrument),
        convention=None if bands is None else bands.convention,
        flags=tuple(flags),
        flagged_items=flagged,
        answered=sum(code is not None for code in answers),
    )


def _scale_value(plan: _ScalePlan, values: list[int | None]) -> tuple[Fraction | None, bool]:
    """The exact score of one scale and whether it was prorated, or None if not allowed."""
    scale = plan.scale
    answered = missing = 0
    if plan.weights is None:
        total: int | Fraction = 0
        for p in plan.positions:
            value = values[p]
            if value is not None:
                total += value
                answered += 1
            elif p not in plan.optional:  # e.g. PHQ-15 item 4 for men: not asked, not missing
                missing += 1
        all_weight: int | Fraction = answered + missing
        answered_weight: int | Fraction = answered
    else:
        total = all_weight = answered_weight = Fraction(0)
        for p, weight in zip(plan.positions, plan.weights, strict=True):
            value = values[p]
            if value is not None:
                total += weight * value
                answered += 1
                answered_weight += weight
                all_weight += weight
            elif p not in plan.optional:
                missing += 1
                all_weight += weight
    rule = scale.missing
    if scale.method == "mean":
        if answered == 0:
            return None, False
        if missing == 0:
            return Fraction(total, answered), False
        if rule.rule == "mean_of_answered" and answered >= rule.min_answered:
            return Fraction(total, answered), True
        return None, False
    if missing == 0:
        return Fraction(total), False
    if rule.rule == "prorate" and missing <= rule.max_missing and answered > 0:
        return Fraction(total) * all_weight / answered_weight, True
    return None, False


def _index_value(
    index: Index, values: list[int | None], exact: Mapping[str, Fraction | None]
) -> Fraction | None:
    if index.kind == "scaled":
        assert index.of is not None  # noqa: S101 (the loader requires it)
        source = exact.get(index.of)
        return None if source is None else source * index.multiply + index.add
    picked = [values[p] for p in index.items]
    if any(value is None for value in picked):
        return None
    above = [value for value in picked if value is not None and value >= index.at_least]
    if index.kind == "count_at_least":
        return Fraction(len(above))
    if not above:
        return None  # e.g. SCL-90 PSDI when no item is positive: a mean of nothing
    return Fraction(sum(above), len(above))


_OPS = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b,
}


def _band(
    bands: BandSet, reported: Mapping[str, Number | None], instrument: Instrument
) -> Band | None:
    if bands.score is not None:
        value = reported.get(bands.score)
        if value is None:
            return None
        for band in bands.ranges:
            assert band.min is not None and band.max is not None  # noqa: S101 (range bands)
            if band.min <= value <= band.max:
                return band
        return None
    for rule in bands.rules:
        if not rule.any:
            return rule.band
        outcome = _any(rule.any, reported, instrument)
        if outcome is None:
            return None  # cannot tell yet: an earlier band might apply with the missing scores
        if outcome:
            return rule.band
    return None


def _any(
    conditions: Sequence[Condition], reported: Mapping[str, Number | None], instrument: Instrument
) -> bool | None:
    """True if any condition holds, None if none holds but some could not be evaluated."""
    unknown = False
    for condition in conditions:
        if condition.score == "subscales.*":
            refs = [scale.ref for scale in instrument.subscales]
        else:
            refs = [condition.score]
        for ref in refs:
            value = reported.get(ref)
            if value is None:
                unknown = True
            elif _OPS[condition.op](Decimal(value), condition.value):
                return True
    return None if unknown else False
