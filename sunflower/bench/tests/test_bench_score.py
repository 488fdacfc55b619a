"""`sunflower bench score` runs and reports responses per second; rates are not asserted."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command


class BenchScoreTestCase:
    def test_it_reports_a_rate_per_instrument(self) -> None:
        out = io.StringIO()
        call_command("bench", "score", "--responses", "50", stdout=out)
        output = out.getvalue()
        assert "50 random responses per instrument" in output
        for ref in ("scl90@1", "phq9@1"):
            assert re.search(rf"{re.escape(ref)}\s+\d+ items\s+[\d,]+ responses/s", output), output

    def test_it_rejects_zero_responses(self) -> None:
        with pytest.raises(CommandError, match="at least 1"):
            call_command("bench", "score", "--responses", "0")
