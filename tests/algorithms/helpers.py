"""Named builders for algorithm tests: a valid spec and code packages."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

REGEX = r"accuracy=([0-9.]+)"
TRAIN_PY = b"import sys\nprint('accuracy=0.9', sys.argv)\n"


def valid_spec(**overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": "mnist-mlp",
        "description": "A small network",
        "boot_file": "train.py",
        "engine": None,
        "hyperparameters": [
            {"name": "lr", "type": "float", "default": 0.01, "min": 0.0001, "max": 1,
             "choices": [], "required": False, "description": "learning rate"},
            {"name": "epochs", "type": "int", "default": 5, "min": 1, "max": 50},
            {"name": "optimizer", "type": "str", "default": "adam", "choices": ["adam", "sgd"]},
            {"name": "shuffle", "type": "bool", "default": True},
        ],
        "auto_search": True,
        "metric": {"name": "accuracy", "goal": "maximize", "regex": REGEX},
        "search_algorithms": [{"name": "tpe_search", "params": {}}, {"name": "random"}],
    }
    spec.update(overrides)
    return spec


def py_upload(name: str = "train.py", content: bytes = TRAIN_PY) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/x-python")


def zip_upload(members: dict[str, bytes], name: str = "code.zip") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")
