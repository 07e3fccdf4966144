"""An algorithm's code as the console takes it: a script, an archive or a folder (zipped
here, caches and version-control folders left out), with the fields a folder's
``algorithm.json`` gives."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sweepconsole.errors import SpecError

__all__ = ["ALGORITHM_FIELDS", "algorithm_upload", "form_value", "zip_folder"]

# Files never packed when a folder is uploaded.
_SKIP_DIRS = frozenset({"__pycache__", ".git", ".hg", ".svn", ".venv", "venv", ".mypy_cache"})
# The algorithm fields a folder's ``algorithm.json`` (and a job file's ``algorithm:``) may
# give: every writable field of the REST API's create body but the code itself (``code``,
# the upload, or ``server_path``). A test keeps it equal to the server's list.
ALGORITHM_FIELDS = (
    "name",
    "description",
    "boot_file",
    "engine",
    "argument_style",
    "bool_style",
    "accepts_data_urls",
    "hyperparameters",
    "auto_search",
    "metric",
    "search_algorithms",
    "sample_log",
    "confirm_no_match",
)


def algorithm_upload(
    path: str | Path | None, given: Mapping[str, Any]
) -> tuple[dict[str, Any], tuple[str, bytes] | None]:
    """The create request's fields and the file to upload (``(file name, bytes)``, or
    ``None`` without ``path``). ``given`` (the caller's fields, ``None`` for unset) wins
    over a folder's ``algorithm.json``; a ``.py`` path is its own boot file. Raises
    ``SpecError`` for a missing path or a bad ``algorithm.json``."""
    fields: dict[str, Any] = {}
    upload: tuple[str, bytes] | None = None
    if path is not None:
        source = Path(path)
        if not source.exists():
            raise SpecError(f"No such file or folder: {source}")
        if source.is_dir():
            fields.update(_folder_spec(source))
            upload = (f"{source.resolve().name}.zip", zip_folder(source))
        else:
            upload = (source.name, source.read_bytes())
            if source.suffix == ".py":
                fields.setdefault("boot_file", source.name)
    fields.update({k: v for k, v in given.items() if v is not None})
    if "auto_search" not in fields and ("metric" in fields or "search_algorithms" in fields):
        fields["auto_search"] = True
    return fields, upload


def form_value(value: Any) -> str:
    """A field as a multipart form carries it: JSON for nested values, true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value)
    return str(value)


def _folder_spec(folder: Path) -> dict[str, Any]:
    spec_file = folder / "algorithm.json"
    if not spec_file.is_file():
        return {}
    try:
        spec = json.loads(spec_file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise SpecError(f"{spec_file}: not valid JSON ({exc})") from None
    if not isinstance(spec, dict):
        raise SpecError(f"{spec_file}: expected a JSON object with the algorithm's fields")
    return {k: spec[k] for k in ALGORITHM_FIELDS if k in spec}


def zip_folder(folder: Path) -> bytes:
    """Every file under ``folder`` as one zip (paths relative to it), caches and
    version-control folders left out."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in sorted(folder.rglob("*")):
            relative = item.relative_to(folder)
            if any(part in _SKIP_DIRS for part in relative.parts) or item.suffix == ".pyc":
                continue
            if item.is_file():
                archive.write(item, relative.as_posix())
    return buffer.getvalue()
