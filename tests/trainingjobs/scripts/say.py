"""Prints each argument as one line on stdout and exits 0."""

import sys

for line in sys.argv[1:]:
    print(line)
