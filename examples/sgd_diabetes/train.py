"""Linear regression by stochastic gradient descent on scikit-learn's bundled diabetes data.

Hyperparameters arrive as ``--name=value``. Each pass over the data prints one line::

    Iter 005 | train_rmse: 54.1234 | val_rmse: 57.3100

``--data_url`` may name a CSV file (or a folder holding ``data.csv``) whose last column is
the target; ``--train_url`` is a folder that receives ``model.pkl`` and ``metrics.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import SGDRegressor
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def str_to_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes", "y", "on"):
        return True
    if lowered in ("false", "0", "no", "n", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eta0", type=float, default=0.01, help="initial learning rate")
    parser.add_argument("--alpha", type=float, default=1e-4, help="regularisation strength")
    parser.add_argument("--penalty", choices=["l2", "l1", "elasticnet"], default="l2")
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--standardize", type=str_to_bool, default=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data_url", default=None, help="CSV file or folder with data.csv")
    parser.add_argument("--train_url", default=None, help="output folder")
    args = parser.parse_args(argv)
    if not args.eta0 > 0:
        parser.error(f"--eta0 must be > 0, got {args.eta0}")
    if args.alpha < 0:
        parser.error(f"--alpha must be >= 0, got {args.alpha}")
    if args.iterations < 1:
        parser.error(f"--iterations must be >= 1, got {args.iterations}")
    return args


def load_data(data_url: str | None) -> tuple[np.ndarray, np.ndarray]:
    if data_url is None:
        data = load_diabetes()
        return data.data, data.target
    path = Path(data_url)
    if path.is_dir():
        path = path / "data.csv"
    table = np.loadtxt(path, delimiter=",", ndmin=2)
    return table[:, :-1], table[:, -1]


def rmse(model: SGDRegressor, X: np.ndarray, y: np.ndarray) -> float:
    return math.sqrt(mean_squared_error(y, model.predict(X)))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    X, y = load_data(args.data_url)
    X_train, X_valid, y_train, y_valid = train_test_split(
        X, y, test_size=0.25, random_state=args.seed
    )
    if args.standardize:
        scaler = StandardScaler().fit(X_train)
        X_train, X_valid = scaler.transform(X_train), scaler.transform(X_valid)
    model = SGDRegressor(
        eta0=args.eta0, alpha=args.alpha, penalty=args.penalty, random_state=args.seed
    )
    rng = np.random.default_rng(args.seed)
    history = []
    for iteration in range(1, args.iterations + 1):
        order = rng.permutation(len(X_train))
        model.partial_fit(X_train[order], y_train[order])
        row = {
            "iter": iteration,
            "train_rmse": rmse(model, X_train, y_train),
            "val_rmse": rmse(model, X_valid, y_valid),
        }
        if not math.isfinite(row["val_rmse"]):
            # A too-large eta0 makes the weights overflow; report it as a failed trial.
            print(f"training diverged at iteration {iteration}", file=sys.stderr)
            return 1
        history.append(row)
        print(
            f"Iter {iteration:03d} | train_rmse: {row['train_rmse']:.4f} "
            f"| val_rmse: {row['val_rmse']:.4f}",
            flush=True,
        )

    if args.train_url:
        out = Path(args.train_url)
        out.mkdir(parents=True, exist_ok=True)
        with open(out / "model.pkl", "wb") as fh:
            pickle.dump(model, fh)
        metrics = {"val_rmse": history[-1]["val_rmse"], "history": history}
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
