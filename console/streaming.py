"""Streamed answers served by the ASGI server read their chunks in a worker thread.

The console's streamed answers are built from synchronous iterators: exports read the
database in chunks, output downloads and zips read the storage, WhiteNoise's static
files read the disk. Served asynchronously (uvicorn), Django consumes such an iterator
with one ``sync_to_async(list)``: the whole body in memory before the first byte leaves
(a million-point export, a zip of a trial's outputs) and a warning, "StreamingHttpResponse
must consume synchronous iterators in order to serve them asynchronously", per request.

``AsyncStreamingMiddleware`` (first in ``MIDDLEWARE``, so it sees every answer, static
files included) gives such an answer an asynchronous iterator instead: it pulls the
synchronous one in the request's own thread (``thread_sensitive``: a database cursor stays
on its connection) about ``BATCH_BYTES`` at a time, so memory stays bounded and each thread
hop carries a useful amount. Under WSGI or Django's test client the answer is untouched.
An error the iterator raises mid-body still ends the response without its last chunk, as
the zip of outputs relies on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any, cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest
from django.http.response import HttpResponseBase, StreamingHttpResponse

BATCH_BYTES = 64 * 1024


def next_batch(chunks: Iterator[bytes], limit: int = BATCH_BYTES) -> bytes:
    """The next chunks joined, at least ``limit`` bytes unless the iterator ends first;
    ``b""`` once it has ended."""
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(parts)


async def stream_async(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    """``chunks`` as an asynchronous iterator, read in batches in the request's thread."""
    iterator = iter(chunks)
    read = sync_to_async(next_batch, thread_sensitive=True)
    while batch := await read(iterator):
        yield batch


class AsyncStreamingMiddleware:
    """Served asynchronously, a streamed answer with a synchronous iterator gets an
    asynchronous one (``stream_async``); otherwise the answer passes unchanged.

    The middleware below it are synchronous, so Django runs this one in a thread too even
    under ASGI: the request's class, not the mode it is called in, says how the answer
    will be sent.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.async_mode:
            return self.__acall__(request)
        response: HttpResponseBase = self.get_response(request)
        if isinstance(request, ASGIRequest):
            _make_async(response)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response: HttpResponseBase = await self.get_response(request)
        _make_async(response)
        return response


def _make_async(response: HttpResponseBase) -> None:
    if isinstance(response, StreamingHttpResponse) and not response.is_async:
        # The getter maps the iterator to bytes; the original iterator's close stays
        # registered with the answer, which the handler closes after sending.
        chunks = cast(Iterator[bytes], response.streaming_content)  # not is_async
        response.streaming_content = stream_async(chunks)
