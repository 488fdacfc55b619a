"""Properties every shipped instrument must have, checked on generated responses.

In range: every score lies between the lowest and highest the items allow.
Monotone: raising one item's scored value never lowers a score that contains it, nor moves a
range band down.
Reverse symmetric: a reversed item answered c scores exactly what a forward item answered with
the mirror code (min + max − c) scores.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sunflower.scales import Instrument, score, score_many
from sunflower.scales.model import Item
from sunflower.scales.numbers import quantize
from sunflower.scales.tests.helpers import SHIPPED, demo, instrument

FAST = settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
ALL = [*SHIPPED, "demo"]


def get(instrument_id: str) -> Instrument:
    return demo() if instrument_id == "demo" else instrument(instrument_id)


def complete_answers(inst: Instrument) -> st.SearchStrategy[list[int | None]]:
    return st.tuples(*(st.sampled_from(item.codes) for item in inst.items)).map(list)


def any_answers(inst: Instrument) -> st.SearchStrategy[list[int | None]]:
    return st.tuples(
        *(st.one_of(st.none(), st.sampled_from(item.codes)) for item in inst.items)
    ).map(list)


def reported_bounds(
    low: Fraction, high: Fraction, decimals: int, rounding: str
) -> tuple[object, object]:
    return quantize(low, decimals, rounding), quantize(high, decimals, rounding)


@pytest.mark.parametrize("instrument_id", ALL)
class RangeTestCase:
    @FAST
    @given(data=st.data())
    def test_it_keeps_every_score_in_range(self, instrument_id: str, data: st.DataObject) -> None:
        inst = get(instrument_id)
        result = score(inst, data.draw(complete_answers(inst)))
        assert result.complete
        for scale in [inst.total, *inst.subscales]:
            if scale is None:
                continue
            value = result.value(scale.ref)
            low, high = reported_bounds(scale.low, scale.high, scale.decimals, scale.rounding)
            assert value is not None and low <= value <= high  # type: ignore[operator]
        for index in inst.indices:
            value = result.indices[index.key]
            if value is None:
                assert index.kind == "mean_at_least"  # PSDI with no positive item
                continue
            low, high = reported_bounds(index.low, index.high, index.decimals, index.rounding)
            assert low <= value <= high  # type: ignore[operator]
        if inst.band_set() is not None:
            assert result.band is not None  # a complete response always gets a band

    @FAST
    @given(data=st.data())
    def test_it_accepts_any_pattern_of_missing_answers(
        self, instrument_id: str, data: st.DataObject
    ) -> None:
        inst = get(instrument_id)
        answers = data.draw(any_answers(inst))
        result = score(inst, answers)
        required = [a for a, item in zip(answers, inst.items, strict=True) if not item.optional]
        assert result.complete is all(a is not None for a in required)
        if inst.total is not None and inst.total.missing.rule == "all_required":
            assert (result.total is None) is (not result.complete)


@pytest.mark.parametrize("instrument_id", ALL)
class MonotoneTestCase:
    @FAST
    @given(data=st.data())
    def test_it_never_lowers_a_score_when_an_item_gets_worse(
        self, instrument_id: str, data: st.DataObject
    ) -> None:
        inst = get(instrument_id)
        answers = data.draw(complete_answers(inst))
        position = data.draw(st.integers(0, len(inst.items) - 1))
        item = inst.items[position]
        ladder = sorted(item.codes, key=lambda code: item.scored[code])  # by scored value
        results = []
        for code in ladder:
            answers[position] = code
            results.append(score(inst, answers))
        refs = [s.ref for s in [inst.total, *inst.subscales] if s is not None]
        refs += [f"indices.{i.key}" for i in inst.indices if i.kind != "mean_at_least"]
        for ref in refs:
            values = [r.value(ref) for r in results]
            assert values == sorted(values), (ref, values)  # type: ignore[type-var]
        bands = inst.band_set()
        if bands is not None and bands.ranges:
            order = [b.code for b in bands.ranges]
            ranks = [order.index(r.band.code) for r in results if r.band is not None]
            assert ranks == sorted(ranks)


def forward_twin(inst: Instrument) -> Instrument:
    """The same instrument with nothing reversed."""
    items = tuple(
        dataclasses.replace(
            item, reverse=False, scored={option.code: option.value for option in item.options}
        )
        for item in inst.items
    )
    return dataclasses.replace(inst, items=items, digest=inst.digest + "-forward")


def mirror(item: Item, code: int) -> int:
    values = [option.value for option in item.options]
    wanted = min(values) + max(values) - next(o.value for o in item.options if o.code == code)
    return next(option.code for option in item.options if option.value == wanted)


REVERSING = [i for i in ALL if any(item.reverse for item in get(i).items)]


@pytest.mark.parametrize("instrument_id", REVERSING)
class ReverseSymmetryTestCase:
    def test_it_lists_the_instruments_with_reversed_items(self, instrument_id: str) -> None:
        assert set(REVERSING) == {"brs", "cbi", "cpss14", "pss10", "sas", "sds", "demo"}

    @FAST
    @given(data=st.data())
    def test_it_scores_a_reversed_item_as_its_mirror_code(
        self, instrument_id: str, data: st.DataObject
    ) -> None:
        inst = get(instrument_id)
        twin = forward_twin(inst)
        answers = data.draw(any_answers(inst))
        mirrored = [
            code if code is None or not item.reverse else mirror(item, code)
            for item, code in zip(inst.items, answers, strict=True)
        ]
        original, forward = score(inst, answers), score(twin, mirrored)
        assert (original.total, original.subscales, original.indices) == (
            forward.total,
            forward.subscales,
            forward.indices,
        )

    def test_it_maps_the_lowest_code_of_a_reversed_item_to_the_highest_value(
        self, instrument_id: str
    ) -> None:
        for item in get(instrument_id).items:
            if item.reverse:
                values = [o.value for o in item.options]
                lowest = min(item.options, key=lambda o: o.value).code
                assert item.scored[lowest] == max(values)


@pytest.mark.parametrize("instrument_id", ALL)
class BatchTestCase:
    @settings(FAST, max_examples=10)
    @given(data=st.data())
    def test_it_scores_a_batch_like_one_by_one(
        self, instrument_id: str, data: st.DataObject
    ) -> None:
        inst = get(instrument_id)
        responses = data.draw(st.lists(any_answers(inst), min_size=1, max_size=8))
        assert score_many(inst, responses) == [score(inst, answers) for answers in responses]


CRITICAL = [i for i in SHIPPED if any(rule.code == "critical_item" for rule in get(i).flags)]


@pytest.mark.parametrize("instrument_id", CRITICAL)
class CriticalItemTestCase:
    def test_it_lists_the_instruments_with_critical_items(self, instrument_id: str) -> None:
        assert set(CRITICAL) == {"phq9", "scl90", "sds", "srq20"}

    @FAST
    @given(data=st.data())
    def test_it_flags_on_the_item_alone(self, instrument_id: str, data: st.DataObject) -> None:
        inst = get(instrument_id)
        answers = data.draw(any_answers(inst))
        rule = next(rule for rule in inst.flags if rule.code == "critical_item")
        expected = any(answers[p] is not None and rule.hit(answers[p]) for p in rule.items)  # type: ignore[arg-type]
        assert ("critical_item" in score(inst, answers).flags) is expected
