"""Train a small multi-layer perceptron on scikit-learn's bundled digits, epoch by epoch.

Hyperparameters arrive as ``--name=value``. Each epoch prints one line such as::

    epoch 3/20 loss=0.4123 accuracy=0.9132 val_accuracy=0.9021

``--data_url`` may name a CSV file (or a folder holding ``data.csv``) whose last column is
the label, to train on other data; ``--train_url`` is a folder that receives ``model.pkl``
and ``metrics.json``.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier


def str_to_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes", "y", "on"):
        return True
    if lowered in ("false", "0", "no", "n", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learning_rate", type=float, default=0.001)
    parser.add_argument("--alpha", type=float, default=1e-4, help="L2 penalty")
    parser.add_argument("--hidden_units", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--shuffle", type=str_to_bool, default=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data_url", default=None, help="CSV file or folder with data.csv")
    parser.add_argument("--train_url", default=None, help="output folder")
    args = parser.parse_args(argv)
    if not args.learning_rate > 0:
        parser.error(f"--learning_rate must be > 0, got {args.learning_rate}")
    if args.alpha < 0:
        parser.error(f"--alpha must be >= 0, got {args.alpha}")
    for name in ("hidden_units", "epochs", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be >= 1, got {getattr(args, name)}")
    return args


def load_data(data_url: str | None) -> tuple[np.ndarray, np.ndarray]:
    if data_url is None:
        digits = load_digits()
        return digits.data / 16.0, digits.target  # pixels are 0..16
    path = Path(data_url)
    if path.is_dir():
        path = path / "data.csv"
    table = np.loadtxt(path, delimiter=",", ndmin=2)
    return table[:, :-1], table[:, -1].astype(int)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    X, y = load_data(args.data_url)
    X_train, X_valid, y_train, y_valid = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=args.seed
    )
    classes = np.unique(y)
    print(f"digits: {len(X_train)} train / {len(X_valid)} validation samples", flush=True)

    model = MLPClassifier(
        hidden_layer_sizes=(args.hidden_units,),
        alpha=args.alpha,
        learning_rate_init=args.learning_rate,
        batch_size=min(args.batch_size, len(X_train)),
        shuffle=args.shuffle,
        random_state=args.seed,
    )
    history = []
    for epoch in range(1, args.epochs + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            try:
                # One partial_fit call is one pass over the training set in mini-batches.
                model.partial_fit(X_train, y_train, classes=classes)
            except ValueError as exc:  # e.g. weights diverged to inf/nan at a huge learning rate
                print(f"training failed at epoch {epoch}: {exc}", file=sys.stderr)
                return 1
        row = {
            "epoch": epoch,
            "loss": float(model.loss_),
            "accuracy": float(model.score(X_train, y_train)),
            "val_accuracy": float(model.score(X_valid, y_valid)),
        }
        history.append(row)
        print(
            f"epoch {epoch}/{args.epochs} loss={row['loss']:.4f} "
            f"accuracy={row['accuracy']:.4f} val_accuracy={row['val_accuracy']:.4f}",
            flush=True,
        )

    if args.train_url:
        save(Path(args.train_url), model, history)
    return 0


def save(out: Path, model: MLPClassifier, history: list[dict[str, float]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "model.pkl", "wb") as fh:
        pickle.dump(model, fh)
    final = history[-1]
    metrics = {"val_accuracy": final["val_accuracy"], "epochs": len(history), "history": history}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    sys.exit(main())
