"""A dataset of the console: data trials read (``--data_url`` / ``DATA_URL``), uploaded
once and named by a job (``Console.submit(dataset=...)``, a job file's ``dataset:``).

Its JSON (``GET /api/v1/datasets/{id}/``) has ``id``, ``name``, ``status``
(``processing`` while a worker reads it whole, then ``ready`` or ``failed`` with
``status_reason``), ``size``, ``file_count``, ``files`` and ``owner``.
"""

from __future__ import annotations

import time
from pathlib import Path

from sweepconsole.errors import ConsoleError, SpecError
from sweepconsole.resources import Resource
from sweepconsole.upload import zip_folder

__all__ = ["Dataset", "dataset_upload"]


class Dataset(Resource):
    @property
    def name(self) -> str:
        return str(self.data.get("name", ""))

    @property
    def status(self) -> str:
        return str(self.data.get("status", ""))

    def refresh(self) -> Dataset:
        self.data = self.console.session.request(
            "GET", f"/api/v1/datasets/{self.id}/", what=f"Dataset {self.id}"
        )
        return self

    def wait_until_ready(self, timeout: float = 300, poll: float = 0.5) -> Dataset:
        """Wait while a worker reads it; raise ``ConsoleError`` with the reason if it
        failed, or if it is still processing after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self.status == "processing":
            if time.monotonic() > deadline:
                raise ConsoleError(
                    f"Dataset {self.name!r} (id {self.id}) is still processing after "
                    f"{timeout:.0f}s; is a worker running?"
                )
            time.sleep(poll)
            self.refresh()
        if self.status != "ready":
            reason = self.data.get("status_reason") or "no reason given"
            raise ConsoleError(
                f"Dataset {self.name!r} (id {self.id}) is {self.status}: {reason}",
                fields={"file": [reason]},
            )
        return self


def dataset_upload(path: str | Path) -> tuple[str, bytes]:
    """The file to upload for ``path``: a file as it is (a CSV, an array, a ``.zip`` or
    ``.tar.gz`` archive), a folder as one zip. ``SpecError`` when it does not exist."""
    source = Path(path)
    if source.is_dir():
        return f"{source.resolve().name}.zip", zip_folder(source)
    if not source.is_file():
        raise SpecError(f"No such file or folder: {source}")
    return source.name, source.read_bytes()
