"""Waiting for an algorithm's package check and a dataset's reading: the client polls
while the console is busy with it, then returns it ready or raises with the console's
reason, in the words each kind has always used."""

from __future__ import annotations

import pytest
from sweepconsole import Algorithm, ConsoleError, Dataset

from tests.client.fakes import FakeConsole

CREATING = {"id": 3, "name": "sgd", "status": "creating"}
PROCESSING = {"id": 5, "name": "digits", "status": "processing"}


def _algorithm(fake: FakeConsole, data: dict[str, object]) -> Algorithm:
    return Algorithm(fake.console(), dict(data))


def _dataset(fake: FakeConsole, data: dict[str, object]) -> Dataset:
    return Dataset(fake.console(), dict(data))


def test_an_algorithm_being_checked_is_polled_until_ready() -> None:
    fake = FakeConsole({("GET", "/api/v1/algorithms/3/"): {**CREATING, "status": "ready"}})
    algorithm = _algorithm(fake, CREATING).wait_until_ready(poll=0.01)
    assert algorithm.status == "ready"
    assert fake.sent == [("GET", "/api/v1/algorithms/3/", None)]


def test_a_dataset_being_read_is_polled_until_ready() -> None:
    fake = FakeConsole({("GET", "/api/v1/datasets/5/"): {**PROCESSING, "status": "ready"}})
    dataset = _dataset(fake, PROCESSING).wait_until_ready(poll=0.01)
    assert dataset.status == "ready"
    assert fake.sent == [("GET", "/api/v1/datasets/5/", None)]


@pytest.mark.parametrize(
    ("kind", "data", "path", "message"),
    [
        (
            Algorithm,
            CREATING,
            "/api/v1/algorithms/3/",
            "Algorithm 'sgd' (id 3) is still being checked after 0s; is a worker running?",
        ),
        (
            Dataset,
            PROCESSING,
            "/api/v1/datasets/5/",
            "Dataset 'digits' (id 5) is still processing after 0s; is a worker running?",
        ),
    ],
)
def test_still_busy_after_the_timeout_asks_whether_a_worker_runs(
    kind: type[Algorithm | Dataset], data: dict[str, object], path: str, message: str
) -> None:
    fake = FakeConsole({("GET", path): data})
    with pytest.raises(ConsoleError) as caught:
        kind(fake.console(), dict(data)).wait_until_ready(timeout=0.05, poll=0.01)
    assert str(caught.value) == message
    assert fake.sent[0] == ("GET", path, None)


def test_a_failed_algorithm_raises_with_the_package_checks_reason() -> None:
    failed = {**CREATING, "status": "failed", "status_reason": "No boot file main.py."}
    fake = FakeConsole({("GET", "/api/v1/algorithms/3/"): failed})
    with pytest.raises(ConsoleError) as caught:
        _algorithm(fake, CREATING).wait_until_ready(poll=0.01)
    assert str(caught.value) == "Algorithm 'sgd' (id 3) is failed: No boot file main.py."


def test_a_failed_dataset_without_a_reason_says_so() -> None:
    fake = FakeConsole({})
    with pytest.raises(ConsoleError) as caught:
        _dataset(fake, {**PROCESSING, "status": "failed"}).wait_until_ready()
    assert str(caught.value) == "Dataset 'digits' (id 5) is failed: no reason given"
    assert fake.sent == []  # already settled: nothing to ask
