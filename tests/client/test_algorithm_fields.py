"""The algorithm fields the client passes on are the create API's writable ones: a folder's
``algorithm.json`` (and a job file's ``algorithm: {path: ...}``) loses none of them."""

from __future__ import annotations

import inspect
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sweepconsole import Console
from sweepconsole.cli import cli
from sweepconsole.jobfile import load_job_file
from sweepconsole.upload import ALGORITHM_FIELDS, algorithm_upload

from algorithms.serializers import AlgorithmInputSerializer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "sgd_diabetes"
# How the code is given, not a field of the algorithm: the upload or a server folder.
CODE_FIELDS = {"code", "server_path"}


def test_client_passes_every_writable_field_of_the_create_api() -> None:
    writable = {
        name for name, field in AlgorithmInputSerializer().fields.items() if not field.read_only
    }
    assert set(ALGORITHM_FIELDS) == writable - CODE_FIELDS
    assert len(ALGORITHM_FIELDS) == len(set(ALGORITHM_FIELDS))


def test_create_algorithm_takes_each_field_as_a_keyword() -> None:
    keywords = {
        name
        for name, parameter in inspect.signature(Console.create_algorithm).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    }
    assert keywords == {*ALGORITHM_FIELDS, "server_path", "wait", "timeout"}


def test_example_folder_gives_data_urls_and_argument_styles() -> None:
    fields, upload = algorithm_upload(EXAMPLE, {"name": None, "bool_style": "one_zero"})
    assert fields["accepts_data_urls"] is True
    assert fields["argument_style"] == "equals"
    assert fields["bool_style"] == "one_zero"  # the caller's value wins over the file's
    assert fields["boot_file"] == "train.py" and fields["name"] == "sgd-diabetes"
    assert upload is not None and upload[0] == "sgd_diabetes.zip"


def test_job_file_algorithm_takes_the_same_fields(tmp_path: Path) -> None:
    (tmp_path / "job.yaml").write_text(
        f"""\
name: styles
algorithm:
  path: {EXAMPLE}
  accepts_data_urls: true
  argument_style: space
  bool_style: flag
  sample_log: "val_rmse: 1.0"
search_space:
  eta0: uniform(0.001, 0.1)
"""
    )
    job_file = load_job_file(tmp_path / "job.yaml")
    assert job_file.doc["algorithm"]["bool_style"] == "flag"


def test_cli_create_sends_the_styles_and_data_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "train.py"
    script.write_text("print('loss=0.1')\n")
    sent: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.read())
        return httpx.Response(201, json={"id": 3, "name": "tiny", "status": "ready"})

    transport = httpx.MockTransport(handler)
    monkeypatch.setattr(
        "sweepconsole.cli.Console",
        lambda url, token: Console("http://console.test", "tok", transport=transport),
    )
    args = ["algorithms", "create", str(script), "--name", "tiny", "--argument-style", "space"]
    args += ["--bool-style", "flag", "--data-urls"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Algorithm 'tiny' (id 3) is ready." in result.output
    body = sent[0].decode()
    assert 'name="argument_style"\r\n\r\nspace' in body
    assert 'name="bool_style"\r\n\r\nflag' in body
    assert 'name="accepts_data_urls"\r\n\r\ntrue' in body

    sent.clear()
    result = CliRunner().invoke(cli, ["algorithms", "create", str(script), "--name", "tiny"])
    assert result.exit_code == 0, result.output
    assert "argument_style" not in sent[0].decode()  # unset: the console's default
    assert "accepts_data_urls" not in sent[0].decode()
