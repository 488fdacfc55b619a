"""`sunflower keys status | rotate | new-master FILE`: the data-key inventory and master keys.

Rotating the master key (docs/operations.md, "Keys"):
1. `sunflower keys new-master /etc/sunflower/master-2.key`;
2. give every process SUNFLOWER_MASTER_KEY_FILE=<the new file> and
   SUNFLOWER_PREVIOUS_MASTER_KEY_FILES=<the old file>, and restart them;
3. `sunflower keys rotate` (online; run it again to resume after an interruption);
4. when `sunflower keys status` shows no key left under the old master key, drop it from
   SUNFLOWER_PREVIOUS_MASTER_KEY_FILES.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sunflower.keystore import actions
from sunflower.lib import crypto
from sunflower.lib.config import MASTER_KEY_BYTES


class Command(BaseCommand):
    help = "Show the data keys, rotate the master key, or create a new master key file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="data keys by master key and suite; shredded keys")
        rotate = sub.add_parser(
            "rotate", help="re-wrap every data key under the current master key (resumable)"
        )
        rotate.add_argument(
            "--batch",
            type=int,
            default=actions.DEFAULT_BATCH,
            help=f"keys per transaction (default {actions.DEFAULT_BATCH})",
        )
        new_master = sub.add_parser("new-master", help="write a new random master key file")
        new_master.add_argument("file", help="where to write it (must not exist)")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "status":
            self.status()
        elif action == "rotate":
            self.rotate(options["batch"])
        elif action == "new-master":
            self.new_master(Path(options["file"]))

    def status(self) -> None:
        report = actions.key_status()
        self.stdout.write(f"current master key: {report.current_master_key_id}")
        self.stdout.write(f"{'master key':<18}{'suite':<7}{'keys':>8}  role")
        for group in report.groups:
            self.stdout.write(
                f"{group.master_key_id:<18}{group.suite:<7}{group.keys:>8}  {group.role}"
            )
        self.stdout.write(f"live data keys: {report.live}")
        self.stdout.write(f"shredded data keys: {report.shredded}")
        self.stdout.write(f"awaiting re-wrap: {report.awaiting_rewrap}")

    def rotate(self, batch: int) -> None:
        if batch < 1:
            raise CommandError("--batch must be at least 1")

        def progress(run: actions.Rotation) -> None:
            self.stdout.write(
                f"batch {run.batches}: {run.rewrapped} of {run.to_do} data keys re-wrapped"
            )

        try:
            run = actions.rotate(batch_size=batch, on_batch=progress)
        except crypto.CryptoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"re-wrapped {run.rewrapped} data keys under master key {run.master_key_id} "
            f"in {run.batches} batches; {run.remaining} awaiting re-wrap"
        )

    def new_master(self, path: Path) -> None:
        secret = secrets.token_bytes(MASTER_KEY_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{path} exists: a master key file is never overwritten") from None
        except OSError as exc:
            raise CommandError(f"{path} cannot be created: {exc.strerror}") from None
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.urlsafe_b64encode(secret).decode() + "\n")
        key_id = crypto.LocalMasterKey(secret).key_id
        self.stdout.write(f"wrote master key {key_id} to {path} (mode 0600)")
        self.stdout.write(
            "next: set SUNFLOWER_MASTER_KEY_FILE to it, list the old file in "
            "SUNFLOWER_PREVIOUS_MASTER_KEY_FILES, restart, then run `sunflower keys rotate`"
        )
