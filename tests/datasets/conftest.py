"""Fixtures of the dataset tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A trial's output folder: model.pkl (11 bytes) and ckpt/epoch-1.bin (100 bytes)."""
    out = tmp_path / "output"
    (out / "ckpt").mkdir(parents=True)
    (out / "model.pkl").write_bytes(b"model-bytes")
    (out / "ckpt" / "epoch-1.bin").write_bytes(b"\x00" * 100)
    return out
