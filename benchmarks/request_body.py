"""How much memory an oversized or large request body costs the web server.

Starts nothing: point it at a running console and its process id::

    .venv/bin/python manage.py serve --port 8000 &
    .venv/bin/python -m benchmarks.request_body --port 8000 --pid $! --mb 600

Sends an anonymous POST of ``--mb`` megabytes to the API (declared length, then chunked)
and to the login page, samples the server's resident memory while it does, and checks
that another request still answers. Prints one line per case.
"""

from __future__ import annotations

import argparse
import http.client
import threading
import time
from dataclasses import dataclass

CHUNK = b"a" * 65536


@dataclass
class Result:
    status: int
    sent_mb: float
    seconds: float
    rss_before_mb: float
    rss_peak_mb: float
    other_request_s: float


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def post(port: int, pid: int, path: str, megabytes: int, *, chunked: bool) -> Result:
    """One POST of ``megabytes`` to ``path``; the server's memory sampled every 50 ms."""
    size = megabytes * 1024 * 1024
    before = rss_mb(pid)
    peak = [before]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", "multipart/form-data; boundary=x")
    if chunked:
        conn.putheader("Transfer-Encoding", "chunked")
    else:
        conn.putheader("Content-Length", str(size))
    conn.endheaders()
    start = time.monotonic()
    sent = 0
    try:
        while sent < size:
            conn.send(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK) if chunked else CHUNK)
            sent += len(CHUNK)
        if chunked:
            conn.send(b"0\r\n\r\n")
    except OSError:
        pass  # the server answered and closed: the rest of the body was never read
    status = conn.getresponse().status
    seconds = time.monotonic() - start
    done.set()
    watcher.join()
    other = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    t0 = time.monotonic()
    other.request("GET", "/accounts/login/")
    other.getresponse().read()
    return Result(status, sent / 2**20, seconds, before, peak[0], time.monotonic() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--pid", type=int, required=True, help="the web server's process id")
    parser.add_argument("--mb", type=int, default=600)
    args = parser.parse_args()
    for path, chunked in (
        ("/api/v1/algorithms/", False),
        ("/api/v1/algorithms/", True),
        ("/accounts/login/", False),
    ):
        r = post(args.port, args.pid, path, args.mb, chunked=chunked)
        kind = "chunked" if chunked else "length"
        print(
            f"{path:22} {kind:8} -> {r.status}  sent {r.sent_mb:6.1f} MB in {r.seconds:5.1f} s  "
            f"memory {r.rss_before_mb:.0f} -> peak {r.rss_peak_mb:.0f} MB "
            f"(+{r.rss_peak_mb - r.rss_before_mb:.0f})  login page {r.other_request_s:.2f} s"
        )


if __name__ == "__main__":
    main()
