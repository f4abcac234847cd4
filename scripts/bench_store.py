"""Benchmark of the JSON store (not a test): read and write latency, and multi-process throughput.

Run from the repo root: ``.venv/bin/python scripts/bench_store.py [DIR]``. It works in a temporary
directory under DIR (default: the system temp directory; pass the data directory's filesystem when
/tmp is a tmpfs, where fsync costs nothing) and removes it at the end. Takes well under a minute.
"""
import json
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from utils.store import Store, insert_record, new_collection  # noqa: E402

WRITERS = 4
WRITES_PER_WRITER = 100


def task_fields(n):
    """A record shaped like a Kanban task (about 350 bytes of JSON)."""
    return {
        "title": f"Paint out rig in shot {n:05d}",
        "description": "Remove the crane arm and its shadow from frames 1001-1096; keep the grain.",
        "status": ("todo", "in_progress", "done")[n % 3],
        "priority": ("low", "medium", "high")[n % 3],
        "category": "compositing",
        "assigneeId": str(n % 12 + 1),
        "dueDate": "2026-12-01",
        "estimatedHours": 6,
        "createdAt": "2026-11-25T17:04:28Z",
        "updatedAt": "2026-11-25T17:04:28Z",
        "createdBy": "1",
    }


def make_store(data_dir, records):
    store = Store(data_dir)
    store.register("tasks", new_collection)
    with store.transaction("tasks") as tasks:
        for n in range(records):
            insert_record(tasks, task_fields(n))
    return store


def timed(action, repeat):
    """Per-call wall times of ``action`` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times_ms):
    times = sorted(times_ms)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return f"median {statistics.median(times):9.3f} ms   p95 {p95:9.3f} ms   (n={len(times)})"


def bench_collection(base, records):
    data_dir = tempfile.mkdtemp(prefix=f"{records}-", dir=base)
    store = make_store(data_dir, records)
    size_kib = os.path.getsize(store.path("tasks")) / 1024
    print(f"\n{records:,} records ({size_kib:,.0f} KiB on disk)")

    store.read("tasks")
    print(f"  cached read (unchanged file)   {summary(timed(lambda: store.read('tasks'), 2000))}")

    def fresh_read():
        reader = Store(data_dir)  # an empty cache: what another worker pays after a write
        reader.register("tasks", new_collection)
        reader.read("tasks")

    print(f"  uncached read (parse)          {summary(timed(fresh_read, 20 if records > 5000 else 100))}")

    counter = iter(range(records, 10**9))

    def insert():
        with store.transaction("tasks") as tasks:
            insert_record(tasks, task_fields(next(counter)))

    print(f"  transaction (insert + fsync)   {summary(timed(insert, 20 if records > 5000 else 100))}")

    # Where a transaction's time goes: it parses the file under the lock, serialises compactly
    # (json's C encoder), then writes and fsyncs.
    document, repeat = store.read("tasks"), 10
    with open(store.path("tasks"), "rb") as handle:
        raw = handle.read()
    print(f"    of which json.loads          {summary(timed(lambda: json.loads(raw), repeat))}")
    compact = {"ensure_ascii": False, "separators": (",", ":")}
    print(f"    of which json.dumps          {summary(timed(lambda: json.dumps(document, **compact), repeat))}")


def writer(data_dir, go, results):
    store = Store(data_dir)
    store.register("tasks", new_collection)
    go.wait()
    times = []
    for n in range(WRITES_PER_WRITER):
        start = time.perf_counter()
        with store.transaction("tasks") as tasks:
            insert_record(tasks, task_fields(n))
        times.append((time.perf_counter() - start) * 1000)
    results.put(times)


def bench_concurrent(base, records):
    data_dir = tempfile.mkdtemp(prefix=f"concurrent-{records}-", dir=base)
    make_store(data_dir, records)
    context = multiprocessing.get_context("spawn")
    go, results = context.Event(), context.Queue()
    processes = [context.Process(target=writer, args=(data_dir, go, results)) for _ in range(WRITERS)]
    for process in processes:
        process.start()
    time.sleep(1.0)  # let every child import and reach the barrier
    start = time.perf_counter()
    go.set()
    times = [t for _ in processes for t in results.get(timeout=120)]
    elapsed = time.perf_counter() - start
    for process in processes:
        process.join()

    total = WRITERS * WRITES_PER_WRITER
    final = Store(data_dir)
    final.register("tasks", new_collection)
    stored = len(final.read("tasks")["items"]) - records
    verdict = "ok" if stored == total else f"LOST {total - stored}"
    print(f"\n{WRITERS} writer processes x {WRITES_PER_WRITER} inserts on {records:,} records: "
          f"{total / elapsed:,.0f} transactions/s ({elapsed:.2f} s), {stored} stored: {verdict}")
    print(f"  transaction incl. lock wait    {summary(times)}")


def main():
    base = tempfile.mkdtemp(prefix="bench-store-", dir=sys.argv[1] if len(sys.argv) > 1 else None)
    print(f"Store benchmark: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, temp dir {base}")
    try:
        for records in (1_000, 10_000):
            bench_collection(base, records)
        bench_concurrent(base, 1_000)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
