"""Comparing a score with norms (T-score, percentile) and with an earlier score (RCI).

T = 50 + 10·(x − mean)/SD is computed exactly and reported to one decimal. The percentile
assumes the norm group's scores are normally distributed (the published norms give only a mean
and an SD), so it is an approximation and is labelled so wherever it is shown.

The Jacobson–Truax reliable change index is RCI = (x2 − x1) / (SD·√2·√(1 − r)); a change is
reliable when |RCI| > 1.96. SD is the baseline or normative SD and r the test–retest
reliability (or α when no retest is published), both from the instrument's data file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Literal

from sunflower.scales.model import Instrument
from sunflower.scales.numbers import Number, quantize

RELIABLE_Z = Decimal("1.96")


@dataclass(frozen=True)
class NormComparison:
    score: str
    group: str
    source: str
    evidence: str
    mean: Decimal
    sd: Decimal
    z: Decimal  # two decimals
    t: Decimal  # one decimal
    percentile: Decimal  # one decimal, assuming a normal distribution


@dataclass(frozen=True)
class ReliableChange:
    rci: Decimal  # two decimals
    threshold: Decimal  # the smallest reliable change in score points, two decimals
    reliable: bool
    direction: Literal["improved", "worsened", "no_reliable_change"]


def t_score(value: Number, mean: Decimal, sd: Decimal) -> Decimal:
    z = (Fraction(value) - Fraction(mean)) / Fraction(sd)
    return Decimal(quantize(50 + 10 * z, 1))


def percentile(value: Number, mean: Decimal, sd: Decimal) -> Decimal:
    z = (Fraction(value) - Fraction(mean)) / Fraction(sd)
    share = 0.5 * (1.0 + math.erf(float(z) / math.sqrt(2.0)))
    return Decimal(quantize(Fraction(share * 100), 1))


def compare_to_norm(
    instrument: Instrument, score: str, value: Number, group: str | None = None
) -> NormComparison:
    """Where `value` of `score` ("total", "subscales.depression", …) stands in a norm group."""
    for norm in instrument.norms:
        if (group is None or norm.group == group) and score in norm.scores:
            stats = norm.scores[score]
            z = (Fraction(value) - Fraction(stats.mean)) / Fraction(stats.sd)
            return NormComparison(
                score=score,
                group=norm.group,
                source=norm.source,
                evidence=norm.evidence,
                mean=stats.mean,
                sd=stats.sd,
                z=Decimal(quantize(z, 2)),
                t=t_score(value, stats.mean, stats.sd),
                percentile=percentile(value, stats.mean, stats.sd),
            )
    wanted = f"group {group!r}" if group else "any group"
    raise KeyError(f"{instrument.id} has no norm for {score} in {wanted}")


def reliable_change_index(
    before: Number,
    after: Number,
    sd: Decimal | int | str,
    reliability: Decimal | str | float,
    *,
    higher_is: Literal["worse", "better"] = "worse",
) -> ReliableChange:
    sd_d = Decimal(str(sd))
    r = Decimal(str(reliability))
    if sd_d <= 0 or not 0 < r < 1:
        raise ValueError("need SD > 0 and 0 < r < 1")
    with localcontext() as context:
        context.prec = 28
        se_difference = sd_d * (2 * (1 - r)).sqrt()
        change = Decimal(after) - Decimal(before)
        rci = change / se_difference
        threshold = RELIABLE_Z * se_difference
    reliable = abs(rci) > RELIABLE_Z
    direction: Literal["improved", "worsened", "no_reliable_change"] = "no_reliable_change"
    if reliable:
        better = change < 0 if higher_is == "worse" else change > 0
        direction = "improved" if better else "worsened"
    return ReliableChange(
        rci=Decimal(quantize(Fraction(rci), 2)),
        threshold=Decimal(quantize(Fraction(threshold), 2)),
        reliable=reliable,
        direction=direction,
    )


def instrument_reliable_change(
    instrument: Instrument, score: str, before: Number, after: Number
) -> ReliableChange:
    """RCI with the SD and reliability recorded in the instrument's data file."""
    for entry in instrument.reliability:
        if entry.score == score:
            return reliable_change_index(
                before, after, entry.sd, entry.r, higher_is=instrument.higher_is
            )
    raise KeyError(f"{instrument.id} records no SD and reliability for {score}")
