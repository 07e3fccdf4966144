"""A stand-in for a huey worker: runs hang.py through the runner and echoes its lines, so a
test can kill this process and check that the trial dies with it. Argument: "setpriv" or
"preexec" (the launcher to use)."""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from trainingjobs import runner  # noqa: E402

if sys.argv[1] == "preexec":
    runner._setpriv = lambda: None  # type: ignore[assignment]
runner.run_trial_process(
    [sys.executable, str(HERE / "hang.py")],
    cwd=HERE,
    env=dict(os.environ),
    timeout_s=60,
    on_line=lambda stream, text: print(text, flush=True),
    poll=lambda: None,
)
