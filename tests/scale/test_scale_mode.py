"""Scale mode against the real PostgreSQL and Redis: settings, queue and channel layer."""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection

from tests.support.api import ApiClient
from tests.support.live import LiveConsole


def test_settings_use_postgresql_redis_queue_and_redis_channel_layer() -> None:
    from huey.contrib.djhuey import HUEY
    from huey.storage import RedisStorage

    assert connection.vendor == "postgresql"
    # Unit tests run huey in immediate mode; leaving it brings back the configured storage.
    HUEY.immediate = False
    try:
        assert isinstance(HUEY.storage, RedisStorage)
        assert HUEY.storage.conn.ping()
    finally:
        HUEY.immediate = True
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"


def test_channel_layer_delivers_group_messages_through_redis() -> None:
    async def round_trip() -> dict:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("scale-test", channel)
        await layer.group_send("scale-test", {"type": "trial.reported", "value": 0.5})
        message = await asyncio.wait_for(layer.receive(channel), timeout=5)
        await layer.group_discard("scale-test", channel)
        return message

    # Its own thread: a browser test's driver may own this thread's event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        message = pool.submit(asyncio.run, round_trip()).result(timeout=30)
    assert message == {"type": "trial.reported", "value": 0.5}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveConsole]:
    console = LiveConsole(tmp_path_factory.mktemp("cluster"), workers=2).start()
    yield console
    console.stop()


def _package() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("train.py", "print('loss=0.5')\n")
    return buf.getvalue()


def _create(api: ApiClient, name: str) -> int:
    status, body = api.request(
        "POST",
        "/api/v1/algorithms/",
        {"name": name, "boot_file": "train.py", "auto_search": "false", "hyperparameters": []},
        files={"code": ("pkg.zip", _package())},
    )
    assert status == 201, body
    return int(body["id"])


def test_separate_worker_processes_drain_the_redis_queue(cluster: LiveConsole) -> None:
    api = ApiClient.login(cluster.url, "alice")
    ids = [_create(api, f"scale-{n}") for n in range(6)]
    for pk in ids:
        body = api.wait_for(f"/api/v1/algorithms/{pk}/", lambda b: b["status"] != "creating")
        assert body["status"] == "ready", body
    worker_logs = [cluster.log(f"worker{n}") for n in range(2)]
    assert sum(log.count("validate_algorithm_package") for log in worker_logs) >= 6


def test_work_goes_on_when_a_worker_host_is_lost(cluster: LiveConsole) -> None:
    # processes[0] is the web server; stop the first worker and keep creating.
    lost = cluster.processes[1]
    lost.terminate()
    lost.wait(timeout=15)
    api = ApiClient.login(cluster.url, "alice")
    pk = _create(api, "scale-after-loss")
    body = api.wait_for(f"/api/v1/algorithms/{pk}/", lambda b: b["status"] != "creating")
    assert body["status"] == "ready"
    assert Path(cluster.data_dir / "worker1.log").exists()
