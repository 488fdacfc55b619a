"""`sunflower bench write` runs and reports; the numbers themselves are not asserted."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from sunflower.audit.models import AuditEvent
from sunflower.bench.models import BenchRow, BenchSecret
from sunflower.bench.writes import make_payload


def bench(*args: str) -> str:
    out = io.StringIO()
    call_command("bench", *args, stdout=out)
    return out.getvalue()


class BenchWriteTestCase:
    def test_it_reports_three_rates_and_two_ratios(self, db: None) -> None:
        output = bench("write", "--iterations", "20", "--rounds", "1")
        assert "20 writes x 1 rounds per case" in output
        for label in ("plain insert", "encrypted field", "encrypted field + audit entry"):
            assert re.search(rf"\) {re.escape(label)}\s+[\d,]+\n", output), output
        assert re.search(r"ratios: b/a \d+\.\d\d  c/a \d+\.\d\d", output), output
        assert "audit sealing" in output

    def test_it_leaves_no_benchmark_rows_behind(self, db: None) -> None:
        bench("write", "--iterations", "5", "--rounds", "2")
        assert not BenchRow.objects.exists() and not BenchSecret.objects.exists()
        # 5 warm-up and 2 x 5 measured audited writes; entries are never removed.
        assert AuditEvent.objects.filter(action="bench.write").count() == 15

    def test_it_rejects_zero_rounds(self, db: None) -> None:
        with pytest.raises(CommandError, match="at least 1"):
            bench("write", "--rounds", "0")

    def test_it_refuses_to_run_in_production(self, db: None, settings: Any) -> None:
        settings.PRODUCTION = True
        with pytest.raises(CommandError, match="not in production"):
            bench("write", "--iterations", "1", "--rounds", "1")

    def test_the_payload_has_the_requested_size(self) -> None:
        assert 1021 <= len(make_payload(1024).encode()) <= 1024
