"""Starts a child process (as a data-loader worker would) and says its pid; then hangs
("hang") or exits at once, leaving the child running with the same stdout ("leave")."""

import subprocess
import sys
import time

child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print(f"child={child.pid}", flush=True)
if sys.argv[1] == "hang":
    time.sleep(3600)
