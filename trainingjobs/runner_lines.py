"""Output of a trial's process, line by line: what a terminal would show for each line.

Lines are split on ``"\\n"`` only. A ``"\\r"`` rewrites the current line as a terminal does
(``algorithms.metric_regex.terminal_text``), so a progress bar gives one line, its final
text. Each ``"\\r"`` segment is cut to ``2 * MAX_LINE_CHARS`` characters before ANSI codes
are removed (as the metric tester cuts) and the line to ``MAX_LINE_CHARS``; memory per
stream stays bounded however long a line is. Bytes are decoded as UTF-8, invalid bytes
replaced.

No ORM, no Django: the trial runner (``trainingjobs.runner``) feeds it the bytes it reads.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable

from algorithms.metric_regex import MAX_LINE_CHARS, terminal_text

# A "\r" segment longer than this is cut before ANSI codes are removed (as metric_regex does).
RAW_SEGMENT_CHARS = 2 * MAX_LINE_CHARS
# Characters a stream may hold without a "\n" before it is compacted (bounded memory).
PENDING_MAX_CHARS = 16 * MAX_LINE_CHARS


def _shown(line: str) -> str:
    """What a terminal shows for ``line`` (no ``"\\n"``), cut to MAX_LINE_CHARS."""
    if len(line) <= MAX_LINE_CHARS and "\r" not in line and "\x1b" not in line:
        return line  # the common case, without a regex pass
    line = "\r".join(segment[:RAW_SEGMENT_CHARS] for segment in line.split("\r"))
    return terminal_text(line)[:MAX_LINE_CHARS]


class LineSplitter:
    """Bytes of one stream -> final terminal text of each line, passed to ``on_line``."""

    def __init__(self, stream: str, on_line: Callable[[str, str], object]) -> None:
        self._stream = stream
        self._on_line = on_line
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""

    def feed(self, data: bytes, *, final: bool = False) -> None:
        text = self._decoder.decode(data, final)
        if "\n" not in text:
            self._pending += text
        else:
            parts = text.split("\n")
            self._on_line(self._stream, _shown(self._pending + parts[0]))
            for part in parts[1:-1]:
                self._on_line(self._stream, _shown(part))
            self._pending = parts[-1]
        if len(self._pending) > PENDING_MAX_CHARS:
            self._compact()

    def close(self) -> None:
        """End of stream: a last line without ``"\\n"`` is still a line."""
        self.feed(b"", final=True)
        if self._pending:
            self._on_line(self._stream, _shown(self._pending))
            self._pending = ""

    def _compact(self) -> None:
        # Everything before the last "\r" is replaced by what the terminal shows for it (the
        # later segments overwrite it from column 0, so cutting it is exact); the segment
        # being written is cut as _shown would cut it.
        head, sep, tail = self._pending.rpartition("\r")
        if sep:
            head = _shown(head)
        self._pending = head + sep + tail[:RAW_SEGMENT_CHARS]
