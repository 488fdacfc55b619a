"""`sunflower scales list | score ID | validate FILE | install FILE` (see sunflower/scales/cli.py).

Scoring needs no database. Instruments a licensed deployment installed live in
VAR_DIR/instruments beside the shipped ones; every input problem is one line on stderr and exit
status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sunflower.scales import load_library
from sunflower.scales.cli import (
    EXIT_USAGE,
    UsageError,
    install_command,
    list_command,
    score_command,
    validate_command,
)
from sunflower.scales.errors import InstrumentError
from sunflower.scales.model import LANGUAGES


def local_instruments_dir() -> Path:
    return Path(settings.VAR_DIR) / "instruments"


class Command(BaseCommand):
    help = (
        "List instruments, score responses (JSON on stdin), validate or install an instrument file."
    )
    requires_system_checks: list[str] = []  # stdout is a data channel: no check warnings on it
    stealth_options = ("stdin",)  # call_command(..., stdin=io.StringIO(...))

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help='print [{"id", "version", "name", "items"}, …]')
        scoring = sub.add_parser("score", help='score {"answers": [...]} (or an array) from stdin')
        scoring.add_argument("instrument", help="an instrument id, or id@version")
        validate = sub.add_parser("validate", help="check an instrument file")
        validate.add_argument("file")
        install = sub.add_parser("install", help="check an instrument file and add it")
        install.add_argument("file")
        for action in (listing, scoring, validate, install):
            action.add_argument("--language", choices=LANGUAGES, default=LANGUAGES[0])

    def handle(self, *args: Any, action: str, language: str, **options: Any) -> None:
        stdin: TextIO = options.get("stdin") or sys.stdin
        local = local_instruments_dir()
        try:
            if action == "validate":
                output = validate_command(options["file"], language)
            elif action == "install":
                output = install_command(options["file"], local, language)
            else:
                library = load_library(*([local] if local.is_dir() else []))
                if action == "list":
                    output = list_command(library, language)
                else:
                    output = score_command(library, options["instrument"], stdin.read(), language)
        except (UsageError, InstrumentError) as exc:
            raise CommandError(str(exc), returncode=EXIT_USAGE) from None
        self.stdout.write(output)
