"""The per-host cache is capped: least recently used entries go, never one a running trial
of the host uses nor one another process holds; several processes share it safely."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from datasets import cache
from datasets.models import Dataset
from datasets.storage import materialise_dataset
from tests.datasets.helpers import create_dataset, csv_upload, make_trial

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
KB = 1024


def _dataset(owner: Any, name: str, size_kb: int = 400) -> Dataset:
    content = name.encode() * (size_kb * KB // len(name))
    return create_dataset(owner, name, upload=csv_upload(f"{name}.csv", content))


def _used_at(root: Path, dataset: Dataset, when: float) -> None:
    lock = cache.lock_path(root / "datasets" / dataset.content_hash)
    os.utime(lock, (when, when))


def _cached(root: Path) -> set[str]:
    return {e.path.name for e in cache.list_entries(root)}


@pytest.fixture
def capped(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_CACHE_MAX_MB = 1
    return tmp_path / "cache"


def test_least_recently_used_entries_go_past_the_cap(alice: Any, capped: Path) -> None:
    a, b, c = (_dataset(alice, n) for n in ("a", "b", "c"))
    materialise_dataset(a.pk, capped)
    materialise_dataset(b.pk, capped)
    _used_at(capped, a, 2000)
    _used_at(capped, b, 1000)  # b is the least recently used
    materialise_dataset(c.pk, capped)  # 1.2 MB > 1 MB: one must go
    assert _cached(capped) == {a.content_hash, c.content_hash}
    assert not cache.lock_path(capped / "datasets" / b.content_hash).exists()
    # Used again, it comes back (downloaded anew), and the oldest other entry goes.
    _used_at(capped, a, 1000)
    assert materialise_dataset(b.pk, capped).read_bytes().startswith(b"bbb")
    assert _cached(capped) == {b.content_hash, c.content_hash}


def test_using_an_entry_makes_it_recent(alice: Any, capped: Path) -> None:
    a, b, c = (_dataset(alice, n) for n in ("a", "b", "c"))
    materialise_dataset(a.pk, capped)
    materialise_dataset(b.pk, capped)
    _used_at(capped, a, 1000)
    _used_at(capped, b, 2000)
    materialise_dataset(a.pk, capped)  # a use: a is now the most recent
    materialise_dataset(c.pk, capped)
    assert _cached(capped) == {a.content_hash, c.content_hash}


def test_an_entry_a_running_trial_of_this_host_uses_is_never_evicted(
    alice: Any, capped: Path
) -> None:
    a, b, c = (_dataset(alice, n) for n in ("a", "b", "c"))
    trial = make_trial(alice, status="running", finished_at=None)
    trial.worker = f"{socket.gethostname()}:{os.getpid() + 1}"  # another worker process
    trial.save()
    trial.job.dataset = b
    trial.job.save()
    materialise_dataset(a.pk, capped)
    materialise_dataset(b.pk, capped)
    _used_at(capped, a, 2000)
    _used_at(capped, b, 1000)  # the oldest, but in use
    materialise_dataset(c.pk, capped)
    assert _cached(capped) == {b.content_hash, c.content_hash}


def test_a_running_trial_of_another_host_does_not_protect_an_entry(
    alice: Any, capped: Path
) -> None:
    a, b, c = (_dataset(alice, n) for n in ("a", "b", "c"))
    trial = make_trial(alice, status="running", finished_at=None, worker="elsewhere:12")
    trial.job.dataset = b
    trial.job.save()
    for dataset, when in ((a, 2000), (b, 1000)):
        materialise_dataset(dataset.pk, capped)
        _used_at(capped, dataset, when)
    materialise_dataset(c.pk, capped)
    assert _cached(capped) == {a.content_hash, c.content_hash}


def test_no_cap_keeps_everything(alice: Any, settings: Any, tmp_path: Path) -> None:
    settings.DATA_CACHE_MAX_MB = 0
    for name in ("a", "b", "c", "d"):
        materialise_dataset(_dataset(alice, name).pk, tmp_path)
    assert len(_cached(tmp_path)) == 4


# --- several processes, no Django: the cache module alone ---------------------------------------

HOLD = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()  # until the test closes our stdin
"""

WORKER = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from datasets import cache
root, worker = Path(sys.argv[2]), int(sys.argv[3])
for i in range(12):
    key = f"k{(worker * 5 + i) % 9}"
    def fill(tmp, key=key):
        tmp.mkdir()
        (tmp / "data.bin").write_bytes(key.encode().ljust(100 * 1024, b"."))
    cache.ensure(root / "datasets" / key, fill, max_bytes=300 * 1024)
print("done", flush=True)
"""


def _fill_with(content: bytes) -> Any:
    def fill(tmp: Path) -> None:
        tmp.mkdir()
        (tmp / "data.bin").write_bytes(content)

    return fill


def test_an_entry_held_by_another_process_is_skipped(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    for key, when in (("old", 1000), ("mid", 2000)):
        cache.ensure(root / "datasets" / key, _fill_with(b"x" * 200 * KB))
        os.utime(cache.lock_path(root / "datasets" / key), (when, when))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(cache.lock_path(root / "datasets" / "old"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        cache.ensure(root / "datasets" / "new", _fill_with(b"y" * 200 * KB), max_bytes=450 * KB)
        assert _cached(root) == {"old", "new"}  # "old" is older, but another process holds it
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


def test_several_processes_share_one_capped_cache(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(ROOT), str(root), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0 and out.strip() == "done", err
    cache.evict(root, 300 * KB)  # what a held entry made an evictor skip
    entries = cache.list_entries(root)
    assert sum(e.size for e in entries) <= 300 * KB
    for entry in entries:  # every entry left is whole
        data = (entry.path / "data.bin").read_bytes()
        assert data == entry.path.name.encode().ljust(100 * KB, b".")
    leftovers = [p.name for p in (root / "datasets").iterdir() if ".part-" in p.name]
    assert leftovers == [] and not any(
        ".evicting-" in p.name for p in (root / "datasets").iterdir()
    )


def test_a_dead_builds_leftovers_are_removed(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    (root / "datasets" / "k.part-123").mkdir(parents=True)
    (root / "datasets" / "k.part-456.blob").write_bytes(b"half")
    cache.ensure(root / "datasets" / "other", _fill_with(b"z" * KB), max_bytes=1024 * KB)
    assert sorted(p.name for p in (root / "datasets").iterdir()) == ["other", "other.lock"]
