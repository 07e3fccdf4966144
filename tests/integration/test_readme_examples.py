"""The README's examples, copied as a new, non-staff user would run them, against a live
console: the REST API's curl commands, the Python notebook and the job file each end in a
job of an algorithm of that user's, with only that algorithm's hyperparameters."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.support.live import ROOT, USERS, LiveConsole

README = (ROOT / "README.md").read_text(encoding="utf-8")
README_URL = "http://127.0.0.1:8000"
README_PASSWORD = "s3cret-pass"
TIMEOUT = 180


def _section(title: str, end: str) -> str:
    start = README.index(title)
    return README[start : README.index(end, start)]


def _token(live: LiveConsole, user: str) -> str:
    from sweepconsole import Console

    return Console.get_token(live.url, user, USERS[user])


def _get(live: LiveConsole, token: str, path: str) -> Any:
    request = urllib.request.Request(
        live.url + path, headers={"Authorization": f"Token {token}", "Accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _cancel(live: LiveConsole, token: str, job_id: int) -> None:
    """Frees the workers for the next example (a search runs 12 to 20 trials)."""
    request = urllib.request.Request(
        f"{live.url}/api/v1/training-jobs/{job_id}/cancel/",
        method="POST",
        headers={"Authorization": f"Token {token}", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def _wait_for_a_completed_trial(live: LiveConsole, token: str, job_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + TIMEOUT
    while True:
        job = _get(live, token, f"/api/v1/training-jobs/{job_id}/")
        if job["trial_counts"]["completed"] or job["status"] in ("failed", "completed"):
            return dict(job)
        assert time.monotonic() < deadline, job
        time.sleep(0.5)


def test_rest_api_example_creates_an_algorithm_and_a_job_of_it(
    live_console: LiveConsole,
) -> None:
    if not (shutil.which("curl") and shutil.which("python3")):
        pytest.skip("the README's commands need curl and python3 on PATH")
    blocks = re.findall(r"```bash\n(.*?)```", _section("## REST API", "A range is any"), flags=re.S)
    script = "\n".join(blocks).replace(README_URL, live_console.url)
    script = script.replace(f"password='{README_PASSWORD}'", f"password='{USERS['alice']}'")
    ran = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert ran.returncode == 0, ran.stderr
    job = json.loads(ran.stdout.splitlines()[-1])
    token = _token(live_console, "alice")
    algorithm = _get(live_console, token, f"/api/v1/algorithms/{job['algorithm']}/")
    assert (algorithm["owner"], algorithm["name"], algorithm["status"]) == (
        "alice",
        "my-digits-mlp",
        "ready",
    )
    named = {*job["hyperparameters"], *job["search_space"]}
    assert named == {"epochs", "learning_rate", "batch_size"}
    assert named <= {row["name"] for row in algorithm["hyperparameters"]}
    job = _wait_for_a_completed_trial(live_console, token, job["id"])
    _cancel(live_console, token, job["id"])
    assert job["trial_counts"]["completed"] >= 1 and job["trial_counts"]["failed"] == 0, job


def test_python_example_runs_as_a_plain_user(live_console: LiveConsole) -> None:
    code = re.search(
        r"```python\n(.*?)```",
        _section("### From Python, as in a HyperDrive notebook", "- **Distributions**"),
        flags=re.S,
    )
    assert code is not None
    env = {"SWEEP_URL": live_console.url, "SWEEP_TOKEN": _token(live_console, "bob")}
    ran = subprocess.run(
        [sys.executable, "-c", code.group(1)],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=TIMEOUT * 2,
    )
    assert ran.returncode == 0, ran.stderr
    assert "completed: 12 trials" in ran.stdout
    best_id = int(ran.stdout.splitlines()[-1].split()[0])
    trial = _get(live_console, env["SWEEP_TOKEN"], f"/api/v1/trials/{best_id}/")
    assert set(trial["params"]) == {"eta0", "penalty"}


def test_job_file_example_runs_as_a_plain_user(live_console: LiveConsole, tmp_path: Path) -> None:
    from click.testing import CliRunner
    from sweepconsole.cli import cli

    text = re.search(r"```yaml\n(.*?)```", _section("### Job files", "The file is"), re.S)
    assert text is not None
    # The README saves it in the console's folder; here it lives elsewhere.
    example = (ROOT / "examples" / "sgd_diabetes").as_posix()
    job_file = tmp_path / "job.yaml"
    job_file.write_text(text.group(1).replace("path: examples/sgd_diabetes", f"path: {example}"))
    token = _token(live_console, "alice")
    env = {"SWEEP_URL": live_console.url, "SWEEP_TOKEN": token}
    result = CliRunner().invoke(cli, ["jobs", "submit", str(job_file), "--json"], env=env)
    assert result.exit_code == 0, result.output
    job = json.loads(result.stdout)
    algorithm = _get(live_console, token, f"/api/v1/algorithms/{job['algorithm']}/")
    assert (algorithm["owner"], algorithm["name"]) == ("alice", "my-diabetes")
    job = _wait_for_a_completed_trial(live_console, token, job["id"])
    _cancel(live_console, token, job["id"])
    assert job["trial_counts"]["completed"] >= 1 and job["trial_counts"]["failed"] == 0, job
