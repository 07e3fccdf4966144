"""A real `serve`: oversized bodies are refused before they are read, with bounded memory."""

from __future__ import annotations

import pytest

from benchmarks.request_body import post
from tests.support.live import LiveConsole


def _pid(console: LiveConsole) -> int:
    return console.processes[0].pid


@pytest.mark.parametrize("chunked", [False, True])
def test_oversized_anonymous_post_is_413_with_bounded_memory(
    live_console: LiveConsole, chunked: bool
) -> None:
    # The upload routes' limit is MAX_UPLOAD_MB (100) + 16: a 200 MB body is over it.
    result = post(live_console.port, _pid(live_console), "/api/v1/algorithms/", 200,
                  chunked=chunked)
    assert result.status == 413
    assert result.rss_peak_mb - result.rss_before_mb < 100
    assert result.other_request_s < 5


def test_large_post_to_the_login_page_is_refused_at_once(live_console: LiveConsole) -> None:
    result = post(live_console.port, _pid(live_console), "/accounts/login/", 100, chunked=False)
    assert result.status == 413
    assert result.sent_mb < 50  # the body was never taken off the socket
    assert result.rss_peak_mb - result.rss_before_mb < 50
