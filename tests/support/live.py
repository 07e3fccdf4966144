"""A real console running in subprocesses, for browser, client and scale tests.

Embedded mode: `manage.py serve` (web + worker threads) on SQLite in a temporary data
folder. Scale mode (DATABASE_URL and REDIS_URL set): a fresh PostgreSQL database, the web
server alone, and separate `run_huey` worker processes standing in for worker hosts; they
share nothing but PostgreSQL, Redis and the media folder. Users alice and bob exist.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field

from tests.support.processes import ROOT, ConsoleProcesses, free_port, scale_mode

__all__ = ["ROOT", "USERS", "LiveConsole", "free_port", "scale_mode"]

USERS = {"alice": "alice-pass-123", "bob": "bob-pass-123"}


@dataclass
class LiveConsole(ConsoleProcesses):
    workers: int = 2  # run_huey processes in scale mode
    env_overrides: Mapping[str, str] = field(default_factory=dict)

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        """The web server first (``serve``, or ``web`` in scale mode), then the workers."""
        return list(self.running.values())

    def start(self) -> LiveConsole:
        self.prepare(scale=scale_mode(), extra=dict(self.env_overrides))
        self.manage("migrate", "--noinput")
        for username, password in USERS.items():
            self.manage("createuser", username, "--password", password)
        serve = [*self._manage_cmd(), "serve", "--port", str(self.port)]
        if self.database:
            self._spawn("web", [*serve, "--no-worker"])
            for n in range(self.workers):
                self._spawn(
                    f"worker{n}", [*self._manage_cmd(), "run_huey", "-w", "2", "-k", "thread"]
                )
        else:
            self._spawn("serve", serve)
        self.wait_until_up(timeout=60)
        return self

    def stop(self) -> None:
        self.cleanup()
