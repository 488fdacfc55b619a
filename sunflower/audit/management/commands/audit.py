"""`sunflower audit seal | verify | prune`: maintain and check the audit hash chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sunflower.audit import chain


class Command(BaseCommand):
    help = "Seal, verify or prune the audit trail."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("seal", help="link every appended entry into the hash chain")
        sub.add_parser("verify", help="recompute the chain; exit 1 naming the first bad entry")
        sub.add_parser("prune", help="remove entries older than the retention period")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "seal":
            self.stdout.write(f"sealed {chain.seal_all()} entries")
        elif action == "verify":
            chain.seal_all()
            verdict = chain.verify()
            if not verdict.ok:
                raise CommandError(str(verdict), returncode=1)
            self.stdout.write(str(verdict))
        elif action == "prune":
            chain.seal_all()
            removed = chain.prune()
            days = chain.retention_days()
            self.stdout.write(f"removed {removed} entries older than {days} days")
