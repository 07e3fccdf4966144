"""A websocket client of a live console's dashboard events, as a logged-in browser."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.sync.client import ClientConnection, connect

from tests.support.cluster import Cluster


def session_cookie(cluster: Cluster, username: str) -> str:
    """``name=value`` of a fresh session cookie of ``username`` on ``cluster``."""
    return str(
        cluster.shell(
            "from django.conf import settings\n"
            "from django.contrib.auth import get_user_model\n"
            "from django.test import Client\n"
            "client = Client()\n"
            "client.force_login(get_user_model().objects.get(username=username))\n"
            "name = settings.SESSION_COOKIE_NAME\n"
            "result = f'{name}={client.cookies[name].value}'\n",
            username=username,
        )
    )


@dataclass
class EventSocket:
    """Events of one job as they arrive, each stamped with its arrival (time.time())."""

    connection: ClientConnection
    received: list[tuple[float, dict[str, Any]]] = field(default_factory=list)

    @classmethod
    def open(cls, base_url: str, path: str, cookie: str) -> EventSocket:
        url = base_url.replace("http://", "ws://") + path
        conn = connect(url, additional_headers={"Cookie": cookie, "Origin": base_url})
        return cls(conn.__enter__())

    def send(self, message: dict[str, Any]) -> None:
        self.connection.send(json.dumps(message))

    def collect_until(self, done: Any, timeout: float) -> list[dict[str, Any]]:
        """Receive until ``done(events so far)`` is true; the events."""
        deadline = time.monotonic() + timeout
        while not done([e for _, e in self.received]):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out; got {[e for _, e in self.received]}")
            try:
                text = self.connection.recv(timeout=left)
            except TimeoutError:
                continue
            self.received.append((time.time(), json.loads(text)))
        return [e for _, e in self.received]

    def close(self) -> None:
        self.connection.close()
