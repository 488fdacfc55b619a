"""`sunflower bench write`: what field encryption and the audit trail cost a write.

Three cases, each one committed transaction per write on the configured database:
(a) insert a row with a plain text column;
(b) the same with the column encrypted (EncryptedTextField, shared key);
(c) (b) plus an audit entry in the same transaction, as every action writes one.

The cases run interleaved, a block of N writes each per round (a, b, c, a, b, c, …), so that a
slow spell of the machine hits all three alike; the median rate over the rounds is reported.
Sealing the audit chain is not part of a write (ADR 0008); its rate is reported separately.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from django.conf import settings
from django.db import connection, transaction

from sunflower.audit import chain
from sunflower.audit.events import record
from sunflower.bench.models import BENCH_KEY, BenchRow, BenchSecret
from sunflower.keystore import keyring

DEFAULT_ITERATIONS = 2000
DEFAULT_ROUNDS = 5
DEFAULT_PAYLOAD_BYTES = 1024
WARM_UP_WRITES = 50


def plain_write(payload: str) -> None:
    with transaction.atomic():
        BenchRow.objects.create(body=payload)


def encrypted_write(payload: str) -> None:
    with transaction.atomic():
        BenchSecret.objects.create(body=payload)


def audited_write(payload: str) -> None:
    with transaction.atomic():
        row = BenchSecret.objects.create(body=payload)
        record("bench.write", target=row, changes={"fields": ["body"]})


@dataclass(frozen=True)
class Case:
    code: str
    label: str
    write: Callable[[str], None]


CASES = (
    Case("a", "plain insert", plain_write),
    Case("b", "encrypted field", encrypted_write),
    Case("c", "encrypted field + audit entry", audited_write),
)


@dataclass(frozen=True)
class Result:
    rates: dict[str, list[float]]  # writes per second, per case, one per round
    sealed: int
    seal_seconds: float

    def median(self, code: str) -> float:
        return statistics.median(self.rates[code])

    def ratio(self, code: str) -> float:
        return self.median(code) / self.median("a")

    def added_microseconds(self, code: str) -> float:
        """Time a write of this case takes beyond a plain one, from the median rates."""
        return 1e6 / self.median(code) - 1e6 / self.median("a")


def make_payload(size: int) -> str:
    """About *size* bytes of UTF-8 text, Chinese as the notes will be."""
    unit = "谈心谈话记录：近期工作压力较大，睡眠一般。"  # 3 bytes a character
    text = unit * (size // len(unit.encode()) + 1)
    return text.encode()[:size].decode(errors="ignore")


def rate(write: Callable[[str], None], iterations: int, payload: str) -> float:
    started = time.perf_counter()
    for _ in range(iterations):
        write(payload)
    return iterations / (time.perf_counter() - started)


def empty_tables() -> None:
    BenchRow.objects.all().delete()
    BenchSecret.objects.all().delete()


def measure(
    iterations: int,
    rounds: int,
    payload: str,
    on_round: Callable[[int, dict[str, float]], None] | None = None,
) -> Result:
    empty_tables()
    keyring.key_for_subject(BENCH_KEY)  # created and unwrapped outside the timed writes
    for case in CASES:
        rate(case.write, min(iterations, WARM_UP_WRITES), payload)
    rates: dict[str, list[float]] = {case.code: [] for case in CASES}
    for number in range(1, rounds + 1):
        this_round = {case.code: rate(case.write, iterations, payload) for case in CASES}
        for code, value in this_round.items():
            rates[code].append(value)
        if on_round is not None:
            on_round(number, this_round)
    started = time.perf_counter()
    sealed = chain.seal_all()
    seal_seconds = time.perf_counter() - started
    empty_tables()
    return Result(rates=rates, sealed=sealed, seal_seconds=seal_seconds)


def database_description() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SHOW synchronous_commit")
            sync = cursor.fetchone()[0]
        return f"PostgreSQL {version} (synchronous_commit={sync})"
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)"
    return connection.vendor


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--iterations", type=int, default=DEFAULT_ITERATIONS)
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--payload-bytes", type=int, default=DEFAULT_PAYLOAD_BYTES)


def run(options: dict[str, Any], out: TextIO) -> None:
    iterations, rounds = options["iterations"], options["rounds"]
    if iterations < 1 or rounds < 1:
        raise ValueError("--iterations and --rounds must be at least 1")
    payload = make_payload(options["payload_bytes"])
    out.write(
        f"bench write: {iterations} writes x {rounds} rounds per case, "
        f"{len(payload.encode())}-byte payload, suite {settings.SUNFLOWER_CRYPTO_SUITE}\n"
        f"database: {database_description()}\n"
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}\n"
    )

    def report_round(number: int, rates: dict[str, float]) -> None:
        cells = "  ".join(f"({code}) {value:,.0f}/s" for code, value in rates.items())
        out.write(f"round {number}: {cells}\n")

    if settings.DEBUG:
        out.write("warning: DEBUG is on, so Django logs every query; use DEBUG=false\n")
    result = measure(iterations, rounds, payload, on_round=report_round)
    out.write("median writes/s:\n")
    for case in CASES:
        out.write(f"  ({case.code}) {case.label:<32}{result.median(case.code):>10,.0f}\n")
    out.write(f"ratios: b/a {result.ratio('b'):.2f}  c/a {result.ratio('c'):.2f}\n")
    out.write(
        f"added per write: encryption {result.added_microseconds('b'):+.0f} µs, "
        f"encryption + audit {result.added_microseconds('c'):+.0f} µs\n"
    )
    if result.sealed:
        out.write(
            f"audit sealing (background, not in the writes above): {result.sealed} entries "
            f"in {result.seal_seconds:.2f} s ({result.sealed / result.seal_seconds:,.0f}/s)\n"
        )
