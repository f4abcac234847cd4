"""Task records shaped like a real board's, for the benchmarks."""

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
