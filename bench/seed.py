"""Data shaped like a real production's, for the benchmarks: a board of tasks, an activity log."""
import json
import os
import sys

from bench.server import ROOT

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
PASSWORD = "benchmark-password"

STATUSES = ("todo", "in_progress", "done")
PRIORITIES = ("low", "medium", "high")


def task_fields(n, assignee_id="1"):
    """The fields of task number ``n`` as a client would send them (about 350 bytes of JSON)."""
    return {
        "title": f"Paint out rig in shot {n:05d}",
        "description": "Remove the crane arm and its shadow from frames 1001-1096; keep the grain — café scène.",
        "status": STATUSES[n % 3],
        "priority": PRIORITIES[n % 3],
        "category": "compositing",
        "assigneeId": assignee_id,
        "dueDate": "2026-12-01",
        "estimatedHours": 6,
    }


def stored_task(n, assignee_id="1"):
    stamp = "2026-11-25T17:04:28Z"
    return {"id": str(n), **task_fields(n, assignee_id), "createdAt": stamp, "updatedAt": stamp, "createdBy": "1"}


def collection(count, assignee_id="1"):
    """A stored tasks document of ``count`` records, ids 1..count."""
    return {"seq": count, "items": {str(n): stored_task(n, assignee_id) for n in range(1, count + 1)}}


def seed(data_dir, count):
    """A producer and ``count`` tasks assigned to them, written through the store."""
    sys.path.insert(0, ROOT)
    from app import create_app
    from services import users
    from utils.store import get_store

    app = create_app({"DATA_DIR": data_dir, "UPLOAD_DIR": os.path.join(data_dir, "uploads"), "AUTO_SEED": False,
                      "SECRET_KEY": SECRET, "JWT_SECRET_KEY": SECRET})
    with app.app_context():
        producer = users.create_user({"username": "producer", "name": "Pat Producer", "email": "p@example.com",
                                      "role": "Producer", "password": PASSWORD})
        with get_store().edit("tasks") as tasks:  # the file backend's stored shape: one write of them all
            tasks.update(collection(count, producer["id"]))
    return os.path.getsize(os.path.join(data_dir, "tasks.json"))


def activity_log(data_dir, count):
    """``count`` plausible events written straight to the activity log (what years of work leave)."""
    with open(os.path.join(data_dir, "activity.jsonl"), "w", encoding="utf-8") as handle:
        for n in range(1, count + 1):
            task = 1 + n % 1000
            handle.write(json.dumps({
                "id": f"{n:012d}", "at": "2026-11-%02dT12:00:00Z" % (1 + n * 28 // (count + 1)), "actorId": "1",
                "actor": "Pat Producer", "action": "update", "entity": "task", "entityId": str(task),
                "summary": f"Pat Producer moved task {task} to done",
                "changes": {"status": {"from": "in_progress", "to": "done"}},
            }, separators=(",", ":")) + "\n")
        handle.flush()
        os.fsync(handle.fileno())  # on disk before the measurement, as a real log would be
    return os.path.getsize(os.path.join(data_dir, "activity.jsonl"))
