"""Refuse request bodies over the configured size with 413, before they are read.

A pure ASGI middleware in front of Django (``console.asgi``), so it works the same under
``manage.py serve`` and under a separate web server process:

* A declared ``Content-Length`` over the limit is answered 413 at once: the application
  never calls ``receive()``, and the server (uvicorn, whose HTTP reader pauses the socket
  while the application does not read) never takes the body off the network.
* A body without a length (chunked) or one longer than it said is counted as it streams;
  the moment the count passes the limit the application is told the client went away
  (Django stops reading) and the client gets the 413.

Two limits: routes that take a code package (``UPLOAD_PATHS``) accept up to
``MAX_REQUEST_MB``; every other route (login, token, regex tester...) up to
``MAX_FORM_REQUEST_MB``, so an anonymous 100 MB POST to the login page costs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]

# Routes that take a code package upload: the algorithm create/edit pages and the API.
UPLOAD_PATHS = re.compile(r"^/(algorithms/(create|\d+/edit)|api/v1/algorithms(/\d+)?)/$")


def _too_large_body(limit: int) -> bytes:
    mb = limit / (1024 * 1024)
    return (
        f"Request body too large: the limit for this address is {mb:g} MB.\n".encode()
    )


class BodyLimitMiddleware:
    """Wrap an ASGI app so that no HTTP request body over its route's limit is read."""

    def __init__(self, app: ASGIApp, *, upload_limit: int, default_limit: int) -> None:
        self.app = app
        self.upload_limit = upload_limit
        self.default_limit = default_limit

    def limit_for(self, path: str) -> int:
        return self.upload_limit if UPLOAD_PATHS.match(path) else self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _send_413(send, limit)
            return
        state = {"read": 0, "started": False, "refused": False}

        async def limited_receive() -> Message:
            if state["refused"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["read"] += len(message.get("body", b""))
                if state["read"] > limit:
                    state["refused"] = True
                    if not state["started"]:
                        await _send_413(send, limit)
                        state["started"] = True
                    # Django treats a disconnect while reading as an aborted request.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if state["refused"]:
                return  # the 413 is the answer; the app's late reply is dropped
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            # A malformed length is the server's to refuse (400); treat it as unknown.
            return int(text) if text.isascii() and text.isdigit() else None
    return None


async def _send_413(send: Send, limit: int) -> None:
    body = _too_large_body(limit)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                # The unread body stays on the socket: the connection cannot be reused.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
