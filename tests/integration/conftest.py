from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.live import LiveConsole


@pytest.fixture(scope="module")
def live_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveConsole]:
    console = LiveConsole(tmp_path_factory.mktemp("live-integration")).start()
    yield console
    console.stop()
