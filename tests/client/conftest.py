"""A live console (real web server, real workers, real HTTP) shared by the client's live
tests, with one example algorithm registered through the client itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.live import ROOT, USERS, LiveConsole

EXAMPLE = ROOT / "examples" / "sgd_diabetes"
ALGORITHM = "diabetes-client"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveConsole]:
    console = LiveConsole(tmp_path_factory.mktemp("live-client")).start()
    yield console
    console.stop()


@pytest.fixture(scope="module")
def alice_token(live: LiveConsole) -> str:
    """One token for the module: the console throttles logins (10 a minute per user)."""
    from sweepconsole import Console

    return Console.get_token(live.url, "alice", USERS["alice"])


@pytest.fixture(scope="module")
def algorithm_id(live: LiveConsole, alice_token: str) -> int:
    from sweepconsole import Console

    with Console(live.url, alice_token) as console:
        # The folder's algorithm.json gives the table, the metric and the search algorithms.
        return console.create_algorithm(EXAMPLE, name=ALGORITHM).id


@pytest.fixture
def sweep_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The login file of this test alone (the CLI reads SWEEP_CONFIG)."""
    path = tmp_path / "sweep" / "config.json"
    monkeypatch.setenv("SWEEP_CONFIG", str(path))
    monkeypatch.delenv("SWEEP_URL", raising=False)
    monkeypatch.delenv("SWEEP_TOKEN", raising=False)
    return path


def stop(job: Any) -> None:
    """Cancel a job a test no longer needs. A short job may already have ended (the
    console answers 409, "already ended"): then there is nothing to stop."""
    from sweepconsole.errors import ConsoleError

    try:
        job.cancel()
    except ConsoleError as exc:
        if exc.status != 409:
            raise
