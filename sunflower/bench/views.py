"""The bench-only endpoint: one row inserted per request, the baseline of `bench submit`.

Mounted only when settings.SUNFLOWER_BENCH_ENDPOINTS is true (never in production, never in
the test URLconf): see sunflower/urls.py.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sunflower.bench.models import BenchRow

MAX_BODY = 2048


@csrf_exempt
@require_POST
def insert(request: HttpRequest) -> HttpResponse:
    """Insert one BenchRow holding the request body (at most 2 KB) in its own transaction."""
    with transaction.atomic():
        row = BenchRow.objects.create(body=request.body[:MAX_BODY].decode("utf-8", "replace"))
    return HttpResponse(str(row.pk), status=201, content_type="text/plain")
