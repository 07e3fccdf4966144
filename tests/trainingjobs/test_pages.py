"""How the pages write values: durations as the job page's live counters write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from trainingjobs.pages import format_duration
from trainingjobs.templatetags.job_format import run_time


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "—"),
        (0, "0 s"),
        (4.4, "4 s"),
        (4.5, "5 s"),  # half up, as Math.round in dashboard_format.js
        (59.6, "1 min 00 s"),
        (65, "1 min 05 s"),
        (3725, "1 h 02 min"),
        (90061, "1 d 01 h"),
        (-3, "0 s"),
    ],
)
def test_format_duration_writes_the_units_the_live_counters_write(
    seconds: float | None, shown: str
) -> None:
    assert format_duration(seconds) == shown


def test_run_time_of_an_ended_trial_is_from_start_to_finish() -> None:
    start = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    trial = SimpleNamespace(started_at=start, finished_at=start + timedelta(seconds=93))
    assert run_time(trial) == "1 min 33 s"
    assert run_time(SimpleNamespace(started_at=None, finished_at=None)) == "—"
