"""Many publishers of one job at once (its trials flushing together, each in a worker
thread with its own connection): every event is stored, numbered 1..N with no gap and no
repeat. On PostgreSQL (scale mode); the test database of the embedded run is an in-memory
SQLite without file locks, where threads cannot write at once (a file database serialises
them with ``BEGIN IMMEDIATE``)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from trainingjobs import events
from trainingjobs.models import JobEvent

from .engine_helpers import make_job

PUBLISHERS = 12
EACH = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishers_of_one_job_get_every_number_once(alice: Any) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        pytest.skip("threads share an in-memory SQLite database without its file locks")
    job = make_job(alice)
    start = threading.Barrier(PUBLISHERS)
    failures: list[BaseException] = []

    def publisher(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                with transaction.atomic():
                    first = events._store(job.pk, [("trial.reported", {"trial": n, "i": i})])
                assert first is not None
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publisher, args=(n,)) for n in range(PUBLISHERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    seqs = list(JobEvent.objects.filter(job=job).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, PUBLISHERS * EACH + 1))
