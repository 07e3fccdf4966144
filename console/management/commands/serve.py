"""Run the whole console in one process: the ASGI web server and a huey worker.

This is the embedded mode: the worker runs as threads beside daphne, so the
in-process channel layer reaches websocket clients and nothing else has to be
installed. In scale mode run `daphne console.asgi:application` for the web and
`python manage.py run_huey` on each worker host instead.
"""

from __future__ import annotations

import logging
from typing import Any

from daphne.endpoints import build_endpoint_description_strings
from daphne.server import Server
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY

from console.asgi import application

logger = logging.getLogger("console.serve")


class Command(BaseCommand):
    help = "Serve the console (web + websocket) and run a task worker in the same process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=2, help="Worker threads that run tasks and trials."
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="Serve the web only (scale mode)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        consumer = None
        if not options["no_worker"]:
            # As run_huey does: register every app's tasks before the first dequeue,
            # or tasks queued by another process (bootstrap) are unknown here.
            autodiscover_modules("tasks")
            # Started before daphne: the consumer installs its signal handlers,
            # then daphne's reactor takes over SIGINT/SIGTERM for the process.
            consumer = HUEY.create_consumer(
                workers=options["workers"],
                worker_type="thread",
                check_worker_health=True,
                # The only worker of an embedded console: a lock left by a crash is stale.
                flush_locks=True,
            )
            consumer.start()
            self.stdout.write(f"Task worker started with {options['workers']} threads.")
        self.stdout.write(
            f"Sweep Console at http://{options['host']}:{options['port']}/ (Ctrl+C to stop)"
        )
        try:
            Server(
                application=application,
                endpoints=build_endpoint_description_strings(
                    host=options["host"], port=options["port"]
                ),
                signal_handlers=True,
            ).run()
        finally:
            if consumer is not None:
                consumer.stop(graceful=False)
