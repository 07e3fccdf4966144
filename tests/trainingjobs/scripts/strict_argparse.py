"""A typical argparse script: unknown flags are an error (exit 2)."""

import argparse
import json
import os


def str2bool(text: str) -> bool:
    if text not in ("true", "false"):
        raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")
    return text == "true"


parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.01)
parser.add_argument("--epochs", type=int, default=1)
parser.add_argument("--shuffle", action="store_true")
parser.add_argument("--amp", type=str2bool, default=False)
parser.add_argument("--bias", type=int, choices=[0, 1], default=0)
parser.add_argument("--checkpoint", default="/var/log/checkpoints/")
args = parser.parse_args()
print(json.dumps({**vars(args), "DATA_URL": os.environ.get("DATA_URL")}))
print(f"accuracy={args.lr * args.epochs}")
