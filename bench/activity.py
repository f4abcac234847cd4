"""The activity log's cost: writes with a log of 0 and of N events, and reading a long log.

Two servers (gunicorn, 2 workers each) on two data directories of 1,000 tasks, one with an empty
activity log and one whose log holds N events; each write is measured on both in alternating
slices, so a busy machine slows both alike. Then the newest page and polling with ``after`` on the
long log.
"""
import os

from bench import load
from bench.seed import PASSWORD, SECRET, activity_log, seed
from bench.server import Gunicorn, login

TASKS = 1000


def report(args, work_dir):
    events = args.activity
    servers = {}
    try:
        for count in (0, events):
            data_dir = os.path.join(work_dir, f"data-log-{count}")
            seed(data_dir, TASKS)
            size = activity_log(data_dir, count) if count else 0
            env = {"PRODSIGHT_DATA_DIR": data_dir, "PRODSIGHT_UPLOAD_DIR": os.path.join(data_dir, "uploads"),
                   "SECRET_KEY": SECRET, "JWT_SECRET_KEY": SECRET, "PRODSIGHT_ENV": "production",
                   "JWT_ACCESS_TOKEN_EXPIRES": "86400"}
            servers[count] = Gunicorn(env, workers=2, threads=args.threads, app_dir=args.app_dir,
                                      log_path=os.path.join(work_dir, f"server-log-{count}.log")).wait_ready()
        empty, full = servers[0], servers[events]
        headers = {count: login(server, "producer", PASSWORD) for count, server in servers.items()}
        print(f"\nActivity log: {TASKS:,} tasks; a log of 0 events against one of {events:,} ({size / 1e6:.0f} MB)")
        print(f"{'request':<44}{'0 ev req/s':>11}{'p50 ms':>8}{f'{events:,} ev req/s':>19}{'p50 ms':>8}{'ratio':>7}")
        writes = (("POST /api/tasks", "POST", "/api/tasks", '{"title": "Benchmark task"}'),
                  ("PUT /api/tasks/{id}", "PUT", "/api/tasks/500", '{"description": "Edit {n}"}'))
        for name, method, path, body in writes:
            without, with_log = load.compare((empty.port, method, path, headers[0], body),
                                             (full.port, method, path, headers[events], body),
                                             duration=2 * args.duration)
            print(f"{name:<44}{without.rps:>11.0f}{without.p50_ms:>8.2f}{with_log.rps:>19.0f}{with_log.p50_ms:>8.2f}"
                  f"{with_log.rps / without.rps:>6.2f}x")
        _, newest, _ = full.request("GET", "/api/activity?per_page=1", headers=headers[events])
        recent = f"{int(newest['data'][0]['id']) - 10:012d}"  # the writes above added to the log
        for name, path in (("GET /api/activity (newest page of 50)", "/api/activity"),
                           ("GET /api/activity?after=<10 events back>", f"/api/activity?after={recent}")):
            result = load.run(full.port, "GET", path, headers[events], duration=args.duration)
            print(f"{name:<44}{'':>19}{result.rps:>19.0f}{result.p50_ms:>8.2f}   errors {result.errors}")
    finally:
        for server in servers.values():
            server.stop()
