"""A tiny HTTP client for the REST API of a live console (standard library only)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

from tests.support.live import USERS


class ApiClient:
    def __init__(self, base_url: str, token: str = "") -> None:
        self.base_url = base_url
        self.token = token

    @classmethod
    def login(cls, base_url: str, username: str) -> ApiClient:
        client = cls(base_url)
        status, body = client.request(
            "POST", "/api/v1/auth/token/", {"username": username, "password": USERS[username]}
        )
        assert status == 200, body
        client.token = body["token"]
        return client

    def request(
        self,
        method: str,
        path: str,
        data: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes]] | None = None,
    ) -> tuple[int, Any]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        payload: bytes | None = None
        if files is not None:
            payload, content_type = _multipart(data or {}, files)
            headers["Content-Type"] = content_type
        elif data is not None:
            payload = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(
            self.base_url + path, data=payload, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
                return resp.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                return err.code, json.loads(raw)
            except ValueError:
                return err.code, raw.decode(errors="replace")

    def wait_for(self, path: str, until: Any, timeout: float = 90) -> Any:
        """Poll `path` until `until(body)` is true; the last body on timeout."""
        deadline = time.monotonic() + timeout
        body: Any = None
        while time.monotonic() < deadline:
            status, body = self.request("GET", path)
            if status == 200 and until(body):
                return body
            time.sleep(0.5)
        raise AssertionError(f"timed out waiting on {path}; last answer: {body}")


def _multipart(fields: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        text = value if isinstance(value, str) else json.dumps(value)
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(head.encode() + text.encode() + b"\r\n")
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
