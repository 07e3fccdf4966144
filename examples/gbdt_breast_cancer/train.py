"""Gradient-boosted trees on scikit-learn's bundled breast-cancer data, one round at a time.

Hyperparameters arrive as ``--name=value``. Each boosting round prints one JSON line::

    {"round": 5, "train_logloss": 0.3521, "valid_logloss": 0.4102, "valid_auc": 0.9871}

``--data_url`` may name a CSV file (or a folder holding ``data.csv``) whose last column is a
0/1 label; ``--train_url`` is a folder that receives ``model.pkl`` and ``metrics.json``.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import train_test_split

MAX_FEATURES = {"sqrt": "sqrt", "log2": "log2", "none": None}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n_estimators", type=int, default=100)
    parser.add_argument("--learning_rate", type=float, default=0.1)
    parser.add_argument("--max_depth", type=int, default=3)
    parser.add_argument("--subsample", type=float, default=1.0)
    parser.add_argument("--max_features", choices=sorted(MAX_FEATURES), default="none")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data_url", default=None, help="CSV file or folder with data.csv")
    parser.add_argument("--train_url", default=None, help="output folder")
    args = parser.parse_args(argv)
    if args.n_estimators < 1:
        parser.error(f"--n_estimators must be >= 1, got {args.n_estimators}")
    if not args.learning_rate > 0:
        parser.error(f"--learning_rate must be > 0, got {args.learning_rate}")
    if args.max_depth < 1:
        parser.error(f"--max_depth must be >= 1, got {args.max_depth}")
    if not 0 < args.subsample <= 1:
        parser.error(f"--subsample must be in (0, 1], got {args.subsample}")
    return args


def load_data(data_url: str | None) -> tuple[np.ndarray, np.ndarray]:
    if data_url is None:
        data = load_breast_cancer()
        return data.data, data.target
    path = Path(data_url)
    if path.is_dir():
        path = path / "data.csv"
    table = np.loadtxt(path, delimiter=",", ndmin=2)
    return table[:, :-1], table[:, -1].astype(int)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    X, y = load_data(args.data_url)
    X_train, X_valid, y_train, y_valid = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=args.seed
    )
    # warm_start adds one tree per fit call, so each round is reported as soon as it exists
    # (the console can stop a poor trial early) instead of after the whole ensemble is built.
    model = GradientBoostingClassifier(
        n_estimators=0,
        learning_rate=args.learning_rate,
        max_depth=args.max_depth,
        subsample=args.subsample,
        max_features=MAX_FEATURES[args.max_features],
        random_state=args.seed,
        warm_start=True,
    )
    history = []
    for round_ in range(1, args.n_estimators + 1):
        model.n_estimators = round_
        model.fit(X_train, y_train)
        p_train = model.predict_proba(X_train)[:, 1]
        p_valid = model.predict_proba(X_valid)[:, 1]
        row = {
            "round": round_,
            "train_logloss": round(float(log_loss(y_train, p_train, labels=[0, 1])), 6),
            "valid_logloss": round(float(log_loss(y_valid, p_valid, labels=[0, 1])), 6),
            "valid_auc": round(float(roc_auc_score(y_valid, p_valid)), 6),
        }
        history.append(row)
        print(json.dumps(row), flush=True)

    if args.train_url:
        save(Path(args.train_url), model, history)
    return 0


def save(out: Path, model: GradientBoostingClassifier, history: list[dict[str, float]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "model.pkl", "wb") as fh:
        pickle.dump(model, fh)
    final = history[-1]
    metrics = {
        "valid_logloss": final["valid_logloss"],
        "valid_auc": final["valid_auc"],
        "rounds": len(history),
        "history": history,
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    sys.exit(main())
