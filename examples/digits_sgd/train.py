"""Logistic regression by stochastic gradient descent on scikit-learn's bundled 8x8 digits.

Hyperparameters arrive as ``--name=value``. Progress goes through ``logging`` (to stderr,
as many training scripts do), one record per epoch (after the date)::

    07:15:02,118 INFO digits-sgd: epoch 7/30 - loss: 0.4127 - val_loss: 0.4630 - val_acc: 0.9333

The curve is long (30 epochs by default) and a slow learning rate shows early, which is
what early-termination policies need. ``--data_url`` may name a CSV file (or a folder
holding ``data.csv``) whose last column is the class label; ``--train_url`` is a folder
that receives ``model.pkl`` and ``metrics.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import pickle
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

log = logging.getLogger("digits-sgd")


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
    parser.add_argument(
        "--schedule", choices=["constant", "invscaling", "optimal"], default="invscaling"
    )
    parser.add_argument("--penalty", choices=["l2", "l1", "elasticnet"], default="l2")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--average", type=str_to_bool, default=False, help="averaged SGD")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data_url", default=None, help="CSV file or folder with data.csv")
    parser.add_argument("--train_url", default=None, help="output folder")
    args = parser.parse_args(argv)
    if not args.eta0 > 0:
        parser.error(f"--eta0 must be > 0, got {args.eta0}")
    if args.alpha < 0:
        parser.error(f"--alpha must be >= 0, got {args.alpha}")
    if args.epochs < 1:
        parser.error(f"--epochs must be >= 1, got {args.epochs}")
    return args


def load_data(data_url: str | None) -> tuple[np.ndarray, np.ndarray]:
    if data_url is None:
        data = load_digits()
        return data.data, data.target
    path = Path(data_url)
    if path.is_dir():
        path = path / "data.csv"
    table = np.loadtxt(path, delimiter=",", ndmin=2)
    return table[:, :-1], table[:, -1].astype(int)


def evaluate(model: SGDClassifier, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Cross-entropy and accuracy from one predict_proba.

    sklearn.metrics.log_loss validates its input on every call, which costs more than the
    epoch itself on data this small.
    """
    proba = model.predict_proba(X)
    truth = np.searchsorted(model.classes_, y)
    picked = proba[np.arange(len(y)), truth]
    loss = float(-np.mean(np.log(np.clip(picked, 1e-15, 1.0))))
    return loss, float(np.mean(proba.argmax(axis=1) == truth))


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = parse_args(argv)
    X, y = load_data(args.data_url)
    X_train, X_valid, y_train, y_valid = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=args.seed
    )
    scaler = StandardScaler().fit(X_train)  # SGD needs features on one scale
    X_train, X_valid = scaler.transform(X_train), scaler.transform(X_valid)
    classes = np.unique(y)
    log.info("digits: %d train / %d validation samples", len(X_train), len(X_valid))

    model = SGDClassifier(
        loss="log_loss",
        alpha=args.alpha,
        penalty=args.penalty,
        learning_rate=args.schedule,
        eta0=args.eta0,
        power_t=0.25,
        average=args.average,
        random_state=args.seed,
    )
    history = []
    for epoch in range(1, args.epochs + 1):
        # One partial_fit call is one shuffled pass over the training set.
        model.partial_fit(X_train, y_train, classes=classes)
        loss, _ = evaluate(model, X_train, y_train)
        val_loss, val_acc = evaluate(model, X_valid, y_valid)
        row = {"epoch": epoch, "loss": loss, "val_loss": val_loss, "val_acc": val_acc}
        history.append(row)
        log.info(
            "epoch %d/%d - loss: %.4f - val_loss: %.4f - val_acc: %.4f",
            epoch,
            args.epochs,
            row["loss"],
            row["val_loss"],
            row["val_acc"],
        )

    if args.train_url:
        save(Path(args.train_url), model, scaler, history)
    return 0


def save(
    out: Path, model: SGDClassifier, scaler: StandardScaler, history: list[dict[str, float]]
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "model.pkl", "wb") as fh:
        pickle.dump({"scaler": scaler, "model": model}, fh)
    final = history[-1]
    metrics = {"val_loss": final["val_loss"], "epochs": len(history), "history": history}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    sys.exit(main())
