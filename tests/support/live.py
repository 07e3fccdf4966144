"""A real console running in subprocesses, for browser and scale tests.

Embedded mode: `manage.py serve` (web + worker threads) on SQLite in a
temporary data folder. Scale mode (DATABASE_URL and REDIS_URL set): a fresh
PostgreSQL database, the web server alone, and separate `run_huey` worker
processes standing in for worker hosts; they share nothing but PostgreSQL,
Redis and the media folder.
"""

from __future__ import annotations

import os
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
USERS = {"alice": "alice-pass-123", "bob": "bob-pass-123"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scale_mode() -> bool:
    return bool(os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"))


@dataclass
class LiveConsole:
    data_dir: Path
    workers: int = 2
    port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    _database: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveConsole:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "DATA_DIR": str(self.data_dir),
            "HUEY_NAME": f"live-{uuid.uuid4().hex[:8]}",
            "PYTHONUNBUFFERED": "1",
        }
        if scale_mode():
            self._database = f"sweep_live_{uuid.uuid4().hex[:8]}"
            self._admin_sql(f'CREATE DATABASE "{self._database}"')
            cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
            host, port = cfg["HOST"] or "127.0.0.1", cfg["PORT"] or 5432
            self.env["DATABASE_URL"] = f"postgres://{cfg['USER']}@{host}:{port}/{self._database}"
        self.manage("migrate", "--noinput")
        for username, password in USERS.items():
            self.manage("createuser", username, "--password", password)
        if scale_mode():
            self._spawn(
                "web", [*self._manage_cmd(), "serve", "--no-worker", "--port", str(self.port)]
            )
            for n in range(self.workers):
                self._spawn(
                    f"worker{n}", [*self._manage_cmd(), "run_huey", "-w", "2", "-k", "thread"]
                )
        else:
            self._spawn("serve", [*self._manage_cmd(), "serve", "--port", str(self.port)])
        self._wait_until_up()
        return self

    def stop(self) -> None:
        for proc in self.processes:
            proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.processes.clear()
        if self._database:
            self._admin_sql(f'DROP DATABASE IF EXISTS "{self._database}" WITH (FORCE)')

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [*self._manage_cmd(), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def log(self, name: str) -> str:
        path = self.data_dir / f"{name}.log"
        return path.read_text() if path.exists() else ""

    def _manage_cmd(self) -> list[str]:
        return [sys.executable, str(ROOT / "manage.py")]

    def _spawn(self, name: str, cmd: list[str]) -> None:
        log = open(self.data_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.processes.append(
            subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        )

    def _wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for proc in self.processes:
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"console process exited early:\n{self.log('serve')}{self.log('web')}"
                    )
            try:
                with urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"console did not start within {timeout}s")

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
            conn.execute(sql)
