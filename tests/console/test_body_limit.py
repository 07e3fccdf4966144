"""console.body_limit: bodies over the route's limit are refused with 413 before they are read."""

from __future__ import annotations

import asyncio
from typing import Any

from console.body_limit import BodyLimitMiddleware

UPLOAD, DEFAULT = 1000, 100


def _run(path: str, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> dict[str, Any]:
    """Drive the middleware around an app that reads the whole body, then answers 200."""
    seen: dict[str, Any] = {"receives": 0, "app_read": 0, "sent": []}
    queue = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
             for i, c in enumerate(chunks)]

    async def receive() -> dict[str, Any]:
        seen["receives"] += 1
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        seen["sent"].append(message)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            seen["app_read"] += len(message["body"])
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    scope = {"type": "http", "path": path, "headers": headers}
    middleware = BodyLimitMiddleware(app, upload_limit=UPLOAD, default_limit=DEFAULT)
    asyncio.run(middleware(scope, receive, send))
    seen["status"] = seen["sent"][0]["status"]
    return seen


def test_declared_length_over_the_limit_is_refused_without_reading() -> None:
    seen = _run("/accounts/login/", [(b"content-length", b"600000000")], [b"x" * 50])
    assert seen["status"] == 413
    assert seen["receives"] == 0


def test_upload_routes_take_the_larger_limit() -> None:
    for path in ("/api/v1/algorithms/", "/api/v1/algorithms/7/", "/algorithms/create/",
                 "/algorithms/7/edit/"):
        seen = _run(path, [(b"content-length", b"500")], [b"x" * 500])
        assert seen["status"] == 200, path
    assert _run("/api/v1/auth/token/", [(b"content-length", b"500")], [b"x" * 500])[
        "status"
    ] == 413


def test_chunked_body_is_cut_off_as_soon_as_it_passes_the_limit() -> None:
    seen = _run("/accounts/login/", [], [b"x" * 60] * 10)
    assert seen["status"] == 413
    assert seen["receives"] == 2  # the second chunk passed 100 bytes: nothing more was read
    assert seen["app_read"] == 60
    assert [m["type"] for m in seen["sent"]] == ["http.response.start", "http.response.body"]


def test_body_within_the_limit_reaches_the_app() -> None:
    seen = _run("/accounts/login/", [(b"content-length", b"90")], [b"x" * 45, b"y" * 45])
    assert seen["status"] == 200 and seen["app_read"] == 90
