"""Page forms that survive a text field too large to read: the field is left out and named.

Django's multipart parser refuses a whole form (``RequestDataTooBig``, a bare "Bad
Request (400)") as soon as its text fields pass ``DATA_UPLOAD_MAX_MEMORY_SIZE``, and
everything the user typed is lost with it. On the pages of ``FORM_PATHS``,
:class:`OversizedFieldsMiddleware` has the form parsed by :class:`OversizedFieldsHandler`
instead: a text field over ``FIELD_MAX_BYTES`` (or over what is left of
``DATA_UPLOAD_MAX_MEMORY_SIZE``) is read off the network in chunks and dropped, never
held, and ``request.oversized_fields`` tells the view its name and size, so the page comes
back with a message on that field and every other value kept. Files go to the usual upload
handlers (memory, then a temporary file).

The whole body is still bounded before Django sees it (``console.body_limit``).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import (
    FIELD,
    FILE,
    ChunkIter,
    LazyStream,
    MultiPartParser,
    MultiPartParserError,
    Parser,
)
from django.http.response import HttpResponseBase
from django.utils.datastructures import MultiValueDict
from django.utils.encoding import force_str

MB = 1024 * 1024
# No text field of a page form needs more: the largest, an algorithm's sample log, keeps
# 1 Mi characters (at most 4 MiB of UTF-8).
FIELD_MAX_BYTES = 4 * MB
# The request attribute the view reads (the apps do not import console: a plain name).
_ATTRIBUTE = "oversized_fields"

# The algorithm pages, whose form puts a message on the field; any other page keeps
# Django's refusal of the whole form (console.views.bad_request explains it).
FORM_PATHS = re.compile(r"^/algorithms/(create|\d+/edit)/$")


class OversizedFieldsMiddleware:
    """Parse multipart page forms of ``FORM_PATHS`` with :class:`OversizedFieldsHandler`.

    Installed in ``__call__``, so before the CSRF check (in ``process_view``) reads the
    form. The view finds the fields left out in ``request.oversized_fields``
    (name -> size in bytes as sent; empty when none was).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        content_type = request.META.get("CONTENT_TYPE", "")
        if (
            request.method == "POST"
            and content_type.startswith("multipart/")
            and FORM_PATHS.match(request.path_info)
        ):
            handlers = list(request.upload_handlers)
            request.upload_handlers = [OversizedFieldsHandler(request), *handlers]
        return self.get_response(request)


class OversizedFieldsHandler(FileUploadHandler):
    """Parses the whole multipart body itself (``handle_raw_input``); see the module."""

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: Any,  # bytes, as Django passes it (its stubs say str)
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, Any]]:
        assert self.request is not None, "installed by OversizedFieldsMiddleware"
        handlers = [h for h in self.request.upload_handlers if h is not self]
        for handler in handlers:  # they set themselves up here (memory or disk)
            handler.handle_raw_input(input_data, META, content_length, boundary, encoding)
        form = _Form(handlers, encoding or settings.DEFAULT_CHARSET)
        try:
            form.parse(input_data, boundary)
        except Exception:
            form.close_files()
            raise
        setattr(self.request, _ATTRIBUTE, form.oversized)
        return form.post, form.files

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data  # never reached: handle_raw_input parses everything

    def file_complete(self, file_size: int) -> None:
        return None


class _Form:
    """One parse of a multipart body: fields, files and the fields left out."""

    def __init__(self, handlers: list[Any], encoding: str) -> None:
        self.handlers = handlers
        self.encoding = encoding
        self.post = QueryDict(mutable=True, encoding=encoding)
        self.files: MultiValueDict[str, Any] = MultiValueDict()
        self.oversized: dict[str, int] = {}
        self.budget = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2**62
        self.n_fields = 0
        self.n_files = 0

    def parse(self, input_data: Any, boundary: bytes) -> None:
        sizes = [h.chunk_size for h in self.handlers if h.chunk_size]
        stream = LazyStream(ChunkIter(input_data, min([2**31 - 4, *sizes])))
        for item_type, meta, part in Parser(stream, boundary):
            try:
                disposition = meta["content-disposition"][1]
                name = force_str(disposition["name"].strip(), self.encoding, errors="replace")
            except (KeyError, IndexError, AttributeError):
                _drain(part)
                continue
            base64_part = meta.get("content-transfer-encoding", [""])[0].strip() == "base64"
            if item_type == FIELD:
                self._field(name, part, base64_part)
            elif item_type == FILE:
                self._file(name, disposition, meta, part, base64_part)
            else:
                _drain(part)
        _drain(ChunkIter(input_data, 64 * 1024))
        any(handler.upload_complete() for handler in self.handlers)
        self.post._mutable = False

    def _field(self, name: str, part: Any, base64_part: bool) -> None:
        self.n_fields += 1
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        if limit is not None and self.n_fields > limit:
            raise TooManyFieldsSent(
                "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."
            )
        # The name and its "=" and "&" count first, as Django counts them; the budget can
        # reach 0, never a negative read size.
        self.budget = max(0, self.budget - len(name) - 2)
        allowed = min(FIELD_MAX_BYTES, self.budget)
        data = part.read(allowed + 1)
        if len(data) > allowed:
            # Counted off the network, never held: a 20 MB paste costs one chunk of memory.
            self.oversized[name] = len(data) + _drain(part)
            return
        self.budget -= len(data)
        if base64_part:
            try:
                data = base64.b64decode(data)
            except binascii.Error:
                pass  # as Django: kept as sent
        self.post.appendlist(name, force_str(data, self.encoding, errors="replace"))

    def _file(
        self, name: str, disposition: dict[str, Any], meta: dict[str, Any], part: Any, b64: bool
    ) -> None:
        self.n_files += 1
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        if limit is not None and self.n_files > limit:
            raise TooManyFilesSent(
                "The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES."
            )
        file_name = disposition.get("filename")
        if file_name:
            file_name = MultiPartParser.sanitize_file_name(
                cast(MultiPartParser, None), force_str(file_name, self.encoding, errors="replace")
            )
        if not file_name:
            _drain(part)
            return
        if b64:
            raise MultiPartParserError("Files sent as base64 are not accepted.")
        content_type, extra = meta.get("content-type", ("", {}))
        try:
            length: int | None = int(meta["content-length"][0])
        except (KeyError, IndexError, TypeError, ValueError):
            length = None
        for handler in self.handlers:
            try:
                handler.new_file(
                    name, file_name, content_type.strip(), length, extra.get("charset"), extra
                )
            except StopFutureHandlers:
                break
        counters = [0] * len(self.handlers)
        for chunk in part:
            for i, handler in enumerate(self.handlers):
                size = len(chunk)
                chunk = handler.receive_data_chunk(chunk, counters[i])
                counters[i] += size
                if chunk is None:
                    break
        for i, handler in enumerate(self.handlers):
            file_obj = handler.file_complete(counters[i])
            if file_obj:
                self.files.appendlist(name, file_obj)
                break

    def close_files(self) -> None:
        for _, files in self.files.lists():
            for file_obj in files:
                file_obj.close()
        for handler in self.handlers:
            if hasattr(handler, "file"):
                handler.file.close()


def _drain(chunks: Iterable[bytes]) -> int:
    """Read ``chunks`` to their end, keeping none; the number of bytes read."""
    return sum(len(chunk) for chunk in chunks)
