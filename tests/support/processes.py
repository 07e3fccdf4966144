"""Console processes a test runs from a fresh data folder: start, wait until up, stop.

The shared half of :class:`tests.support.live.LiveConsole` (the console as browser and
client tests meet it) and :class:`tests.support.cluster.Cluster` (processes a test kills
and restarts one by one). Embedded mode: SQLite files in the data folder. Scale mode
(DATABASE_URL and REDIS_URL set): a fresh PostgreSQL database, dropped at the end, and a
huey queue of its own name on that Redis, whose keys are dropped at the end.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scale_mode() -> bool:
    return bool(os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"))


@dataclass
class ConsoleProcesses:
    """Named console processes (``manage.py`` commands) sharing one environment.

    ``running``: name -> process, in start order; each writes ``<data_dir>/<name>.log``.
    """

    data_dir: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    database: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self, *, scale: bool, extra: dict[str, str] | None = None) -> None:
        """The environment every process gets; in scale mode, a fresh database first."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "DATA_DIR": str(self.data_dir),
            # Letters and digits only: huey keeps only those of the name in its Redis keys.
            "HUEY_NAME": f"console{uuid.uuid4().hex[:8]}",
            "PYTHONUNBUFFERED": "1",
            **(extra or {}),
        }
        if not scale:
            self.env.pop("DATABASE_URL", None)
            self.env.pop("REDIS_URL", None)
            return
        base = dj_database_url.parse(os.environ["DATABASE_URL"])
        self.database = f"{base['NAME']}_{uuid.uuid4().hex[:8]}"
        self._admin_sql(f'CREATE DATABASE "{self.database}"')
        host, port = base["HOST"] or "127.0.0.1", base["PORT"] or 5432
        self.env["DATABASE_URL"] = f"postgres://{base['USER']}@{host}:{port}/{self.database}"
        self.env.setdefault("SECRET_KEY", "test-console-secret-key-not-for-production")

    def cleanup(self) -> None:
        """Stop every process; drop the scale mode's database and queue."""
        self.stop_all()
        if self.database:
            self._admin_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self.database = ""
            if self.env.get("REDIS_URL"):
                self._drop_queue()

    def manage(self, *args: str, timeout: float = 300) -> str:
        """Run one ``manage.py`` command to its end; its standard output."""
        result = subprocess.run(
            [*self._manage_cmd(), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def stop_process(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        """Send ``sig`` to one console process and wait for it; its exit code."""
        proc = self.running.pop(name)
        if proc.poll() is None:
            proc.send_signal(sig)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait(timeout=10)

    def stop_all(self, timeout: float = 20) -> None:
        """SIGTERM to every process at once, then wait for each (killed past ``timeout``)."""
        for proc in self.running.values():
            if proc.poll() is None:
                proc.terminate()
        for name in list(self.running):
            self.stop_process(name, timeout=timeout)

    def pid(self, name: str) -> int:
        return self.running[name].pid

    def wait_until_up(self, timeout: float = 90) -> None:
        """Until the login page answers 200; raises with the log of a process that exited."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.running.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited early:\n{self.log(name)}")
            try:
                with urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        first = next(iter(self.running), "")
        raise RuntimeError(f"the console did not answer within {timeout}s:\n{self.log(first)}")

    def log(self, name: str) -> str:
        path = self.data_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _manage_cmd(self) -> list[str]:
        return [sys.executable, str(ROOT / "manage.py")]

    def _spawn(self, name: str, cmd: list[str]) -> None:
        if name in self.running and self.running[name].poll() is None:
            raise RuntimeError(f"{name} is already running")
        with open(self.data_dir / f"{name}.log", "ab") as log:  # the child keeps its own copy
            self.running[name] = subprocess.Popen(
                cmd, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )

    def _drop_queue(self) -> None:
        import redis

        conn = redis.Redis.from_url(self.env["REDIS_URL"])
        try:
            keys = list(conn.scan_iter(match=f"*{self.env['HUEY_NAME']}*"))
            if keys:
                conn.delete(*keys)
        finally:
            conn.close()

    @staticmethod
    def _admin_sql(sql: str) -> None:
        import psycopg

        cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
        with psycopg.connect(
            host=cfg["HOST"] or "127.0.0.1",
            port=cfg["PORT"] or 5432,
            user=cfg["USER"],
            dbname=cfg["NAME"],
            autocommit=True,
        ) as conn:
            conn.execute(sql)  # type: ignore[arg-type]
