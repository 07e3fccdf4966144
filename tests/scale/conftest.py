from __future__ import annotations

import os

import pytest

from tests.support.live import scale_mode


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/scale/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.scale)


@pytest.fixture(autouse=True)
def _needs_scale_services() -> None:
    if not scale_mode():
        pytest.skip("scale mode: set DATABASE_URL (PostgreSQL) and REDIS_URL")
