"""A Keras-style progress bar: each step redraws the line after "\\r"; the epoch's last draw,
ended by "\\n", holds the epoch's values. Intermediate draws carry other values."""

import sys

for epoch, final in ((1, 0.8), (2, 0.9)):
    print(f"Epoch {epoch}/2")
    for step in range(1, 10):
        bar = "=" * step + ">" + "." * (9 - step)
        sys.stdout.write(f"\r{step}/10 [{bar}] - loss: 0.9{step} - accuracy: 0.1{step}")
        sys.stdout.flush()
    sys.stdout.write(f"\r10/10 [==========] - loss: {1 - final:.4f} - accuracy: {final:.4f}\n")
