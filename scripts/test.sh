#!/usr/bin/env bash
# Runs the whole test suite: unit, integration (real worker processes), and
# browser tests in headless Chromium (skipped with a notice when
# /usr/bin/chromium is missing, except under CI=true where that fails).
# Scale mode: set DATABASE_URL and REDIS_URL first, e.g.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 scripts/test.sh
# Extra arguments go to pytest (e.g. tests/search -x).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.requirements-test.sha
want="$(cat requirements.txt requirements-test.txt client/pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -r requirements-test.txt
  # The client package, editable so its tests always run the code in client/.
  .venv/bin/pip install --quiet -e ./client
  echo "$want" > "$stamp"
fi

# One BLAS thread: the model-based samplers fit small matrices, where threads only contend.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
lint=0
.venv/bin/ruff check . || lint=$?
.venv/bin/mypy || lint=$?
# pytest exits 5 when it collected nothing; that is a failure too.
.venv/bin/python -m pytest "$@"
if [ "$lint" -ne 0 ]; then
  echo "ruff or mypy found problems (see above)" >&2
  exit "$lint"
fi
