"""`sunflower bench submit` starts gunicorn on the test database, logs cadres in and submits
PHQ-9 responses through the pages and through the app's API; the numbers themselves are not
asserted."""

from __future__ import annotations

import importlib
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import Resolver404, resolve
from django.utils import timezone

from sunflower.accounts.models import User
from sunflower.api.models import ApiToken
from sunflower.assessments.models import Response, ResponseStatus
from sunflower.bench.models import BenchRow
from sunflower.bench.submit import API_SITTING
from sunflower.privacy.models import ConsentNotice

seed = importlib.import_module("sunflower.privacy.migrations.0002_notice_v1")


def bench(*args: str) -> str:
    out = io.StringIO()
    call_command("bench", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def notice(transactional_db: None) -> ConsentNotice:
    """Notice v1 as the migration publishes it (a flushing test may have removed it)."""
    found, _ = ConsentNotice.objects.get_or_create(
        version=1,
        defaults={"title": seed.TITLE, "body": seed.BODY, "published_at": timezone.now()},
    )
    return found


class BenchSubmitTestCase:
    @pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (the command refuses SQLite); make test runs it on PostgreSQL",
    )
    def test_it_reports_both_rates_and_their_ratio(self, notice: ConsentNotice) -> None:
        output = bench(
            "submit", "--clients", "3", "--workers", "2", "--rounds", "1",
            "--seconds", "1", "--warm-up", "0",
        )  # fmt: skip
        assert re.search(r"^insert: [\d,]+ inserts/s", output, re.M), output
        assert re.search(r"^submit: [\d,]+ requests/s, [\d,.]+ responses/s", output, re.M), output
        assert re.search(r"^submit-only: [\d,]+ submissions/s", output, re.M), output
        assert re.search(r"^api: [\d,]+ responses/s \(rounds: ", output, re.M), output
        # The headline is per request (the lead's reading of the target); the others beside it.
        assert re.search(r"^ratio submit/insert per request: \d+\.\d\d .*target", output, re.M)
        # Right after it, the API's: one request is one whole response.
        assert re.search(
            r"^ratio submit/insert per request: .*\nratio api/insert per response: \d+\.\d\d "
            r".*target ≥ 0\.50: (met|not met)$",
            output,
            re.M,
        ), output
        assert re.search(r"^ratio submit/insert per response: \d+\.\d\d", output, re.M)
        assert re.search(r"^ratio submit-only/insert: \d+\.\d\d", output, re.M), output
        assert re.search(
            r"^server CPU ratio per request: (\d+\.\d\d|nan) \(submit-only (\d+\.\d\d|nan), "
            r"api (\d+\.\d\d|nan)\)",
            output,
            re.M,
        ), output
        for phase in ("insert", "submit", "submit-only", "api"):
            assert re.search(rf"^{phase} CPU per request: server [\d.]+ ms", output, re.M)
            assert re.search(rf"^{phase} latency per request: p50 .* p95 .* p99 ", output, re.M)
        cadres = User.objects.filter(username__startswith="bench-cadre-").values("person")
        submitted = Response.objects.filter(person__in=cadres, status=ResponseStatus.SUBMITTED)
        assert submitted.exists()
        assert all(response.result_data() for response in submitted[:3])  # scored
        # Each client asked for one API token; the API's responses were opened 5 minutes
        # before they were sent (the pages' take seconds).
        assert ApiToken.objects.filter(user__username__startswith="bench-cadre-").count() == 3
        through_api = submitted.filter(duration_seconds__gte=API_SITTING.total_seconds() - 60)
        assert through_api.exists()
        assert all(response.result_data() for response in through_api[:3])  # scored
        assert not BenchRow.objects.exists()  # emptied after the run

    def test_it_refuses_anything_but_postgresql(self, db: None) -> None:
        if connection.vendor == "postgresql":
            pytest.skip("the refusal is for other databases")
        with pytest.raises(CommandError, match="needs PostgreSQL"):
            bench("submit")


class BenchEndpointTestCase:
    def test_the_insert_endpoint_is_absent_unless_switched_on(self) -> None:
        # Only the server `bench submit` starts sets SUNFLOWER_BENCH_ENDPOINTS.
        with pytest.raises(Resolver404):
            resolve("/bench/insert/")
