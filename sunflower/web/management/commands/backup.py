"""`sunflower backup FILE`: write an encrypted, consistent backup of the whole database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sunflower.lib import backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database (SQLite or PostgreSQL), encrypted under the "
        "master key, to FILE. Keep the master key apart: without it the backup is unreadable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="where to write the backup")
        parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
        parser.add_argument(
            "--verify",
            action="store_true",
            help="only check that FILE decrypts and is intact; change nothing",
        )

    def handle(self, *args: Any, file: Path, force: bool, verify: bool, **options: Any) -> None:
        try:
            if verify:
                header = backup.verify_backup(file)
                self.stdout.write(
                    f"备份完整 (backup intact): {file}, {header.engine}, "
                    f"created {header.created_at}, master key {header.master_key_id}"
                )
                return
            summary = backup.write_backup(file, force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc), returncode=1) from None
        self.stdout.write(
            f"已写入备份 (backup written): {summary.path}, {summary.engine}, "
            f"{summary.bytes:,} bytes, {summary.seconds:.1f} s"
        )
