"""Streamed answers served by the ASGI handler, as uvicorn serves them: read in batches
through an asynchronous iterator, with no "must consume synchronous iterators" warning."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.test import Client
from django.utils import timezone

from console.streaming import BATCH_BYTES, stream_async
from datasets import outputs
from tests.datasets.helpers import make_trial
from tests.trainingjobs.engine_helpers import make_job
from trainingjobs.models import MetricPoint, Trial

SYNC_WARNING = "StreamingHttpResponse must consume synchronous iterators"


def _serve(path: str, cookie: str = "") -> tuple[int, bytes, list[str]]:
    """GET ``path`` through a fresh ASGI handler (the settings' middleware): status, body
    and the warnings raised while serving."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def main() -> None:
        requested = False
        never = asyncio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await never.wait()  # the client stays connected
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await ASGIHandler()(scope, receive, send)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(main())
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body, [str(w.message) for w in caught]


@pytest.fixture
def cookie(alice: Any) -> str:
    client = Client()
    client.force_login(alice)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@pytest.fixture
def job(alice: Any) -> Any:
    job = make_job(alice, status="running")
    for number in (1, 2):
        trial = Trial.objects.create(
            job=job, number=number, status="completed", params={"x": number / 10}, value=0.5
        )
        MetricPoint.objects.bulk_create(
            MetricPoint(trial=trial, step=step, value=step / 1000, created_at=timezone.now())
            for step in range(1, 3001)
        )
    return job


def _no_sync_warning(caught: list[str]) -> bool:
    return not [message for message in caught if SYNC_WARNING in message]


@pytest.mark.django_db(transaction=True)
def test_exports_stream_asynchronously_without_the_warning(job: Any, cookie: str) -> None:
    status, body, caught = _serve(f"/training-jobs/{job.pk}/export/points.csv", cookie)
    assert status == 200
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows[0] == ["trial", "step", "value", "created_at"]
    assert len(rows) == 1 + 6000
    assert rows[-1][:3] == ["2", "3000", "3.0"]
    assert _no_sync_warning(caught), caught

    status, body, caught = _serve(f"/api/v1/training-jobs/{job.pk}/export/trials.json", cookie)
    assert status == 200
    assert [(t["number"], t["value"]) for t in json.loads(body)] == [(1, 0.5), (2, 0.5)]
    assert _no_sync_warning(caught), caught


@pytest.mark.django_db(transaction=True)
def test_output_downloads_stream_asynchronously_without_the_warning(
    alice: Any, cookie: str, tmp_path: Path
) -> None:
    trial = make_trial(alice)
    folder = tmp_path / "output"
    (folder / "ckpt").mkdir(parents=True)
    (folder / "model.pkl").write_bytes(b"model-bytes")
    (folder / "ckpt" / "epoch-1.bin").write_bytes(b"\x00" * 100)
    (folder / "big.bin").write_bytes(bytes(range(256)) * 2000)  # 512,000 bytes
    outputs.collect_outputs(trial.pk, folder)

    status, body, caught = _serve(f"/datasets/trial-outputs/{trial.pk}/big.bin", cookie)
    assert (status, body) == (200, bytes(range(256)) * 2000)
    assert _no_sync_warning(caught), caught

    for path in (
        f"/datasets/trial-outputs/{trial.pk}.zip",
        f"/api/v1/trials/{trial.pk}/outputs.zip",
    ):
        status, body, caught = _serve(path, cookie)
        assert status == 200
        archive = zipfile.ZipFile(io.BytesIO(body))
        assert sorted(archive.namelist()) == ["big.bin", "ckpt/epoch-1.bin", "model.pkl"]
        assert archive.read("model.pkl") == b"model-bytes"
        assert _no_sync_warning(caught), caught


@pytest.mark.django_db(transaction=True)
def test_static_files_stream_asynchronously_without_the_warning() -> None:
    status, body, caught = _serve("/static/vendor/plotly.min.js")
    assert status == 200
    assert b"plotly" in body[:2000].lower() and len(body) > 1_000_000
    assert _no_sync_warning(caught), caught


@pytest.mark.django_db(transaction=True)
def test_without_the_middleware_django_warns(settings: Any, job: Any, cookie: str) -> None:
    # The check above is meaningful: the same request, served as before, warns.
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "console.streaming.AsyncStreamingMiddleware"
    ]
    _, _, caught = _serve(f"/training-jobs/{job.pk}/export/points.csv", cookie)
    assert not _no_sync_warning(caught)


def test_stream_async_reads_the_source_lazily_in_batches() -> None:
    pulled: list[int] = []

    def source() -> Iterator[bytes]:
        for n in range(100):
            pulled.append(n)
            yield b"x" * 10_000

    async def first_batch() -> bytes:
        stream = stream_async(source())
        batch = await stream.__anext__()
        await stream.aclose()
        return batch

    batch = asyncio.run(first_batch())
    assert len(batch) == 70_000 >= BATCH_BYTES  # the first 7 chunks reach 64 KiB
    assert len(pulled) == 7  # the other 93 are never read
