"""`sunflower bench <benchmark>`: measurements recorded in docs/performance.md.

Each benchmark is a module of sunflower.bench with `add_arguments(parser)` and
`run(options, out)`; adding one means adding a line to BENCHMARKS.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sunflower.bench import scoring, submit, writes

BENCHMARKS: dict[str, tuple[ModuleType, str]] = {
    "write": (writes, "writes/s: plain insert, encrypted field, encrypted field + audit entry"),
    "submit": (
        submit,
        "PHQ-9 responses/s through the pages vs one-row inserts/s, on gunicorn + PostgreSQL",
    ),
    "score": (scoring, "responses/s: random SCL-90 and PHQ-9 responses through the engine"),
}


class Command(BaseCommand):
    help = "Run a benchmark against the configured database (a scratch one: it writes rows)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="benchmark", required=True)
        for name, (module, summary) in BENCHMARKS.items():
            module.add_arguments(sub.add_parser(name, help=summary))

    def handle(self, *args: Any, benchmark: str, **options: Any) -> None:
        if settings.PRODUCTION:
            # The audit trail is append-only: benchmark entries could never be removed.
            raise CommandError("benchmarks write rows and audit entries: not in production")
        module, _summary = BENCHMARKS[benchmark]
        try:
            module.run(options, self.stdout)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
