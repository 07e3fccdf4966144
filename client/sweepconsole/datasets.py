"""A dataset of the console: data trials read (``--data_url`` / ``DATA_URL``), uploaded
once and named by a job (``Console.submit(dataset=...)``, a job file's ``dataset:``), and
``Console``'s dataset methods (list, get by id or name, create, delete).

Its JSON (``GET /api/v1/datasets/{id}/``) has ``id``, ``name``, ``status``
(``processing`` while a worker reads it whole, then ``ready`` or ``failed`` with
``status_reason``), ``size``, ``file_count``, ``files`` and ``owner``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from sweepconsole.errors import AmbiguousName, NotFound, SpecError
from sweepconsole.naming import Caller, id_or_name, pick_by_name
from sweepconsole.resource_base import Resource
from sweepconsole.transport import Session
from sweepconsole.upload import zip_folder
from sweepconsole.waiting import wait_while_busy

if TYPE_CHECKING:
    from sweepconsole.console import Console

__all__ = ["Dataset", "DatasetMethods", "dataset_upload"]


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

    def delete(self) -> None:
        """Delete it and its stored content (``ConsoleError`` with HTTP 409 while a
        training job uses it)."""
        self.console.session.request(
            "DELETE", f"/api/v1/datasets/{self.id}/", what=f"Dataset {self.id}"
        )

    def wait_until_ready(self, timeout: float = 300, poll: float = 0.5) -> Dataset:
        """Wait while a worker reads it; raise ``ConsoleError`` with the reason if it
        failed, or if it is still processing after ``timeout`` seconds."""
        return wait_while_busy(self, "processing", "still processing", timeout, poll)


def dataset_upload(path: str | Path) -> tuple[str, bytes]:
    """The file to upload for ``path``: a file as it is (a CSV, an array, a ``.zip`` or
    ``.tar.gz`` archive), a folder as one zip. ``SpecError`` when it does not exist."""
    source = Path(path)
    if source.is_dir():
        return f"{source.resolve().name}.zip", zip_folder(source)
    if not source.is_file():
        raise SpecError(f"No such file or folder: {source}")
    return source.name, source.read_bytes()


class DatasetMethods:
    """``Console``'s datasets: ``console.datasets()``, ``get_dataset(ref)``,
    ``create_dataset(...)``, ``delete_dataset(ref)``."""

    session: Session

    def caller(self) -> Caller:
        raise NotImplementedError  # ``Console.caller``

    def _console(self) -> Console:
        return cast("Console", self)  # these methods are only ever a Console's

    def datasets(self, search: str | None = None, *, name: str | None = None) -> list[Dataset]:
        """The caller's datasets (staff: everyone's), without their files; ``search``
        keeps those whose name or description contains it (any case), ``name`` those
        called exactly that."""
        params = {k: v for k, v in (("search", search), ("name", name)) if v}
        return [
            Dataset(self._console(), d)
            for d in self.session.paged("/api/v1/datasets/", params or None)
        ]

    def get_dataset(self, ref: int | str) -> Dataset:
        """A dataset by id or by exact name, with its files; a name several visible
        datasets share means the caller's own (shared by others only: ``AmbiguousName``)."""
        ref = id_or_name(ref)
        if isinstance(ref, str):
            # The list leaves out the files: read the one it names, as by id.
            return self._named(ref).refresh()
        data = self.session.request("GET", f"/api/v1/datasets/{ref}/", what=f"Dataset {ref}")
        return Dataset(self._console(), data)

    def _named(self, name: str) -> Dataset:
        """The dataset a name means for the caller, as the list gives it (no files).

        The console filters the list by the exact name (one page, however many datasets
        there are); ``pick_by_name`` still checks each name, so a console older than
        ``?name=``, which answers the whole list, gives the same dataset."""
        return pick_by_name("dataset", name, self.datasets(name=name), self.caller)

    def dataset_reference(self, dataset_id: int, name: str | None = None) -> int | str:
        """How to name this dataset for this caller: its name when the name resolves back
        to it, else its id (as ``algorithm_reference``). ``name`` is the job's
        ``dataset_name``; without it (a console older than that field) it is read."""
        if name is None:
            name = self.get_dataset(dataset_id).name
        try:
            same = bool(name) and self._named(name).id == dataset_id
        except (NotFound, AmbiguousName):
            same = False
        return name if same else dataset_id

    def create_dataset(
        self,
        path: str | Path | None = None,
        *,
        name: str,
        description: str = "",
        server_path: str | None = None,
        wait: bool = True,
        timeout: float = 300,
    ) -> Dataset:
        """Upload a file, an archive (``.zip``, ``.tar.gz``) or a folder (sent as one zip)
        as a dataset called ``name``, or register ``server_path``, a folder under a server
        root the administrator allows (``DATASET_SERVER_ROOTS``). With ``wait`` it returns
        once a worker has read it, and raises ``ConsoleError`` with the reason if it
        failed; a refused request raises ``ConsoleError`` with the field messages."""
        fields = {"name": name, "description": description}
        if path is None:
            if not server_path:
                raise SpecError("Give the data: a file, archive or folder path, or server_path.")
            data = self.session.request(
                "POST", "/api/v1/datasets/", json={**fields, "server_path": server_path}
            )
        else:
            upload = dataset_upload(path)
            data = self.session.request(
                "POST",
                "/api/v1/datasets/",
                data={**fields, **({"server_path": server_path} if server_path else {})},
                files={"file": (upload[0], upload[1], "application/octet-stream")},
            )
        dataset = Dataset(self._console(), data)
        return dataset.wait_until_ready(timeout=timeout) if wait else dataset

    def delete_dataset(self, ref: int | str) -> Dataset:
        """Delete a dataset (by id or name) and its stored content; the dataset as it was.
        Refused (``ConsoleError``, HTTP 409) while a training job uses it."""
        dataset = self.get_dataset(ref)
        dataset.delete()
        return dataset
