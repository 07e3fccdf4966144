"""The datasets room imports algorithms (the shared safe-archive reader), never the rooms above."""

from __future__ import annotations

from pathlib import Path

from tests.test_boundaries import _imported_roots

ROOT = Path(__file__).resolve().parents[2]


def test_datasets_never_imports_trainingjobs_or_console() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_roots(path) & {"trainingjobs", "console"})
        for path in (ROOT / "datasets").rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_copy_of_the_archive_reader() -> None:
    sources = "".join(p.read_text() for p in (ROOT / "datasets").rglob("*.py"))
    assert "tarfile.open" not in sources and "def _zip_members" not in sources
