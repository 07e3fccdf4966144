"""One HTTP session with the console: token header, JSON in and out, pages followed, and
every failure turned into a ``ConsoleError`` (never a bare HTTP error)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from sweepconsole.errors import AuthenticationError, ConsoleError, NotFound, Unreachable

__all__ = ["Session"]

USER_AGENT = "sweepconsole"
LOGIN_HINT = "run `sweep login URL` (or set SWEEP_TOKEN)"


class Session:
    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        token_source: str = "argument",
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not url:
            raise ConsoleError(
                "No console URL: pass Console(url), set SWEEP_URL, or run `sweep login URL`."
            )
        self.url = url.rstrip("/")
        self.token = token
        self.token_source = token_source
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if token:
            headers["Authorization"] = f"Token {token}"
        self._client = httpx.Client(
            base_url=self.url, headers=headers, timeout=timeout, transport=transport
        )

    def close(self) -> None:
        self._client.close()

    # --- requests ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        what: str | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        """Send one request; the decoded JSON answer (``None`` for an empty one).

        ``what`` names the object for a 404 ("Job 12 was not found ...").
        """
        response = self.send(method, path, json=json, data=data, files=files, params=params)
        self.raise_for(response, what)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ConsoleError(
                f"{self.url} answered {method} {path} with something that is not JSON; "
                "is this the console's URL?",
                status=response.status_code,
            ) from None

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise Unreachable(f"The console at {self.url} did not answer in time ({exc}).") from exc
        except httpx.HTTPError as exc:
            raise Unreachable(
                f"Cannot reach the console at {self.url}: {exc or type(exc).__name__}. "
                "Check the URL and that the console is running."
            ) from exc

    def stream(self, method: str, path: str) -> Any:
        """A streamed response (a context manager), for downloads."""
        try:
            return self._client.stream(method, path)
        except httpx.HTTPError as exc:  # pragma: no cover - stream() connects lazily
            raise Unreachable(f"Cannot reach the console at {self.url}: {exc}.") from exc

    def paged(
        self, path: str, params: Mapping[str, Any] | None = None, *, what: str | None = None
    ) -> Iterator[Any]:
        """Every item of a list endpoint, following its pages (or a plain list answer)."""
        query = {"page_size": 100, **dict(params or {})}
        body = self.request("GET", path, params=query, what=what)
        while True:
            if isinstance(body, list):
                yield from body
                return
            if not isinstance(body, Mapping) or "results" not in body:
                raise ConsoleError(f"Unexpected answer from {path}: {str(body)[:200]}")
            yield from body["results"]
            following = body.get("next")
            if not following:
                return
            body = self.request("GET", str(following), what=what)

    # --- errors -----------------------------------------------------------------------------

    def raise_for(self, response: httpx.Response, what: str | None = None) -> None:
        code = response.status_code
        if code < 400:
            return
        body: Any
        try:
            body = response.json()
        except ValueError:
            body = response.text.strip()[:300]
        detail = body.get("detail") if isinstance(body, Mapping) else None
        if code == 400:
            fields = body if isinstance(body, Mapping) else {"non_field_errors": [body]}
            raise ConsoleError("The console refused the request:", status=code, fields=fields)
        if code == 401 or (code == 403 and not self.token):
            if self.token:
                source = {
                    "SWEEP_TOKEN": "The token in SWEEP_TOKEN",
                    "login": "Your saved login",
                }.get(self.token_source, "The token")
                raise AuthenticationError(
                    f"{source} was refused by {self.url} ({detail or 'invalid token'}): it may "
                    f"have expired or been revoked; log in again: {LOGIN_HINT}.",
                    status=code,
                )
            raise AuthenticationError(f"Not logged in to {self.url}: {LOGIN_HINT}.", status=code)
        if code == 403:
            raise AuthenticationError(f"Not allowed: {detail or body}", status=code)
        if code == 404:
            subject = what or f"{response.request.method} {response.request.url.path}"
            raise NotFound(
                f"{subject} was not found (it does not exist, or it belongs to another user).",
                status=code,
            )
        message = detail if isinstance(detail, str) else str(body)[:300]
        if code == 429:
            wait = response.headers.get("Retry-After")
            after = f" (retry in {wait} s)" if wait else ""
            raise ConsoleError(f"Too many requests: {message}{after}", status=code)
        if code == 409:
            raise ConsoleError(f"Refused: {message}", status=code)
        if code >= 500 and not isinstance(body, Mapping):
            message = "a server error (its log says more)"  # an HTML error page says nothing
        raise ConsoleError(f"The console answered HTTP {code}: {message}", status=code)
