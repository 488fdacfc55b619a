"""`sunflower serve`: serve pages and WebSockets.

The embedded default runs one ASGI process (uvicorn) that answers both, and starts the
background worker beside it. Production runs HTTP on gunicorn worker processes, WebSockets on
uvicorn behind one proxy, and workers with `sunflower run_huey` (docs/operations.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from sunflower.orgs.demo import login_lines

PR_SET_PDEATHSIG = 1


class Command(BaseCommand):
    help = "Serve Sunflower (pages and WebSockets) on one port."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--show-logins", action="store_true", help="print the demo logins")
        parser.add_argument(
            "--no-worker", action="store_true", help="don't start the background task worker"
        )

    def handle(
        self, *args: Any, host: str, port: int, show_logins: bool, no_worker: bool, **options: Any
    ) -> None:
        import uvicorn

        if settings.PRODUCTION:
            call_command("collectstatic", "--noinput", verbosity=0)
        shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host  # noqa: S104
        self.stdout.write(self.style.SUCCESS(f"Sunflower 向阳花 is at http://{shown_host}:{port}/"))
        if show_logins and settings.SUNFLOWER_SHOW_DEMO_LOGINS:
            self.stdout.write("Demo logins (演示账号):")
            for line in login_lines():
                self.stdout.write(f"  {line}")
        self.stdout.flush()
        worker = None if no_worker else start_worker()
        try:
            uvicorn.run(
                "sunflower.asgi:application",
                host=host,
                port=port,
                log_level="warning",
                lifespan="off",
                ws="websockets-sansio",
            )
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)


def _die_with_parent() -> None:
    """Linux: deliver SIGTERM to the worker when the server process ends, however it ends
    (uvicorn re-raises the signal it caught, so a `finally` alone is not enough)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start_worker() -> subprocess.Popen[bytes]:
    """The task consumer in its own process, stopped together with the server."""
    command = [sys.executable, "-m", "sunflower.cli", "run_huey", "--quiet"]
    preexec = _die_with_parent if sys.platform == "linux" else None
    return subprocess.Popen(command, preexec_fn=preexec)  # noqa: S603
