"""Ignores SIGTERM (a script that traps it and keeps going), says it is ready, then hangs."""

import signal
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(3600)
