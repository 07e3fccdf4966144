"""A real S3-protocol server for the tests: moto's standalone server, as its own process.

Nothing is mocked: boto3 (through django-storages) speaks HTTP to it on a local port.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3

BUCKET = "sweep-test"
KEY_ID = "testing-key"
SECRET = "testing-secret"
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
            region_name=REGION,
        )

    def keys(self, prefix: str = "") -> list[str]:
        found = self.client().list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return sorted(o["Key"] for o in found.get("Contents", []))

    def env(self) -> dict[str, str]:
        """The console's variables for this store (scale mode)."""
        return {
            "STORAGE_S3_ENDPOINT_URL": self.endpoint,
            "STORAGE_S3_BUCKET": BUCKET,
            "STORAGE_S3_REGION": REGION,
            "STORAGE_S3_ACCESS_KEY_ID": KEY_ID,
            "STORAGE_S3_SECRET_ACCESS_KEY": SECRET,
        }

    def storages(self, **options: Any) -> dict[str, Any]:
        """A STORAGES setting whose default is this bucket (as console.settings builds it)."""
        return {
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "endpoint_url": self.endpoint,
                    "region_name": REGION,
                    "access_key": KEY_ID,
                    "secret_key": SECRET,
                    "file_overwrite": False,
                    "default_acl": None,
                    "addressing_style": "path",
                    **options,
                },
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_s3_server() -> Iterator[S3Server]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        server = S3Server(f"http://127.0.0.1:{port}")
        _wait_until_up(port, process)
        server.client().create_bucket(Bucket=BUCKET)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the S3 server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the S3 server did not start within 60 s")
