"""Scoring throughput: batches of random SCL-90 and PHQ-9 responses through score_many.

The baseline in the same run is a bare Python sum of the same answer lists, so the ratio says
what validation, reversal, factors, indices, bands and flags cost on this machine.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import Any

from sunflower.scales.engine import score_many
from sunflower.scales.loader import load_library
from sunflower.scales.model import Instrument

DEFAULT_INSTRUMENTS = ("scl90", "phq9")


def random_responses(instrument: Instrument, n: int, seed: int) -> list[list[int | None]]:
    rng = random.Random(seed)  # noqa: S311 (benchmark data, not a secret)
    codes = [item.codes for item in instrument.items]
    return [[rng.choice(options) for options in codes] for _ in range(n)]


def _timed(function: Any, *args: Any) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def _plain_sums(responses: Sequence[Sequence[int | None]]) -> None:
    for answers in responses:
        sum(code or 0 for code in answers)


def benchmark_scoring(
    n: int = 10_000, seed: int = 0, instruments: Sequence[str] = DEFAULT_INSTRUMENTS
) -> dict[str, Any]:
    """Score n random responses per instrument; rates in responses per second."""
    if n < 1:
        raise ValueError("n must be at least 1")
    library = load_library()
    report: dict[str, Any] = {"responses": n, "seed": seed, "instruments": {}}
    for offset, instrument_id in enumerate(instruments):
        instrument = library.get(instrument_id)
        responses = random_responses(instrument, n, seed + offset)
        score_many(instrument, responses[: min(n, 100)])  # warm the lookup tables
        seconds = _timed(score_many, instrument, responses)
        baseline = _timed(_plain_sums, responses)
        report["instruments"][instrument.ref] = {
            "items": len(instrument.items),
            "seconds": round(seconds, 4),
            "responses_per_second": round(n / seconds),
            "baseline_sums_per_second": round(n / baseline),
            "ratio_to_baseline": round(baseline / seconds, 3),
        }
    return report
