"""Runs one trial's process: no ORM, no Django; it reports through two callbacks.

``run_trial_process`` starts the script from an argument list (never a shell) in its own
session and process group, reads stdout and stderr line by line, calls ``poll`` about every
``poll_interval_s`` (even when the script is silent) and ends the whole process group when
``poll`` asks, when the trial's timeout passes, or when the worker dies.

Design notes:
- One thread does everything: a selector waits on both pipes and on a pidfd of the child
  (a descriptor that becomes readable when it exits), so ``on_line`` and ``poll`` are only
  ever called from the caller's thread, never concurrently, and the end of a process wakes
  the runner at once instead of at a sleeping poll's next tick.
- Lines are split and cut by ``trainingjobs.runner_lines`` (its docstring says how).
- Ending: SIGTERM to the group, then SIGKILL after ``grace_s``. When the script itself exits,
  whatever it left in its group is killed (SIGKILL) so nothing of a trial outlives it.
- Dying with the worker: the child gets ``PR_SET_PDEATHSIG`` = SIGKILL (Linux). The kernel
  sends it when the *thread* that forked exits, i.e. the thread calling
  ``run_trial_process``, which blocks until the end, so it only fires if the worker dies.
  It reaches the script only; its own children are in its process group, which the runner
  kills on every way out of this function, including exceptions (KeyboardInterrupt too).
- Starting cheaply: a ``preexec_fn`` would make ``subprocess`` fork the whole worker instead
  of vfork-ing it: measured +30 ms per trial in a worker holding 200 MB, more than a short
  script's whole run (about 25 ms). So the death signal is set by util-linux's
  ``setpriv --pdeathsig KILL``, which then execs the interpreter (about +1 ms); a
  ``preexec_fn`` calling prctl through ctypes is the fallback where ``setpriv`` is missing.
  The signal is kept across exec. (With ``setpriv`` a worker dying in the millisecond before
  it sets the signal leaves that one trial running; the fallback closes that window.)
"""

from __future__ import annotations

import ctypes
import functools
import math
import os
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from trainingjobs.runner_lines import LineSplitter

READ_CHUNK = 1 << 16  # bytes per read (one default pipe buffer)
# After the script exits, how long to wait for its pipes to close: only a process that left
# the group (setsid) could still hold them, and its output no longer belongs to the trial.
DRAIN_S = 1.0

_PR_SET_PDEATHSIG = 1
_EXIT = "exit"


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return prctl


# Looked up once in the parent: the child, between fork and exec, only calls it.
_prctl = _load_prctl()


@dataclass(frozen=True)
class RunResult:
    """How the process ended.

    ``exit_code``: the exit status, or None when a signal ended it. ``signal``: the number of
    the signal that ended it (e.g. 15 SIGTERM, 9 SIGKILL), or None. ``timed_out``: the trial's
    timeout ended it. ``stop_reason``: what ``poll`` returned when it asked for the stop, else
    None. ``duration_s``: wall time from start to reaping, in seconds. A process that handles
    SIGTERM and exits 0 when stopped has ``exit_code=0`` with ``stop_reason`` set: check
    ``timed_out``/``stop_reason`` before the exit code.
    """

    exit_code: int | None
    signal: int | None
    timed_out: bool
    stop_reason: str | None
    duration_s: float


@functools.cache
def _setpriv() -> str | None:
    """The path of a ``setpriv`` that knows ``--pdeathsig`` (util-linux >= 2.33), or None."""
    path = shutil.which("setpriv")
    if path is None or not sys.platform.startswith("linux"):
        return None
    try:
        found = subprocess.run(
            [path, "--help"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return path if "--pdeathsig" in found.stdout else None


def _executable(program: str, cwd: Path, env: Mapping[str, str]) -> str:
    """``program`` resolved as ``subprocess`` would (a relative path from ``cwd``, a bare name
    on the PATH of the trial's ``env``); FileNotFoundError or PermissionError when it cannot
    run, so a bad interpreter fails here, not as an exit code of the launcher."""
    if os.sep in program:
        program = os.path.join(cwd, program)
        if not os.path.isfile(program):
            raise FileNotFoundError(f"No such interpreter: {program}")
        if not os.access(program, os.X_OK):
            raise PermissionError(f"The interpreter is not executable: {program}")
        return program
    found = shutil.which(program, path=env.get("PATH", os.defpath))
    if found is None:
        raise FileNotFoundError(f"No interpreter {program!r} on the trial's PATH")
    return found


def _die_with_parent(parent_pid: int) -> Callable[[], None]:
    def preexec() -> None:
        # Runs in the child between fork and exec: no imports, no allocation-heavy work.
        if _prctl is not None:
            _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        # The parent may have died before prctl: then no signal would ever come.
        if os.getppid() != parent_pid:
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


def _killpg(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass  # the group is gone (or only foreign processes remain)


class _ExitWatch:
    """A file descriptor that becomes readable when the child exits, without reaping it
    (so its pid, and so its process group id, cannot be reused while the runner kills the
    group). A pidfd on Linux >= 5.3; elsewhere a thread blocked in waitid(WNOWAIT)."""

    def __init__(self, pid: int) -> None:
        self._fds: list[int] = []
        try:
            self.fd = os.pidfd_open(pid)
            self._fds.append(self.fd)
            return
        except (AttributeError, OSError):
            pass
        read_fd, write_fd = os.pipe()
        self._fds.append(read_fd)
        self.fd = read_fd

        def wait() -> None:
            # The thread owns the write end: closing it here (never in the runner) means a
            # late write can never land in a descriptor number reused by someone else.
            try:
                os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
            except ChildProcessError:
                pass  # already reaped: it has exited either way
            try:
                os.write(write_fd, b"x")
            except OSError:
                pass  # the runner has stopped listening (EPIPE)
            finally:
                os.close(write_fd)

        threading.Thread(target=wait, name=f"trial-exit-{pid}", daemon=True).start()

    def close(self) -> None:
        for fd in self._fds:
            os.close(fd)
        self._fds = []


def run_trial_process(
    argv: list[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout_s: float | None,
    on_line: Callable[[str, str], str | None],
    poll: Callable[[], str | None],
    poll_interval_s: float = 0.5,
    grace_s: float = 5.0,
) -> RunResult:
    """Run ``argv`` (``[python, boot_file, *options]``) to its end and say how it ended.

    ``cwd``: the trial's working folder. ``env``: the whole environment (nothing is
    inherited). ``timeout_s``: wall-clock limit in seconds from the start (None: none); when
    it passes the group is ended and ``timed_out`` is True.
    ``on_line(stream, text)``: each output line, ``stream`` ``"stdout"`` or ``"stderr"``,
    ``text`` its final terminal text without ``"\\n"``, at most ``MAX_LINE_CHARS`` characters;
    lines of one stream arrive in order; returning a reason (a str) ends the group at once,
    as ``poll`` does (an early-termination decision is taken on a line, and a script that
    reports fast would otherwise run on until the next poll). ``poll()``: called about
    every ``poll_interval_s``
    seconds while the script runs, output or not; returning a reason (a str) ends the group
    and is reported as ``stop_reason``; after that ``poll`` is not called again.
    ``grace_s``: seconds between SIGTERM and SIGKILL when ending the group.

    Both callbacks run in the calling thread, one at a time; a slow callback slows reading
    (the script then blocks on a full pipe) but loses nothing. Calls may run concurrently in
    several threads. Raises OSError when the process cannot be started (missing interpreter
    or ``cwd``); any exception from a callback kills the group (SIGKILL), reaps the
    process and propagates.
    """
    if poll_interval_s <= 0:
        raise ValueError(f"poll_interval_s must be > 0, got {poll_interval_s}.")
    if grace_s < 0:
        raise ValueError(f"grace_s must be >= 0, got {grace_s}.")
    if not argv:
        raise ValueError("argv is empty.")
    started = time.monotonic()
    setpriv = _setpriv()
    if setpriv is not None:
        launch = [setpriv, "--pdeathsig", "KILL", "--", _executable(argv[0], cwd, env), *argv[1:]]
        preexec_fn = None
    else:
        launch, preexec_fn = list(argv), _die_with_parent(os.getpid())
    proc = subprocess.Popen(
        launch,
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # setsid: own session and process group, pgid == pid
        preexec_fn=preexec_fn,
    )
    try:
        timed_out, stop_reason = _supervise(
            proc,
            started=started,
            timeout_s=timeout_s,
            on_line=on_line,
            poll=poll,
            poll_interval_s=poll_interval_s,
            grace_s=grace_s,
        )
        returncode = proc.wait()
    except BaseException:
        _killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    finally:
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    return RunResult(
        exit_code=returncode if returncode >= 0 else None,
        signal=-returncode if returncode < 0 else None,
        timed_out=timed_out,
        stop_reason=stop_reason,
        duration_s=time.monotonic() - started,
    )


def _supervise(
    proc: subprocess.Popen[bytes],
    *,
    started: float,
    timeout_s: float | None,
    on_line: Callable[[str, str], str | None],
    poll: Callable[[], str | None],
    poll_interval_s: float,
    grace_s: float,
) -> tuple[bool, str | None]:
    """Read, poll and end the group until the child has exited and its pipes are drained.

    Returns (timed_out, stop_reason). The child is exited but not reaped on return.
    """
    assert proc.stdout is not None and proc.stderr is not None
    pgid = proc.pid
    splitters: dict[int, LineSplitter] = {}
    watch = _ExitWatch(proc.pid)
    inf = math.inf
    deadline = started + timeout_s if timeout_s is not None else inf
    next_poll = started + poll_interval_s
    kill_at = inf  # SIGKILL time once the group got SIGTERM
    drain_until = inf  # set when the child exits
    timed_out, stop_reason, ending = False, None, False
    asked: list[str] = []  # the first stop reason a line's callback returned

    def line(stream: str, text: str) -> None:
        reason = on_line(stream, text)
        if reason is not None and not asked:
            asked.append(reason)

    with selectors.DefaultSelector() as selector:
        pipe: IO[bytes]
        for name, pipe in (("stdout", proc.stdout), ("stderr", proc.stderr)):
            os.set_blocking(pipe.fileno(), False)
            splitters[pipe.fileno()] = LineSplitter(name, line)
            selector.register(pipe.fileno(), selectors.EVENT_READ)
        selector.register(watch.fd, selectors.EVENT_READ, _EXIT)
        try:
            while splitters or drain_until == inf:
                now = time.monotonic()
                if now >= drain_until:
                    break  # the pipes outlived the group: stop reading them
                if drain_until == inf and not ending:
                    if now >= deadline:
                        timed_out = ending = True
                    elif asked:
                        stop_reason, ending = asked[0], True
                    elif now >= next_poll:
                        stop_reason = poll()
                        ending = stop_reason is not None
                        next_poll = time.monotonic() + poll_interval_s
                    if ending:
                        _killpg(pgid, signal.SIGTERM)
                        kill_at = time.monotonic() + grace_s
                if drain_until == inf and time.monotonic() >= kill_at:
                    _killpg(pgid, signal.SIGKILL)
                    kill_at = inf
                wake = drain_until if drain_until != inf else kill_at
                if not ending:
                    wake = min(wake, deadline, next_poll)
                timeout = None if wake == inf else max(0.0, wake - time.monotonic())
                for key, _ in selector.select(timeout):
                    if key.data == _EXIT:
                        # Exited (not reaped, so the group id is still ours): end what it
                        # left behind, whose open pipes would otherwise keep us reading.
                        _killpg(pgid, signal.SIGKILL)
                        selector.unregister(key.fd)
                        drain_until = time.monotonic() + DRAIN_S
                        continue
                    fd = int(key.fd)
                    try:
                        data = os.read(fd, READ_CHUNK)
                    except BlockingIOError:
                        continue
                    if data:
                        splitters[fd].feed(data)
                    else:
                        splitters.pop(fd).close()
                        selector.unregister(fd)
        finally:
            watch.close()
    for splitter in splitters.values():
        splitter.close()  # pipes still held open by an escaped process: keep what came
    return timed_out, stop_reason
