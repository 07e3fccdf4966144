"""The console as deployed: a real web server and real task workers in other threads or
processes (embedded: `serve`; scale mode: daphne plus separate `run_huey` processes).

An algorithm created through the API is validated by a worker, not by the web request.
"""

from __future__ import annotations

import io
import zipfile

from tests.support.api import ApiClient
from tests.support.live import LiveConsole

SCRIPT = (
    b"import argparse\np = argparse.ArgumentParser()\np.add_argument('--lr', type=float)\n"
    b"print('accuracy=%.3f' % (1 - p.parse_args().lr))\n"
)


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def _fields(name: str, boot_file: str = "train.py") -> dict[str, object]:
    return {
        "name": name,
        "boot_file": boot_file,
        "auto_search": "true",
        "hyperparameters": [
            {"name": "lr", "type": "float", "default": 0.1, "min": 0.001, "max": 1.0}
        ],
        "metric": {"name": "accuracy", "goal": "maximize", "regex": r"accuracy=([0-9.]+)"},
        "search_algorithms": [{"name": "tpe", "params": {}}],
    }


def _is_settled(body: dict) -> bool:
    return body["status"] != "creating"


def test_worker_validates_uploaded_package_until_ready(live_console: LiveConsole) -> None:
    api = ApiClient.login(live_console.url, "alice")
    status, body = api.request(
        "POST",
        "/api/v1/algorithms/",
        _fields("pipeline-ok"),
        files={"code": ("pkg.zip", _zip({"train.py": SCRIPT, "lib/helpers.py": b"X = 1\n"}))},
    )
    assert status == 201, body
    settled = api.wait_for(f"/api/v1/algorithms/{body['id']}/", _is_settled)
    assert settled["status"] == "ready", settled
    assert settled["status_reason"] == ""


def test_worker_fails_package_without_boot_file_with_reason(live_console: LiveConsole) -> None:
    api = ApiClient.login(live_console.url, "alice")
    status, body = api.request(
        "POST",
        "/api/v1/algorithms/",
        _fields("pipeline-no-boot", boot_file="main.py"),
        files={"code": ("pkg.zip", _zip({"train.py": SCRIPT}))},
    )
    if status == 400:  # refused before any worker saw it: the message names the boot file
        assert "main.py" in str(body)
        return
    assert status == 201, body
    settled = api.wait_for(f"/api/v1/algorithms/{body['id']}/", _is_settled)
    assert settled["status"] == "failed"
    assert "main.py" in settled["status_reason"]


def test_other_user_cannot_see_the_algorithm(live_console: LiveConsole) -> None:
    alice = ApiClient.login(live_console.url, "alice")
    status, body = alice.request(
        "POST",
        "/api/v1/algorithms/",
        _fields("pipeline-private"),
        files={"code": ("train.py", SCRIPT)},
    )
    assert status == 201, body
    bob = ApiClient.login(live_console.url, "bob")
    assert bob.request("GET", f"/api/v1/algorithms/{body['id']}/")[0] == 404
    assert ApiClient(live_console.url).request("GET", "/api/v1/algorithms/")[0] == 401
