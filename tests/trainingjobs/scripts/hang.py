"""Says its pid, then hangs (a deadlocked data loader)."""

import os
import time

print(f"pid={os.getpid()}", flush=True)
time.sleep(3600)
