"""`sunflower serve`: serve pages and WebSockets.

The embedded default runs one ASGI process (uvicorn) that answers both. Production runs HTTP
on gunicorn worker processes and WebSockets on uvicorn behind one proxy (docs/operations.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from sunflower.orgs.demo import login_lines


class Command(BaseCommand):
    help = "Serve Sunflower (pages and WebSockets) on one port."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--show-logins", action="store_true", help="print the demo logins")

    def handle(self, *args: Any, host: str, port: int, show_logins: bool, **options: Any) -> None:
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
        uvicorn.run(
            "sunflower.asgi:application",
            host=host,
            port=port,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
        )
