"""Writes MEGABYTES of 100-byte lines, nine tenths to stdout, one tenth to stderr, interleaved,
then a metric. A runner that drains one pipe before the other deadlocks on this."""

import sys

megabytes = int(sys.argv[1])
line = "x" * 99 + "\n"
block = line * 1000  # 100 kB
for i in range(megabytes * 10):
    if i % 10 == 9:
        sys.stderr.write(block)
    else:
        sys.stdout.write(block)
sys.stdout.write("accuracy=0.99\n")
