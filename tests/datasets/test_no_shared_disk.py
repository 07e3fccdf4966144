"""Scale mode with no shared disk: the web process and two ``run_huey`` worker processes,
each with its own media, trial and cache folders, share only the database, the queue and
an S3-protocol bucket (moto's server, a process of its own). A job on a dataset with an
uploaded code package runs end to end; the outputs land in the bucket and download
through the console.
"""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.datasets.s3_server import S3Server, running_s3_server
from tests.datasets.test_job_on_dataset import DIGITS_SGD, digits_csv
from tests.support.cluster import Cluster


class NoSharedDiskCluster(Cluster):
    """Every process gets its own MEDIA_ROOT, TRIAL_WORK_DIR and DATA_CACHE_DIR."""

    def _spawn(self, name: str, cmd: list[str]) -> None:
        own = self.data_dir / f"host-{name}"
        shared = self.env
        self.env = {
            **shared,
            "MEDIA_ROOT": str(own / "media"),
            "TRIAL_WORK_DIR": str(own / "trials"),
            "DATA_CACHE_DIR": str(own / "cache"),
        }
        try:
            super()._spawn(name, cmd)
        finally:
            self.env = shared


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with running_s3_server() as server:
        yield server


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, s3: S3Server) -> Iterator[Cluster]:
    console = NoSharedDiskCluster(
        tmp_path_factory.mktemp("no-shared-disk"),
        layout="processes",
        workers=2,
        threads=1,
        env_overrides={**s3.env(), "MEDIA_ROOT": "/nonexistent/shell-media"},
    )
    console.start()
    console.create_user("alice", "alice-pass-123")
    yield console
    console.stop()


def _upload_algorithm(cluster: Cluster, package: Path) -> int:
    spec = json.loads((DIGITS_SGD / "algorithm.json").read_text())
    pk = cluster.shell(
        "from django.contrib.auth import get_user_model\n"
        "from django.core.files import File\n"
        "from algorithms.models import Algorithm\n"
        "from algorithms.services import algorithm_create\n"
        "owner = get_user_model().objects.get(username='alice')\n"
        "with open(package, 'rb') as fh:\n"
        "    algo = algorithm_create(owner=owner, spec=spec, code=File(fh, name='digits.zip'))\n"
        "Algorithm.objects.filter(pk=algo.pk).update(accepts_data_urls=True)\n"
        "result = algo.pk\n",
        spec=spec,
        package=str(package),
    )
    status = cluster.wait("the package check", lambda: cluster._settled_algorithm(pk), 120)
    assert status[0] == "ready", status
    return int(pk)


def _create_dataset(cluster: Cluster, csv_path: Path) -> dict[str, Any]:
    """Upload as a request would; a worker reads it (processing -> ready)."""
    created = dict(
        cluster.shell(
            "from django.contrib.auth import get_user_model\n"
            "from django.core.files import File\n"
            "from datasets.services import dataset_create\n"
            "owner = get_user_model().objects.get(username='alice')\n"
            "with open(path, 'rb') as fh:\n"
            "    upload = File(fh, name='digits.csv')\n"
            "    ds = dataset_create(owner=owner, name='digits', upload=upload)\n"
            "result = {'id': ds.pk, 'blob': ds.blob.name}\n",
            path=str(csv_path),
        )
    )

    def settled() -> tuple[str, str, str] | None:
        rows = cluster.rows(
            "SELECT status, status_reason, content_hash FROM datasets_dataset WHERE id = %s",
            (created["id"],),
        )
        return rows[0] if rows and rows[0][0] != "processing" else None  # type: ignore[return-value]

    status, reason, digest = cluster.wait("the dataset's processing", settled, 120)
    assert status == "ready", reason
    return {**created, "hash": digest}


def _token(cluster: Cluster) -> str:
    """A token from the console's token endpoint, as a script would get one."""
    import urllib.parse
    import urllib.request

    body = urllib.parse.urlencode({"username": "alice", "password": "alice-pass-123"}).encode()
    with urllib.request.urlopen(f"{cluster.url}/api/v1/auth/token/", body, timeout=30) as answer:
        return str(json.loads(answer.read())["token"])


def _get(cluster: Cluster, path: str, token: str) -> bytes:
    import urllib.request

    request = urllib.request.Request(
        f"{cluster.url}{path}", headers={"Authorization": f"Token {token}"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return bytes(answer.read())


def test_two_workers_without_a_shared_disk_run_a_job_on_a_dataset(
    cluster: Cluster, s3: S3Server, tmp_path: Path
) -> None:
    package = tmp_path / "digits.zip"
    with zipfile.ZipFile(package, "w") as zf:
        zf.write(DIGITS_SGD / "train.py", "train.py")
    csv_path = tmp_path / "digits.csv"
    csv_path.write_bytes(digits_csv())
    algorithm = _upload_algorithm(cluster, package)
    dataset = _create_dataset(cluster, csv_path)
    assert dataset["blob"] in s3.keys("datasets/")

    job_id = cluster.create_job(
        owner="alice",
        data={
            "name": "no shared disk",
            "algorithm": algorithm,
            "dataset": dataset["id"],
            "hyperparameters": {"epochs": 20},
            "search_space": {"eta0": {"type": "float", "low": 0.001, "high": 0.1, "log": True}},
            "search_algorithms": [{"name": "random", "params": {}}],
            "max_trials": 4,
            "max_concurrent": 2,
        },
    )
    job = cluster.wait_for_job_end(job_id, timeout=300)
    trials = cluster.trials(job_id)
    assert job["status"] == "completed", (job, trials)
    assert [t["status"] for t in trials] == ["completed"] * 4, [t["status_reason"] for t in trials]
    workers = {t["worker"] for t in trials}
    assert len(workers) == 2, workers  # both worker processes ran trials

    # Each worker materialised the dataset into its own cache, once.
    for name in ("worker0", "worker1"):
        entry = cluster.data_dir / f"host-{name}" / "cache" / "datasets" / dataset["hash"]
        assert (entry / "digits.csv").exists(), name
    # The outputs are in the bucket, and the console streams them back.
    token = _token(cluster)
    for trial in trials:
        assert any(k.endswith("/model.pkl") for k in s3.keys(f"outputs/trial-{trial['id']}/"))
        listed = json.loads(_get(cluster, f"/api/v1/trials/{trial['id']}/outputs/", token))
        assert {f["path"] for f in listed} == {"model.pkl", "metrics.json"}
    best = cluster.rows(
        "SELECT best_trial_id FROM trainingjobs_trainingjob WHERE id = %s", (job_id,)
    )[0][0]
    zipped = _get(cluster, f"/api/v1/trials/{best}/outputs.zip", token)
    archive = zipfile.ZipFile(io.BytesIO(zipped))
    saved = pickle.loads(archive.read("model.pkl"))
    table = np.loadtxt(csv_path, delimiter=",")
    predicted = saved["model"].predict(saved["scaler"].transform(table[:, :-1]))
    assert (predicted == table[:, -1]).mean() > 0.8
    # Nothing was written to a shared media folder.
    assert not Path("/nonexistent/shell-media").exists()
