"""Run the whole console in one process: the ASGI web server and a huey worker.

This is the embedded mode: the worker runs as threads beside the web server, so the
in-process channel layer reaches websocket clients and nothing else has to be
installed. In scale mode web hosts run `serve --no-worker` (the same server with the
same settings) and each worker host `python manage.py run_huey`.

The web server is uvicorn with its pure-Python h11 protocol: it reads a request body
only as fast as the application consumes it (the socket is paused past 64 KiB
buffered), so `console.body_limit` can refuse an oversized body before it is read and a
large legitimate upload streams to a temporary file with bounded memory. (daphne, the
previous choice, buffers the whole body and then queues all of it in memory before the
application runs.)

The server's event loop is registered with ``trainingjobs.event_sending`` before it serves:
worker threads hand every live event to that loop, the one the websocket consumers
wait on, so a point reaches the browser at once (see ``trainingjobs.event_sending``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import uvicorn
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY

from console.asgi import application
from trainingjobs import event_sending

logger = logging.getLogger("console.serve")


async def serve_with_events(server: uvicorn.Server) -> None:
    """Run ``server`` with its loop registered as the one live events are sent on."""
    event_sending.register_loop(asyncio.get_running_loop())
    try:
        await server.serve()
    finally:
        event_sending.register_loop(None)


def run_web_server(config: uvicorn.Config) -> None:
    # As uvicorn.Server.run, with the loop registered first.
    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(serve_with_events(uvicorn.Server(config)))


def web_server_config(host: str, port: int) -> uvicorn.Config:
    """The web server's settings, the same in the embedded and the scale mode."""
    return uvicorn.Config(
        application,
        host=host,
        port=port,
        http="h11",  # flow-controlled body reads (see the module docstring)
        ws="websockets-sansio",
        ws_max_size=1024 * 1024,  # a browser sends only small control messages
        lifespan="off",  # Django has no lifespan handlers
        h11_max_incomplete_event_size=64 * 1024,  # bounds the request line and headers
        timeout_keep_alive=5,
        proxy_headers=False,  # trust X-Forwarded-* only where a proxy is configured
        server_header=False,
        log_config=None,  # Django's LOGGING configures the loggers
        access_log=False,
    )


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
            # Started before the web server: the consumer installs its signal handlers,
            # then uvicorn takes over SIGINT/SIGTERM for the process.
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
            run_web_server(web_server_config(options["host"], options["port"]))
        finally:
            if consumer is not None:
                consumer.stop(graceful=False)
