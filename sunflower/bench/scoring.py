"""`sunflower bench score`: how many responses a second the scoring engine scores.

A thin wrapper around sunflower.scales.bench.benchmark_scoring (random SCL-90 and PHQ-9
responses through score_many); no database is touched.
"""

from __future__ import annotations

import argparse
import os
import platform
from typing import Any, TextIO

from sunflower.scales.bench import benchmark_scoring

DEFAULT_RESPONSES = 10_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--responses", type=int, default=DEFAULT_RESPONSES)
    parser.add_argument("--seed", type=int, default=0)


def run(options: dict[str, Any], out: TextIO) -> None:
    responses = options["responses"]
    if responses < 1:
        raise ValueError("--responses must be at least 1")
    report = benchmark_scoring(responses, options["seed"])
    out.write(
        f"bench score: {responses} random responses per instrument, seed {options['seed']}\n"
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}\n"
    )
    for ref, row in report["instruments"].items():
        out.write(
            f"  {ref:<10}{row['items']:>3} items  {row['responses_per_second']:>10,} responses/s"
            f"  (bare sum {row['baseline_sums_per_second']:,}/s, ratio "
            f"{row['ratio_to_baseline']:.3f})\n"
        )
