"""The trial runner with real tiny scripts (tests/trainingjobs/scripts/) and real processes."""

from __future__ import annotations

import ast
import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from algorithms.metric_regex import (
    MAX_LINE_CHARS,
    compile_metric_regex,
    general_metric_regex,
    match_line,
)
from trainingjobs import runner
from trainingjobs.command import build_argv, trial_env
from trainingjobs.runner import RunResult, run_trial_process

SCRIPTS = Path(__file__).parent / "scripts"
PYTHON = sys.executable
Lines = list[tuple[str, str]]


def never() -> str | None:
    return None


def run(
    argv: list[str],
    *,
    timeout_s: float | None = 20,
    poll: Callable[[], str | None] = never,
    lines: Lines | None = None,
    **options: Any,
) -> tuple[RunResult, Lines]:
    """Run ``argv`` with the trial environment; the result and every (stream, line)."""
    seen: Lines = [] if lines is None else lines
    env = trial_env(
        {"PATH": os.environ.get("PATH", os.defpath)},
        job_id=3,
        trial_id=7,
        data_url=None,
        train_url="/tmp/out",
        threads=1,
        slot=0,
        slot_template="",
        algorithm_sets=(),
    )
    result = run_trial_process(
        argv,
        cwd=SCRIPTS,
        env=env,
        timeout_s=timeout_s,
        on_line=lambda stream, text: seen.append((stream, text)),
        poll=poll,
        **{"poll_interval_s": 0.05, "grace_s": 1.0, **options},
    )
    return result, seen


def script(name: str, *args: str) -> list[str]:
    return [PYTHON, str(SCRIPTS / name), *args]


def values(metric: str, lines: Lines) -> list[float]:
    """The metric values the monitor would record, read with the algorithm tester's matcher."""
    matcher = compile_metric_regex(general_metric_regex(metric))
    found = [match_line(matcher, text) for _, text in lines]
    return [value for value in found if value is not None]


def stop_when(predicate: Callable[[], bool], reason: str = "early stopped") -> Callable[[], Any]:
    return lambda: reason if predicate() else None


def gone(pid: int, within_s: float = 3.0) -> bool:
    """Whether ``pid`` has exited (a zombie counts: it runs no more) within ``within_s``."""
    end = time.monotonic() + within_s
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.02)
    return False


def pid_from(lines: Lines, prefix: str) -> int:
    return next(int(text.removeprefix(prefix)) for _, text in lines if text.startswith(prefix))


def test_normal_script_reports_each_line_and_exits_zero() -> None:
    result, lines = run(script("say.py", "epoch 1 loss=0.5", "", "epoch 2 loss=0.25"))
    assert lines == [
        ("stdout", "epoch 1 loss=0.5"),
        ("stdout", ""),
        ("stdout", "epoch 2 loss=0.25"),
    ]
    assert (result.exit_code, result.signal, result.timed_out, result.stop_reason) == (
        0,
        None,
        False,
        None,
    )
    assert 0 < result.duration_s < 5
    assert values("loss", lines) == [0.5, 0.25]


def test_crash_shows_its_exit_code_and_traceback() -> None:
    result, lines = run(script("crash.py"))
    assert (result.exit_code, result.signal) == (1, None)
    assert lines[0] == ("stdout", "epoch 1 accuracy=0.51")
    stderr = [text for stream, text in lines if stream == "stderr"]
    assert stderr[0] == "Traceback (most recent call last):"
    assert stderr[-1] == "ZeroDivisionError: float division by zero"


def test_hang_past_the_timeout_is_ended_as_timed_out() -> None:
    result, lines = run(script("hang.py"), timeout_s=0.5)
    assert result.timed_out and result.stop_reason is None
    assert (result.exit_code, result.signal) == (None, signal.SIGTERM)
    assert 0.5 <= result.duration_s < 2
    assert gone(pid_from(lines, "pid="))


def test_50_mb_on_both_streams_is_read_without_deadlock() -> None:
    counts = {"stdout": 0, "stderr": 0}
    last: dict[str, str] = {}

    def count(stream: str, text: str) -> None:
        counts[stream] += 1
        last[stream] = text

    result = run_trial_process(
        script("flood.py", "50"),
        cwd=SCRIPTS,
        env={"PATH": os.environ.get("PATH", "")},
        timeout_s=60,
        on_line=count,
        poll=never,
    )
    assert result.exit_code == 0
    # 50 MB of 100-byte lines, one tenth on stderr, then the metric on stdout.
    assert counts == {"stdout": 450_000 + 1, "stderr": 50_000}
    assert last == {"stdout": "accuracy=0.99", "stderr": "x" * 99}
    assert result.duration_s < 10


def test_nan_metric_is_a_line_like_any_other() -> None:
    result, lines = run(script("say.py", "epoch 1 loss=0.7", "epoch 2 loss=nan"))
    assert result.exit_code == 0
    first, second = values("loss", lines)
    assert first == 0.7 and math.isnan(second)


def test_script_without_metric_exits_zero_with_no_value() -> None:
    result, lines = run(script("say.py", "training done"))
    assert result.exit_code == 0
    assert lines == [("stdout", "training done")]
    assert values("accuracy", lines) == []


def test_progress_bar_gives_one_line_per_epoch_with_its_final_text() -> None:
    result, lines = run(script("keras_bar.py"))
    assert result.exit_code == 0
    assert lines == [
        ("stdout", "Epoch 1/2"),
        ("stdout", "10/10 [==========] - loss: 0.2000 - accuracy: 0.8000"),
        ("stdout", "Epoch 2/2"),
        ("stdout", "10/10 [==========] - loss: 0.1000 - accuracy: 0.9000"),
    ]
    # The redraws carried accuracy 0.11 ... 0.19: none of them is a report.
    assert values("accuracy", lines) == [0.8, 0.9]


def test_metric_logged_on_stderr_is_read() -> None:
    result, lines = run(script("log_stderr.py"))
    assert result.exit_code == 0
    assert lines == [
        ("stderr", "INFO:train:epoch 1 val_accuracy=0.7"),
        ("stderr", "INFO:train:epoch 2 val_accuracy=0.75"),
    ]
    assert values("val_accuracy", lines) == [0.7, 0.75]


def test_poll_is_called_while_the_script_is_silent() -> None:
    calls: list[float] = []

    def poll() -> str | None:
        calls.append(time.monotonic())
        return "canceled" if len(calls) == 5 else None

    result, lines = run(script("hang.py"), poll=poll, poll_interval_s=0.05)
    assert result.stop_reason == "canceled" and not result.timed_out
    assert result.signal == signal.SIGTERM
    assert len(calls) == 5  # no call once a stop was asked
    gaps = [later - earlier for earlier, later in zip(calls, calls[1:], strict=False)]
    assert all(0.04 <= gap < 0.5 for gap in gaps)
    assert lines == [("stdout", f"pid={pid_from(lines, 'pid=')}")]


def test_script_ignoring_sigterm_is_killed_after_the_grace_period() -> None:
    lines: Lines = []
    result, _ = run(
        script("ignore_sigterm.py"),
        lines=lines,
        poll=stop_when(lambda: bool(lines)),
        grace_s=0.3,
    )
    assert lines == [("stdout", "ready")]
    assert result.stop_reason == "early stopped"
    assert (result.exit_code, result.signal) == (None, signal.SIGKILL)
    assert 0.3 <= result.duration_s < 3


def test_stop_kills_the_whole_process_group() -> None:
    lines: Lines = []
    result, _ = run(
        script("spawn_child.py", "hang"), lines=lines, poll=stop_when(lambda: bool(lines))
    )
    assert result.stop_reason == "early stopped"
    assert gone(pid_from(lines, "child="))


def test_child_left_behind_neither_outlives_the_trial_nor_delays_its_end() -> None:
    # The child keeps the script's stdout open: waiting for EOF alone would wait for it.
    result, lines = run(script("spawn_child.py", "leave"))
    assert result.exit_code == 0
    assert result.duration_s < 3
    assert gone(pid_from(lines, "child="))


@pytest.mark.parametrize("launcher", ["setpriv", "preexec"])
def test_trial_dies_with_its_worker(launcher: str) -> None:
    if launcher == "setpriv" and runner._setpriv() is None:
        pytest.skip("util-linux setpriv with --pdeathsig is not installed")
    worker = subprocess.Popen(
        [PYTHON, str(SCRIPTS / "worker.py"), launcher], stdout=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout is not None
        trial_pid = int(worker.stdout.readline().removeprefix("pid="))
        assert not gone(trial_pid, within_s=0.1)
        worker.kill()  # SIGKILL: the worker gets no chance to clean up
        worker.wait()
        assert gone(trial_pid)
    finally:
        worker.kill()
        worker.wait()


def test_error_in_a_callback_kills_the_group_and_propagates() -> None:
    seen: Lines = []

    def on_line(stream: str, text: str) -> None:
        seen.append((stream, text))
        raise RuntimeError("database is gone")

    with pytest.raises(RuntimeError, match="database is gone"):
        run_trial_process(
            script("spawn_child.py", "hang"),
            cwd=SCRIPTS,
            env={"PATH": os.environ.get("PATH", "")},
            timeout_s=20,
            on_line=on_line,
            poll=never,
        )
    assert gone(pid_from(seen, "child="))


def test_without_pidfd_the_exit_is_still_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pidfd(pid: int, flags: int = 0) -> int:
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(os, "pidfd_open", no_pidfd)
    result, lines = run(script("say.py", "loss=0.1"))
    assert (result.exit_code, lines) == (0, [("stdout", "loss=0.1")])
    result, _ = run(script("hang.py"), timeout_s=0.2)
    assert result.timed_out and result.signal == signal.SIGTERM


def test_long_lines_and_long_redraws_are_cut() -> None:
    code = (
        "import sys\n"
        "sys.stdout.write('a' * 1_000_000 + '\\n')\n"
        "sys.stdout.write(''.join(f'\\rstep {i} ' + 'b' * 5000 for i in range(500)) + '\\n')\n"
        "sys.stdout.flush()\n"
        "sys.stdout.buffer.write(b'tail without newline, invalid UTF-8 \\xff')"
    )
    result, lines = run([PYTHON, "-c", code])
    assert result.exit_code == 0
    assert lines[0] == ("stdout", "a" * MAX_LINE_CHARS)
    assert lines[1] == ("stdout", ("step 499 " + "b" * 5000)[:MAX_LINE_CHARS])
    assert lines[2] == ("stdout", "tail without newline, invalid UTF-8 \N{REPLACEMENT CHARACTER}")
    assert len(lines) == 3


def test_relative_interpreter_path_is_taken_from_cwd() -> None:
    relative = os.path.relpath(PYTHON, SCRIPTS)
    result, lines = run([relative, "say.py", "loss=0.1"])
    assert (result.exit_code, lines) == (0, [("stdout", "loss=0.1")])


def test_missing_interpreter_raises_oserror() -> None:
    with pytest.raises(OSError):
        run(["/nonexistent/python3", "train.py"])
    with pytest.raises(OSError):
        run(["no-such-python-here", "train.py"])
    with pytest.raises(OSError):
        run_trial_process(
            script("say.py"),
            cwd=SCRIPTS / "missing",
            env={},
            timeout_s=5,
            on_line=lambda stream, text: None,
            poll=never,
        )


def _argv(boot: str, values: dict[str, Any], types: dict[str, str], **options: Any) -> list[str]:
    defaults: dict[str, Any] = {
        "argument_style": "equals",
        "bool_style": "true_false",
        "data_url": None,
        "train_url": None,
        "context": {
            "trial_dir": "/w/t7",
            "output_dir": "/w/o7",
            "trial_id": "7",
            "job_id": "3",
            "data_dir": "/w/d",
        },
    }
    return build_argv(
        python=PYTHON,
        boot_file=str(SCRIPTS / boot),
        values=values,
        types=types,
        **{**defaults, **options},
    )


def parsed(lines: Lines) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(lines[0][1])
    return data


def test_argparse_script_gets_data_urls_only_when_asked() -> None:
    types = {"lr": "float"}
    result, lines = run(_argv("strict_argparse.py", {"lr": 0.1}, types))
    assert result.exit_code == 0  # the env var is set either way; no flag, no error
    assert parsed(lines)["DATA_URL"] == ""
    # What happens to a script that does not take them when they are passed anyway:
    result, lines = run(_argv("strict_argparse.py", {"lr": 0.1}, types, data_url="/w/d"))
    assert result.exit_code == 2
    assert lines[-1][0] == "stderr"
    assert "unrecognized arguments: --data_url=/w/d" in lines[-1][1]


@pytest.mark.parametrize("style", ["equals", "space"])
def test_click_script_takes_c(style: str) -> None:
    pytest.importorskip("click")
    values = {"c": 0.5, "kernel": "linear", "max-iter": 200.0, "shrinking": True}
    types = {"c": "float", "kernel": "str", "max-iter": "int", "shrinking": "bool"}
    argv = _argv("click_cli.py", values, types, argument_style=style, bool_style="flag")
    result, lines = run(argv)
    assert result.exit_code == 0, lines
    assert parsed(lines) == {"c": 0.5, "kernel": "linear", "max_iter": 200, "shrinking": True}
    assert values_of(lines) == [0.905]


def values_of(lines: Lines) -> list[float]:
    return values("accuracy", lines)


@pytest.mark.parametrize(
    ("bool_style", "bool_name"),
    [("true_false", "amp"), ("one_zero", "bias"), ("flag", "shuffle")],
)
@pytest.mark.parametrize("style", ["equals", "space"])
def test_integers_and_booleans_reach_argparse_typed(
    bool_style: str, bool_name: str, style: str
) -> None:
    # argparse's type=int refuses "2.0": a sampler's 2.0 must arrive as "2".
    values = {"lr": 0.1 + 0.2, "epochs": 2.0, bool_name: True}
    types = {"lr": "float", "epochs": "int", bool_name: "bool"}
    result, lines = run(
        _argv("strict_argparse.py", values, types, argument_style=style, bool_style=bool_style)
    )
    assert result.exit_code == 0, lines
    got = parsed(lines)
    assert (got["lr"], got["epochs"]) == (0.30000000000000004, 2)
    assert got[bool_name] in (True, 1)
    # And false: nothing is passed in flag style, the default stays.
    values[bool_name] = False
    result, lines = run(
        _argv("strict_argparse.py", values, types, argument_style=style, bool_style=bool_style)
    )
    assert result.exit_code == 0, lines
    assert parsed(lines)[bool_name] in (False, 0)


def test_placeholders_reach_the_script() -> None:
    values = {"checkpoint": "{trial_dir}/ckpt-{{best}}"}
    result, lines = run(_argv("strict_argparse.py", values, {"checkpoint": "str"}))
    assert result.exit_code == 0, lines
    assert parsed(lines)["checkpoint"] == "/w/t7/ckpt-{best}"


def test_trial_env_reaches_the_script() -> None:
    argv = _argv("show_run.py", {"name": "a b;c"}, {"name": "str"}, train_url="/out")
    result, lines = run(argv)
    assert result.exit_code == 0
    shown = parsed(lines)
    assert shown["argv"] == ["--name=a b;c", "--train_url=/out"]  # one argument, no shell
    assert shown["cwd"] == str(SCRIPTS)
    assert shown["env"] == {
        "DATA_URL": "",
        "TRAIN_URL": "/tmp/out",
        "TRIAL_ID": "7",
        "JOB_ID": "3",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "TORCH_NUM_THREADS": "1",
        "CUDA_VISIBLE_DEVICES": None,
        "PYTHONUNBUFFERED": "1",
    }


@pytest.mark.parametrize("module", ["runner.py", "runner_lines.py", "command.py"])
def test_runner_modules_import_no_django(module: str) -> None:
    source = Path(runner.__file__).with_name(module).read_text()
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    assert not roots & {"django", "rest_framework", "huey", "channels"}
    assert "trainingjobs.models" not in source and "algorithms.models" not in source


def test_a_stop_returned_for_a_line_ends_the_group_at_once() -> None:
    # A fast script reports many times between two polls: an early-termination decision
    # taken on a line must not wait for the next poll while the script runs on.
    fast = (
        "import time\n"
        "for i in range(300):\n"
        "    print(f'accuracy={i}', flush=True)\n"
        "    time.sleep(0.01)"
    )
    seen: Lines = []

    def on_line(stream: str, text: str) -> str | None:
        seen.append((stream, text))
        return "early stopped" if len(seen) >= 3 else None

    result = run_trial_process(
        [PYTHON, "-c", fast],
        cwd=SCRIPTS,
        env={"PATH": os.environ.get("PATH", os.defpath), "PYTHONUNBUFFERED": "1"},
        timeout_s=20,
        on_line=on_line,
        poll=never,
        poll_interval_s=60,
        grace_s=1.0,
    )
    assert result.stop_reason == "early stopped" and not result.timed_out
    assert result.signal == signal.SIGTERM
    assert len(seen) < 100
    assert result.duration_s < 3
