"""The benchmark: real gunicorn (2 workers) on 127.0.0.1, 8 concurrent clients, authenticated.

    .venv/bin/python -m bench [--big] [--duration 5] [--sizes 1000,10000] [--app-dir DIR] [--backend postgres]
    .venv/bin/python -m bench --activity 1000000     # writes with a log of 0 and 1,000,000 events
    .venv/bin/python -m bench --breakdown            # a 300-page screenplay broken down
    .venv/bin/python -m bench --talent FILE [FILE ...] [--runs 3]   # the schedule solver (bench/talent.py)
    .venv/bin/python -m bench --propose 20,40,60 [--seeds 3] [--time-limit 10]   # POST /schedule/propose (bench/propose.py)

For each collection size it seeds a data directory, serves it, and measures requests/s, p50 and
p99 for the task reads and writes; each read is also measured against a bare Flask app serving
the same bytes from memory with the same gunicorn settings (the ceiling), in the same run and in
alternating slices (4 of each, 2 x duration in all), so the ratio stays fair on a busy machine. Then the serialisers side by side. Prints tables; asserts
nothing about time. ``--app-dir`` serves another checkout of the app (a "before" figure).
"""
import argparse
import http.client
import os
import platform
import shutil
import sys
import tempfile

from bench import activity, breakdown, load, serialisers
from bench.seed import PASSWORD, SECRET, seed
from bench.server import ROOT, Gunicorn, login

def measure_size(count, args, work_dir):
    data_dir = os.path.join(work_dir, f"data-{count}")
    size = seed(data_dir, count)
    env = {"PRODSIGHT_DATA_DIR": data_dir, "PRODSIGHT_UPLOAD_DIR": os.path.join(data_dir, "uploads"),
           "SECRET_KEY": SECRET, "JWT_SECRET_KEY": SECRET, "PRODSIGHT_ENV": "production",
           "JWT_ACCESS_TOKEN_EXPIRES": "86400"}
    if args.cluster:  # --backend postgres: the same production, imported into a database of its own
        env["PRODSIGHT_DATABASE_URL"] = _imported(args.cluster, data_dir)
    server = Gunicorn(env, workers=2, threads=args.threads, app_dir=args.app_dir,
                      log_path=os.path.join(work_dir, f"server-{count}.log")).wait_ready()
    ceiling = None
    try:
        headers = login(server, "producer", PASSWORD)
        one = f"/api/tasks/{count // 2}"
        reads = {"list": "/api/tasks", "page": "/api/tasks?status=todo&page=1&per_page=50", "one": one}
        ceiling_dir = os.path.join(work_dir, f"ceiling-{count}")
        os.makedirs(ceiling_dir)
        for key, path in reads.items():  # the ceiling serves exactly these bytes
            status, body, response_headers = _get_raw(server, path, headers)
            assert status == 200, (path, status, body[:200])
            with open(os.path.join(ceiling_dir, f"{key}.json"), "wb") as handle:
                handle.write(body)
            if key == "list":
                etag = response_headers.get("ETag")
        ceiling = Gunicorn({"BENCH_CEILING_DIR": ceiling_dir}, workers=2, threads=args.threads,
                           app="bench.ceiling:app", log_path=os.path.join(work_dir, f"ceiling-{count}.log"))
        ceiling.wait_ready()

        rows = []
        names = {"list": "GET /api/tasks", "page": "GET /api/tasks?status=todo&page=1&per_page=50",
                 "one": "GET /api/tasks/{id}"}
        for key, path in reads.items():
            real, best = load.compare((server.port, "GET", path, headers), (ceiling.port, "GET", f"/{key}", {}),
                                      duration=2 * args.duration)
            rows.append((names[key], real, best))
        if etag:
            polled = load.run(server.port, "GET", "/api/tasks", {**headers, "If-None-Match": etag},
                              duration=args.duration)
            rows.append(("GET /api/tasks (If-None-Match: 304)", polled, None))
        created = load.run(server.port, "POST", "/api/tasks", headers, '{"title": "Benchmark task", "category": "Bench"}',
                           duration=args.duration)
        rows.append(("POST /api/tasks", created, None))
        updated = load.run(server.port, "PUT", one, headers, '{"description": "Edit {n}"}', duration=args.duration)
        rows.append(("PUT /api/tasks/{id}", updated, None))
        rss = [_peak_rss_mb(pid) for pid in server.worker_pids()]
        return size, rows, rss
    finally:
        server.stop()
        if ceiling:
            ceiling.stop()


def _get_raw(server, path, headers):
    """(status, body bytes, headers) of one GET."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def _imported(cluster, data_dir):
    """A new database holding what ``data_dir`` holds (as import-data loads it)."""
    from utils.storage import transfer
    from utils.storage.postgres.backend import PostgresStorage

    url, _drop = cluster.database()
    database = PostgresStorage(url, pool_size=2)
    try:
        transfer.import_data(database, data_dir)
    finally:
        database.close()
    return url


def _peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            model = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load_average = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, load generator "
            f"{load.generator()}, load average at start {load_average}")


def print_table(count, size, rows, rss):
    print(f"\n{count:,} tasks ({size / 1e6:.1f} MB tasks.json), 8 connections")
    print(f"{'request':<48}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'ceiling':>9}{'ratio':>7}")
    for name, result, ceiling in rows:
        ceiling_text = f"{ceiling.rps:>9.0f}{result.rps / ceiling.rps:>6.2f}x" if ceiling else f"{'':>9}{'':>7}"
        print(f"{name:<48}{result.rps:>9.0f}{result.p50_ms:>9.2f}{result.p99_ms:>9.2f}{result.errors:>8}{ceiling_text}")
    print("peak RSS per worker: " + ", ".join(f"{value:.0f} MB" for value in rss))


def main():
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", action="store_true", help="also 100,000 tasks")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated task counts")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--app-dir", default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--dir", default=None, help="where the temporary data lives (a real disk: fsync)")
    parser.add_argument("--no-serialisers", action="store_true")
    parser.add_argument("--backend", choices=("files", "postgres"), default="files",
                        help="postgres: a throwaway PostgreSQL (fsync on) started like the tests' (tests/pg.py)")
    parser.add_argument("--activity", type=int, default=0, metavar="N",
                        help="instead: writes with an activity log of 0 and of N events, and reading the log")
    parser.add_argument("--breakdown", action="store_true",
                        help="instead: a screenplay of --pages pages broken down (no server)")
    parser.add_argument("--pages", type=int, default=300, help="with --breakdown: the screenplay's length")
    parser.add_argument("--file", action="append", help="with --breakdown: instead, the pages of this screenplay")
    parser.add_argument("--talent", nargs="+", metavar="FILE", help="instead: solve talent-scheduling instances, "
                        "one JSON line each (bench/talent.py)")
    parser.add_argument("--talent-random", metavar="SIZES", help="instead: random talent instances of these scene counts")
    parser.add_argument("--compare", action="store_true", help="with --talent: every approach side by side")
    parser.add_argument("--runs", type=int, default=None, help="runs measured (--breakdown: default 7; --talent: "
                        "seconds is the median of this many, default 1)")
    parser.add_argument("--propose", metavar="SIZES", help="instead: POST /schedule/propose on generated scripts")
    parser.add_argument("--time-limit", type=float, default=None, help="with --talent or --propose: seconds per solve")
    parser.add_argument("--seeds", type=int, default=3, help="with --talent-random: instances per size")
    parser.add_argument("--actors", type=int, default=8, help="with --talent-random: actors per instance")
    args = parser.parse_args()
    if args.breakdown:
        args.runs = 7 if args.runs is None else args.runs
        print(f"Machine: {machine()}")
        breakdown.report(args)
        return
    args.runs = 1 if args.runs is None else args.runs
    if args.propose:
        from bench import propose
        propose.run([int(v) for v in args.propose.split(",")], args.seeds, args.actors if args.actors != 8 else 12,
                    args.time_limit if args.time_limit is not None else 10.0)
        return
    if args.talent or args.talent_random:
        from bench import talent
        if args.talent_random:
            talent.run_random([int(v) for v in args.talent_random.split(",")], args.seeds, args.actors,
                              args.time_limit if args.time_limit is not None else 60.0, args.runs)
        elif args.compare:
            sys.exit(1 if talent.run_compare(args.talent, args.runs, args.time_limit) else 0)
        else:
            sys.exit(1 if talent.run_files(args.talent, args.runs, args.time_limit) else 0)
        return
    sizes = [int(value) for value in args.sizes.split(",")] + ([100_000] if args.big else [])
    if load.generator() != "wrk":
        print("wrk not found (apt-get install -y wrk): using Python clients in separate processes")
    print(f"Machine: {machine()}")
    print(f"Serving {args.app_dir} with gunicorn, 2 workers x {args.threads} threads")
    work_dir = tempfile.mkdtemp(prefix="prodsight-bench-", dir=args.dir)
    args.cluster = None
    if args.backend == "postgres":
        sys.path.insert(0, ROOT)
        from tests.pg import start_cluster

        args.cluster = start_cluster(durable=True)
        print("Backend: PostgreSQL (a local server, fsync and synchronous_commit on)")
    try:
        if args.activity:
            activity.report(args, work_dir)
            return
        for count in sizes:
            print_table(count, *measure_size(count, args, work_dir))
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
        if args.cluster:
            args.cluster.stop()
    if not args.no_serialisers:
        print()
        sys.argv = [sys.argv[0], str(max(sizes))]
        serialisers.main()


if __name__ == "__main__":
    main()
