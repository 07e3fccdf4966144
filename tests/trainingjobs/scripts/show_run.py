"""Prints, as one JSON line, the arguments, selected env vars and working folder it got."""

import json
import os
import sys

NAMES = [
    "DATA_URL",
    "TRAIN_URL",
    "TRIAL_ID",
    "JOB_ID",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "TORCH_NUM_THREADS",
    "CUDA_VISIBLE_DEVICES",
    "PYTHONUNBUFFERED",
]
print(
    json.dumps(
        {
            "argv": sys.argv[1:],
            "env": {name: os.environ.get(name) for name in NAMES},
            "cwd": os.getcwd(),
        }
    )
)
