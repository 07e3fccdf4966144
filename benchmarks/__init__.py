"""Benchmarks of the search library against Optuna, hyperopt and SMAC3.

Run each module as ``python -m benchmarks.<name> [--quick]``; see docs/benchmarks.md.
"""

import os

# One BLAS/OpenMP thread for every library measured (numpy, scipy, scikit-learn, torch):
# on a shared 2-core machine, threaded BLAS in small GP fits only contends, and the
# comparison must give each library the same resources. Set before any of them loads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
