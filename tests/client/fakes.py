"""A console answering over httpx's MockTransport, for the client's unit tests."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sweepconsole import Console


class FakeConsole:
    """Answers like the REST API for the few routes a test needs; records what was sent."""

    def __init__(self, routes: dict[tuple[str, str], Any]) -> None:
        self.routes = routes
        self.sent: list[tuple[str, str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        payload: Any = None
        if request.headers.get("Content-Type", "").startswith("application/json"):
            payload = json.loads(body)
        self.sent.append((request.method, request.url.path, payload))
        answer = self.routes.get((request.method, request.url.path))
        if answer is None:
            return httpx.Response(404, json={"detail": "Not found."})
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=answer)

    def console(self) -> Console:
        return Console("http://console.test", "tok", transport=httpx.MockTransport(self))
