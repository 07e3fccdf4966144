"""A real console whose processes a test can start, kill and restart one by one.

Used by the training-job integration and scale tests and by the orchestration benchmark.
Two layouts:

- ``embedded``: ``manage.py serve`` alone (web + worker threads in one process), as the
  README's run command starts it;
- ``processes``: ``serve --no-worker`` for the web, and separate ``run_huey`` processes
  standing in for worker hosts.

The database and queue are SQLite files in a fresh data folder, or, when DATABASE_URL and
REDIS_URL are set, a fresh PostgreSQL database (dropped at the end) and a queue of its own
name on that Redis. The test process reads the console's rows with plain SQL and writes
through ``manage.py shell`` (the console's own services), never through its own Django
settings, so it sees exactly what the console committed.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support.processes import ConsoleProcesses, scale_mode

__all__ = ["Cluster", "scale_mode"]


@dataclass
class Cluster(ConsoleProcesses):
    layout: str = "processes"  # or "embedded"
    workers: int = 2  # run_huey processes (processes) or worker threads (embedded)
    threads: int = 2  # threads per run_huey process
    env_overrides: Mapping[str, str] = field(default_factory=dict)
    scale: bool = field(default_factory=scale_mode)

    # --- life cycle ---------------------------------------------------------------------------

    def start(self, *, before_serve: Sequence[Sequence[str]] = ()) -> Cluster:
        """Migrate, run each ``manage.py`` command of ``before_serve``, start the processes."""
        self.prepare(scale=self.scale, extra={"DEMO_JOBS": "0", "OMP_NUM_THREADS": "1"})
        self.env.update(self.env_overrides)
        self.manage("migrate", "--noinput")
        for command in before_serve:
            self.manage(*command)
        self.start_web()
        if self.layout == "processes":
            for n in range(self.workers):
                self.start_worker(f"worker{n}")
        self.wait_until_up()
        return self

    def stop(self) -> None:
        self.cleanup()

    def start_web(self) -> None:
        cmd = [*self._manage_cmd(), "serve", "--port", str(self.port)]
        if self.layout == "processes":
            self._spawn("web", [*cmd, "--no-worker"])
        else:
            self._spawn("web", [*cmd, "--workers", str(self.workers)])

    def start_worker(self, name: str) -> None:
        cmd = [*self._manage_cmd(), "run_huey", "-w", str(self.threads), "-k", "thread"]
        self._spawn(name, [*cmd, "--flush-locks"])

    # --- talking to it ------------------------------------------------------------------------

    def shell(self, code: str, **values: Any) -> Any:
        """Run ``code`` in the console's Django (``manage.py shell``); the JSON it prints last.

        ``values`` arrive as variables (through JSON); the code sets ``result``.
        """
        prelude = f"import json\nglobals().update(json.loads({json.dumps(json.dumps(values))}))\n"
        epilogue = "\nprint('\\n' + json.dumps(result))\n"
        out = self.manage("shell", "-c", prelude + code + epilogue)
        return json.loads(out.strip().splitlines()[-1])

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read-only query on the console's database (``%s`` placeholders)."""
        if self.scale:
            import psycopg

            with psycopg.connect(self.env["DATABASE_URL"], autocommit=True) as conn:
                return list(conn.execute(sql, params).fetchall())  # type: ignore[arg-type]
        conn = sqlite3.connect(self.data_dir / "console.sqlite3", timeout=20)
        try:
            return list(conn.execute(sql.replace("%s", "?"), params).fetchall())
        finally:
            conn.close()

    def wait(self, what: str, until: Callable[[], Any], timeout: float, every: float = 0.5) -> Any:
        """Poll ``until()`` until it returns something true; that value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = until()
            if found:
                return found
            for name, proc in self.running.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited while waiting for {what}:\n{self.log(name)}")
            time.sleep(every)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")

    # --- training jobs ------------------------------------------------------------------------

    def create_user(self, username: str, password: str, *, staff: bool = False) -> None:
        self.manage("createuser", username, "--password", password, *(["--staff"] if staff else []))

    def create_algorithm(self, *, owner: str, spec: dict[str, Any], folder: Path) -> int:
        """Register ``folder`` as a server-path algorithm and wait until a worker finds it ready.

        The folder must be inside ``ALGORITHM_SERVER_ROOTS`` (the bundled examples always are).
        """
        pk = self.shell(
            "from django.contrib.auth import get_user_model\n"
            "from algorithms.services import algorithm_create\n"
            "owner = get_user_model().objects.get(username=owner)\n"
            "result = algorithm_create(owner=owner, spec=spec, server_path=folder).pk\n",
            owner=owner,
            spec=spec,
            folder=str(folder),
        )
        status = self.wait(
            f"algorithm {pk} to be validated",
            lambda: self._settled_algorithm(pk),
            timeout=120,
        )
        if status[0] != "ready":
            raise RuntimeError(f"algorithm {pk} is {status[0]}: {status[1]}")
        return int(pk)

    def create_job(self, *, owner: str, data: dict[str, Any]) -> int:
        """Validate and submit a job through the console's own services; its id."""
        return int(
            self.shell(
                "from django.contrib.auth import get_user_model\n"
                "from trainingjobs import services\n"
                "from trainingjobs.specs import validate_job_spec\n"
                "owner = get_user_model().objects.get(username=owner)\n"
                "spec = validate_job_spec(owner=owner, data=data)\n"
                "result = services.job_create(owner=owner, spec=spec).pk\n",
                owner=owner,
                data=data,
            )
        )

    def job(self, job_id: int) -> dict[str, Any]:
        return self.select(
            "trainingjobs_trainingjob",
            ("status", "status_reason", "created_at", "started_at", "finished_at"),
            "id = %s",
            (job_id,),
        )[0]

    def trials(self, job_id: int) -> list[dict[str, Any]]:
        columns = ("id", "number", "status", "status_reason", "value", "worker")
        return self.select(
            "trainingjobs_trial",
            (*columns, "started_at", "finished_at", "params"),
            "job_id = %s ORDER BY number",
            (job_id,),
        )

    def select(
        self, table: str, columns: tuple[str, ...], where: str, params: tuple[Any, ...]
    ) -> list[dict[str, Any]]:
        """Rows as dicts; ``*_at`` columns as aware datetimes and JSON columns parsed on both
        databases (SQLite hands back text)."""
        found = self.rows(f"SELECT {', '.join(columns)} FROM {table} WHERE {where}", params)
        rows = [dict(zip(columns, row, strict=True)) for row in found]
        for row in rows:
            for key, value in row.items():
                if isinstance(value, str) and key.endswith("_at"):
                    row[key] = datetime.fromisoformat(value).replace(tzinfo=UTC)
                elif isinstance(value, str) and key == "params":
                    row[key] = json.loads(value)
        return rows

    def wait_for_job_end(self, job_id: int, timeout: float, every: float = 0.5) -> dict[str, Any]:
        finished = ("completed", "failed", "canceled", "timed_out")

        def ended() -> dict[str, Any] | None:
            job = self.job(job_id)
            return job if job["status"] in finished else None

        return dict(self.wait(f"job {job_id} to end", ended, timeout=timeout, every=every))

    def _settled_algorithm(self, pk: int) -> tuple[str, str] | None:
        status, reason = self.rows(
            "SELECT status, status_reason FROM algorithms_algorithm WHERE id = %s", (pk,)
        )[0]
        return None if status == "creating" else (status, reason)
