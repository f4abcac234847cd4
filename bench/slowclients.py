"""Slow clients against real servers, side by side (issue 20): does the API keep answering?

    .venv/bin/python -m bench.slowclients [--header 200] [--body 50] [--duration 20]
                                          [--setups gthread,gthread-64,gevent] [--workers 2]
    .venv/bin/python -m bench.slowclients --writes [--setups gthread,gevent]   # the cost, without them

For each serving setup it starts gunicorn (``gunicorn.conf.py``, on 127.0.0.1) on a fresh demo
data directory, logs in, then opens ``--header`` connections that send a request's header one byte
every 3 s and ``--body`` connections that send complete headers of a JSON ``POST`` and then its body
one byte every 3 s (the classic "slowloris" and "slow POST"). While they are open it probes, one
after the other for ``--duration`` seconds, ``GET /api/health`` and an authenticated
``POST /api/tasks`` (the durable write path), each with a 2 s timeout, and prints what answered and
how fast. Every slow connection is closed at the end and the server stopped. Loopback only; it
asserts nothing about time.
"""
import argparse
import http.client
import os
import platform
import socket
import statistics
import tempfile
import threading
import time

from bench import load
from bench.server import Gunicorn, login, send

SECRET = "slow-clients-bench-secret-key-long-enough-0123"
PASSWORD = "slow-clients-bench-password"
BYTE_EVERY = 3.0  # seconds between two bytes of a slow client
PROBE_TIMEOUT = 2.0

# name -> (worker class, threads): the setups compared
SETUPS = {
    "gthread": ("gthread", 4),  # what gunicorn.conf.py ran before issue 20
    "gthread-64": ("gthread", 64),  # the same with many more threads
    "gevent": ("gevent", None),  # an event loop per worker, a greenlet per connection
}
SLOW_HEADER = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4000 + b"\r\n\r\n"
SLOW_BODY_HEAD = (b"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 100000\r\n\r\n")


class SlowClients:
    """``header`` + ``body`` sockets fed one byte every ``BYTE_EVERY`` s by one thread, until ``close()``."""

    def __init__(self, port, header, body):
        self.port = port
        self.sockets = []  # (socket, bytes still to send)
        self.opened = self.refused = 0
        for kind, count in ((SLOW_HEADER, header), (None, body)):
            for _ in range(count):
                try:
                    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                except OSError:
                    self.refused += 1
                    continue
                # a first byte at once (for a slow body, the whole header and the body's first byte)
                left = SLOW_HEADER if kind is not None else SLOW_BODY_HEAD + b"{" + b" " * 99_998 + b"}"
                first = len(SLOW_BODY_HEAD) + 1 if kind is None else 1
                sock.sendall(left[:first])
                self.sockets.append([sock, left[first:]])
                self.opened += 1
        self.dropped = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._feed, daemon=True)
        self._thread.start()

    def _feed(self):
        while not self._stop.wait(BYTE_EVERY):
            for entry in self.sockets:
                sock, left = entry
                if sock is None or not left:
                    continue
                try:
                    sock.send(left[:1])
                    entry[1] = left[1:]
                except OSError:  # the server closed it: count it, stop feeding it
                    sock.close()
                    entry[0] = None
                    self.dropped += 1

    def close(self):
        self._stop.set()
        self._thread.join(timeout=BYTE_EVERY + 5)
        for sock, _ in self.sockets:
            if sock is not None:
                sock.close()


def probe(server, method, path, body, headers):
    """(ok, seconds) of one request over a fresh connection, with the probe's timeout."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=PROBE_TIMEOUT)
    try:
        status, _, _ = send(connection, method, path, body, headers)
        ok = status in (200, 201)
    except (OSError, http.client.HTTPException):
        ok = False
    finally:
        connection.close()
    return ok, time.monotonic() - started


def measure(name, args, work_dir):
    worker_class, threads = SETUPS[name]
    env = {"PRODSIGHT_DATA_DIR": os.path.join(work_dir, name, "data"),
           "PRODSIGHT_UPLOAD_DIR": os.path.join(work_dir, name, "uploads"),
           "SECRET_KEY": SECRET, "JWT_SECRET_KEY": SECRET, "PRODSIGHT_DEMO_PASSWORD": PASSWORD,
           "PRODSIGHT_ENV": "development", "PRODSIGHT_WORKER_TIMEOUT": "60"}
    server = Gunicorn(env, workers=args.workers, threads=threads, worker_class=worker_class,
                      log_path=os.path.join(work_dir, f"{name}.log")).wait_ready()
    try:
        headers = login(server, "producer", PASSWORD)
        slow = SlowClients(server.port, args.header, args.body)
        results = {"health": [], "write": []}
        try:
            deadline = time.monotonic() + args.duration
            number = 0
            while time.monotonic() < deadline:
                results["health"].append(probe(server, "GET", "/api/health", None, None))
                results["write"].append(probe(server, "POST", "/api/tasks", {"title": f"probe {number}"}, headers))
                number += 1
        finally:
            slow.close()
        return {"opened": slow.opened, "refused": slow.refused, "dropped": slow.dropped, **results}
    finally:
        server.stop()


def compare_writes(args, work_dir):
    """Write throughput of each setup without slow clients: every server started at once, then
    ``POST /api/tasks`` from 8 connections in alternating slices, so the machine's load hits all alike."""
    servers, targets = [], {}
    try:
        for name in args.setups.split(","):
            worker_class, threads = SETUPS[name]
            env = {"PRODSIGHT_DATA_DIR": os.path.join(work_dir, f"writes-{name}", "data"),
                   "PRODSIGHT_UPLOAD_DIR": os.path.join(work_dir, f"writes-{name}", "uploads"),
                   "SECRET_KEY": SECRET, "JWT_SECRET_KEY": SECRET, "PRODSIGHT_DEMO_PASSWORD": PASSWORD,
                   "PRODSIGHT_ENV": "development", "JWT_ACCESS_TOKEN_EXPIRES": "86400"}
            server = Gunicorn(env, workers=args.workers, threads=threads, worker_class=worker_class,
                              log_path=os.path.join(work_dir, f"writes-{name}.log"))
            servers.append(server)
            server.wait_ready()
            targets[name] = (server.port, "POST", "/api/tasks", login(server, "producer", PASSWORD),
                             '{"title": "bench {n}"}')
        runs = {name: [] for name in targets}
        for _ in range(4):
            for name, target in targets.items():
                runs[name].append(load.run(*target, duration=args.duration / 4))
        return {name: load._combine(results) for name, results in runs.items()}
    finally:
        for server in servers:
            server.stop()


def summary(samples):
    ok = [seconds for answered, seconds in samples if answered]
    if not ok:
        return f"0/{len(samples)}", "—", "—"
    ok.sort()
    p99 = ok[min(len(ok) - 1, int(len(ok) * 0.99))]
    return f"{len(ok)}/{len(samples)}", f"{statistics.median(ok) * 1000:.1f}", f"{p99 * 1000:.0f}"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.slowclients", description=__doc__.split("\n\n")[0])
    parser.add_argument("--header", type=int, default=200, help="slow-header connections (default 200)")
    parser.add_argument("--body", type=int, default=50, help="slow-body connections (default 50)")
    parser.add_argument("--duration", type=float, default=20, help="seconds of probing per setup (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--setups", default=",".join(SETUPS), help=f"comma-separated, of {', '.join(SETUPS)}")
    parser.add_argument("--writes", action="store_true",
                        help="instead: write throughput of each setup without slow clients, side by side")
    args = parser.parse_args(argv)
    if args.writes:
        with tempfile.TemporaryDirectory(prefix="prodsight-writes-") as work_dir:
            results = compare_writes(args, work_dir)
        print(f"# POST /api/tasks, 8 connections ({load.generator()}), {args.workers} workers, 4 alternating slices "
              f"of {args.duration / 4:g} s each; load {os.getloadavg()[0]:.1f}")
        print("| setup | req/s | p50 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|")
        for name, result in results.items():
            print(f"| {name} | {result.rps:.0f} | {result.p50_ms:.1f} | {result.p99_ms:.0f} | {result.errors} |")
        return
    print(f"# {args.header} slow-header + {args.body} slow-body connections, one byte every {BYTE_EVERY:g} s; "
          f"{args.workers} workers; probes with a {PROBE_TIMEOUT:g} s timeout for {args.duration:g} s; "
          f"Python {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print("| setup | slow conns open | health answered | p50 ms | p99 ms | writes answered | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="prodsight-slow-") as work_dir:
        for name in args.setups.split(","):
            result = measure(name, args, work_dir)
            still_open = result["opened"] - result["dropped"]
            print(f"| {name} | {still_open}/{args.header + args.body} | "
                  f"{' | '.join(summary(result['health']))} | {' | '.join(summary(result['write']))} |", flush=True)


if __name__ == "__main__":
    main()
