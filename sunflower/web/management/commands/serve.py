"""`sunflower serve`: serve pages and WebSockets.

The embedded default runs one ASGI process (uvicorn) that answers both, with the background
task worker's threads in the same process: the in-memory channel layer is per process, so an
alert that a task sends (a crisis case past its service level) reaches the browsers only from
there. Production runs HTTP on gunicorn worker processes, WebSockets on uvicorn behind one
proxy, workers with `sunflower run_huey`, and the Redis channel layer between them
(docs/operations.md).
"""

from __future__ import annotations

import logging
import signal
from typing import Any, cast

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import autodiscover_modules
from huey.consumer import Consumer
from huey.consumer_options import ConsumerConfig

from sunflower.orgs.demo import login_lines

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


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
                worker.stop(graceful=True)


def start_worker() -> Consumer:
    """Start the task consumer's scheduler and worker threads in this process."""
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")
    # Each task run would log two lines beside the server's warnings; keep the worker's own.
    logging.getLogger("huey").setLevel(logging.WARNING)
    configured = cast(dict[str, Any], settings.HUEY.get("consumer", {}))
    options = {**configured, "worker_type": "thread"}
    config = ConsumerConfig(**options)
    config.validate()
    consumer = HUEY.create_consumer(**config.values)
    # The consumer installs its signal handlers for a process of its own; here the server's
    # handlers decide, and the `finally` in handle() stops the worker threads.
    handlers = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    consumer.start()
    for number, handler in handlers.items():
        signal.signal(number, handler)
    return consumer
