"""`sunflower restore FILE`: restore an encrypted backup into an empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sunflower.lib import backup


class Command(BaseCommand):
    help = (
        "Restore a backup written by `sunflower backup` into the configured database, which "
        "must be new (created, or created and migrated) and hold no data. Every part of the "
        "file is decrypted and verified before anything is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup to restore")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            summary = backup.restore_backup(file)
        except backup.BackupError as exc:
            raise CommandError(str(exc), returncode=1) from None
        self.stdout.write(
            f"已恢复 (restored): {summary.path}, {summary.engine}, backup of "
            f"{summary.created_at}, {summary.seconds:.1f} s. "
            "Run `sunflower migrate` if this version is newer, then `sunflower audit verify`."
        )
