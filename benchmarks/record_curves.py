"""Record a family of real learning curves, once, into ``benchmarks/data/``.

    nice -n 19 .venv/bin/python -m benchmarks.record_curves [--configs 110] [--epochs 50]

For each of scikit-learn's bundled digits, breast-cancer and wine datasets (a fixed,
stratified split: 30 % for validation, at most ``MAX_TRAIN`` rows for training, features
standardised on the training part), ``--configs``
configurations of a one-hidden-layer ``MLPClassifier`` are drawn by our random sampler
(seed 0) and trained with ``partial_fit``, one epoch (one pass over the training part)
per report, for ``--epochs`` epochs. After every epoch the validation log loss and error
are recorded.

The output ``learning_curves.npz`` holds:
    dataset:  (n,) int      0 = digits, 1 = breast_cancer, 2 = wine
    log_loss: (n, epochs)   validation log loss after each epoch (float32, capped at 10)
    error:    (n, epochs)   validation error rate after each epoch (float32)
    configs:  JSON text     the n configurations, in order
    space:    JSON text     the search space they were drawn from
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

DATASETS = ("digits", "breast_cancer", "wine")
SPACE: dict[str, dict[str, Any]] = {
    "learning_rate_init": {"type": "float", "low": 1e-4, "high": 0.3, "log": True},
    "hidden": {"type": "int", "low": 4, "high": 64, "log": True},
    "alpha": {"type": "float", "low": 1e-6, "high": 1.0, "log": True},
    "batch_size": {"type": "choice", "values": [32, 64, 128, 256]},
    "solver": {"type": "choice", "values": ["sgd", "adam"]},
    "momentum": {"type": "float", "low": 0.0, "high": 0.95},
}
OUT = Path(__file__).resolve().parent / "data" / "learning_curves.npz"
_LOG_LOSS_CAP = 10.0
# Rows a configuration trains on: keeps 300 configurations x 50 epochs within minutes.
MAX_TRAIN = 600


def load(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Standardised train/validation split of one bundled dataset."""
    from sklearn import datasets
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    X_tr, y_tr = X_tr[:MAX_TRAIN], y_tr[:MAX_TRAIN]
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), scaler.transform(X_va), y_tr, y_va


def curve(
    config: dict[str, Any], data: tuple[np.ndarray, ...], epochs: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Validation (log loss, error) after each of ``epochs`` epochs of one configuration."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import log_loss
    from sklearn.neural_network import MLPClassifier

    X_tr, X_va, y_tr, y_va = data
    classes = np.unique(y_tr)
    model = MLPClassifier(
        hidden_layer_sizes=(int(config["hidden"]),),
        solver=config["solver"],
        learning_rate_init=config["learning_rate_init"],
        alpha=config["alpha"],
        batch_size=int(config["batch_size"]),
        momentum=config["momentum"],
        random_state=seed,
    )
    losses, errors = np.empty(epochs), np.empty(epochs)
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        warnings.simplefilter("ignore", category=RuntimeWarning)
        # Wine trains on 124 rows: a batch of 128 or 256 is then the whole set (clipped).
        warnings.filterwarnings("ignore", message="Got `batch_size`", category=UserWarning)
        for epoch in range(epochs):
            order = rng.permutation(len(y_tr))
            # partial_fit takes one mini-batch pass over what it is given: one epoch.
            model.partial_fit(X_tr[order], y_tr[order], classes=classes)
            proba = model.predict_proba(X_va)
            if not np.isfinite(proba).all():
                losses[epoch:], errors[epoch:] = _LOG_LOSS_CAP, 1.0
                break
            losses[epoch] = min(log_loss(y_va, proba, labels=classes), _LOG_LOSS_CAP)
            errors[epoch] = float(np.mean(classes[proba.argmax(1)] != y_va))
    return losses, errors


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--configs", type=int, default=110, help="configurations per dataset")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    from search import make_sampler

    configs = make_sampler("random", SPACE, seed=0).suggest([], n=args.configs * len(DATASETS))
    start = time.perf_counter()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    for d, name in enumerate(DATASETS):
        # One file per dataset first, so that an interrupted run resumes where it stopped.
        part = Path(f"{args.out}.{name}.npz")
        if part.exists():
            continue
        data = load(name)
        losses, errors = [], []
        for i in range(args.configs):
            loss, error = curve(configs[d * args.configs + i], data, args.epochs, seed=i)
            losses.append(loss)
            errors.append(error)
        np.savez(part, log_loss=np.array(losses), error=np.array(errors))
        print(f"{name}: {args.configs} curves, {time.perf_counter() - start:.0f} s", flush=True)
    parts = [np.load(f"{args.out}.{name}.npz") for name in DATASETS]
    np.savez_compressed(
        args.out,
        dataset=np.repeat(np.arange(len(DATASETS), dtype=np.int8), args.configs),
        log_loss=np.concatenate([p["log_loss"] for p in parts]).astype(np.float32),
        error=np.concatenate([p["error"] for p in parts]).astype(np.float32),
        configs=json.dumps(configs),
        space=json.dumps(SPACE),
    )
    for name in DATASETS:
        Path(f"{args.out}.{name}.npz").unlink()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
