"""Activity log benchmark: the cost of a write and of reading the log, at 0 and 1,000,000 events.

    .venv/bin/python bench/activity_log.py [--events 1000000] [--writes 300]

Builds two data directories (a demo-sized production, one with an empty log and one whose log
holds N events), then times, through the app (Flask test client, in process), `POST /api/tasks`
and `PUT /api/tasks/{id}` (each appends one event) and `GET /api/activity` (newest page) and
`?after=<a recent id>`. Prints a table; asserts nothing about time.
"""
import argparse
import atexit
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app import create_app  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-0123456789"


def fill_log(path, count):
    """Write ``count`` plausible events straight to the file (what a long-running office accumulates)."""
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(1, count + 1):
            event = {"id": f"{number:012d}", "at": "2026-11-%02dT12:00:00Z" % (1 + number % 28),
                     "actorId": "3", "actor": "Priya Manager", "action": "update", "entity": "task",
                     "entityId": str(1 + number % 12), "summary": f"Priya Manager moved task {1 + number % 12} to done",
                     "changes": {"status": {"from": "in_progress", "to": "done"}}}
            handle.write(json.dumps(event, separators=(",", ":")) + "\n")


def make_app(events):
    root = tempfile.mkdtemp(prefix="prodsight-bench-")
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    app = create_app({"DATA_DIR": f"{root}/data", "UPLOAD_DIR": f"{root}/uploads", "SECRET_KEY": SECRET,
                      "JWT_SECRET_KEY": SECRET, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    client = app.test_client()
    client.get("/api/health")  # seeds the demo production
    if events:
        fill_log(os.path.join(app.config["DATA_DIR"], "activity.jsonl"), events)
    login = client.post("/api/auth/login", json={"username": "producer", "password": app.config["DEMO_PASSWORD"]})
    headers = {"Authorization": "Bearer " + login.get_json()["data"]["access_token"]}
    return client, headers


def timed(call, repeat):
    samples = []
    for i in range(repeat):
        start = time.perf_counter()
        status = call(i)
        samples.append((time.perf_counter() - start) * 1000)
        assert status < 400, status
    return statistics.median(samples), len(samples) / (sum(samples) / 1000)


def measure(client, headers, writes):
    rows = {}
    rows["POST /api/tasks"] = timed(lambda i: client.post("/api/tasks", json={"title": f"bench {i}"},
                                                          headers=headers).status_code, writes)
    rows["PUT /api/tasks/1"] = timed(lambda i: client.put("/api/tasks/1", json={"estimatedHours": i % 100},
                                                          headers=headers).status_code, writes)
    newest = client.get("/api/activity?per_page=1", headers=headers).get_json()["data"][0]["id"]
    recent = f"{int(newest) - 10:012d}"
    rows["GET /api/activity (newest 50)"] = timed(lambda i: client.get("/api/activity", headers=headers).status_code, 40)
    rows["GET /api/activity?after=<10 back>"] = timed(
        lambda i: client.get(f"/api/activity?after={recent}", headers=headers).status_code, 40)
    return rows


def _median(pairs):
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--writes", type=int, default=300)
    options = parser.parse_args()
    empty_app = make_app(0)
    start = time.perf_counter()
    full_app = make_app(options.events)
    print(f"(filled a log of {options.events:,} events in {time.perf_counter() - start:.1f} s)")
    # Alternate short rounds between the two, so a noisy neighbour slows both alike.
    rounds = [(measure(*empty_app, options.writes // 5), measure(*full_app, options.writes // 5)) for _ in range(5)]
    empty = {name: _median([r[0][name] for r in rounds]) for name in rounds[0][0]}
    full = {name: _median([r[1][name] for r in rounds]) for name in rounds[0][1]}
    print(f"{'request':38} {'0 events: ms':>14} {'req/s':>8} {options.events:>11,} ev: ms {'req/s':>8} {'ratio':>6}")
    for name in empty:
        (ms0, rate0), (ms1, rate1) = empty[name], full[name]
        print(f"{name:38} {ms0:14.2f} {rate0:8.0f} {ms1:17.2f} {rate1:8.0f} {rate1 / rate0:6.2f}")


if __name__ == "__main__":
    main()
