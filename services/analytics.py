"""The production summary (SPEC §3 Analytics): one read over every collection, as of a date.

Each ``byX`` map lists every allowed value, zeros included, taken from the owning domain's constants.
A collection with nothing in it yet reports zeros.
"""
from services import budget, distribution, forecast, scene_fields, schedule, tasks, vfx
from services import scenes as scene_service
from utils.permissions import ROLES
from utils.store import get_store


def summary(as_of=None):
    as_of = budget.check_as_of(as_of)
    return {
        "asOf": as_of,
        "tasks": _tasks(tasks.records.all(), as_of),
        "vfx": _vfx(vfx.records.all()),
        "script": _script(scene_service.scenes()),
        "budget": _budget(as_of),
        "assets": _assets_summary(_assets()),
        "users": _users(get_store().scan("users")),
        "distribution": distribution.summary(as_of),
        "schedule": _schedule(schedule.build()),
    }


def _assets():
    """The asset records as stored; empty before any upload."""
    return [asset for asset in get_store().scan("assets") if isinstance(asset, dict)]


def _tasks(records, as_of):
    by_status = _count(records, "status", tasks.STATUSES)
    overdue = sum(1 for t in records if t.get("dueDate") and t["dueDate"] < as_of and t.get("status") != "done")
    rate = round(by_status["done"] / len(records), 4) if records else 0
    return {"total": len(records), "byStatus": by_status, "overdue": overdue, "completionRate": rate}


def _vfx(shots):
    versions = [version for shot in shots for version in shot.get("versions") or []]
    return {
        "total": len(shots),
        "byStatus": _count(shots, "status", vfx.STATUSES),
        "versions": len(versions),
        "approvedVersions": sum(1 for version in versions if version.get("status") == "approved"),
    }


def _script(scenes):
    minutes = sum(scene["estimated_runtime_minutes"] for scene in scenes if _is_number(scene.get("estimated_runtime_minutes")))
    return {
        "totalScenes": len(scenes),
        "byStatus": _count(scenes, "scene_status", scene_fields.SCENE_STATUSES),
        "vfxScenes": sum(1 for scene in scenes if scene.get("vfx_required") is True),
        "totalEstimatedDuration": round(minutes, 2),
    }


def _budget(as_of):
    """The forecast's figures for asOf, with percentUsed = spent / total × 100."""
    figures = budget.get_forecast(as_of)
    total, spent = forecast.amount(figures["total"]), forecast.amount(figures["spent"])
    return {"total": figures["total"], "spent": figures["spent"], "percentUsed": forecast.percent(spent, total),
            "projectedTotal": figures["projectedTotal"], "overBudget": figures["overBudget"]}


def _assets_summary(assets):
    """``byCategory`` lists the categories present (asset categories are open strings); an asset
    without one counts under "Uncategorized"."""
    by_category = {}
    for asset in assets:
        name = asset.get("category") or "Uncategorized"
        by_category[name] = by_category.get(name, 0) + 1
    total_bytes = sum(asset["size"] for asset in assets if _is_number(asset.get("size")))
    return {"count": len(assets), "totalBytes": total_bytes, "byCategory": dict(sorted(by_category.items()))}


def _users(users):
    users = list(users)
    return {"total": len(users), "byRole": _count(users, "role", ROLES)}


def _schedule(board):
    return {"days": board["totals"]["days"], "scheduledScenes": sum(len(day["strips"]) for day in board["days"]),
            "boneyardScenes": len(board["boneyard"]), "castCost": board["totals"]["castCost"]}


def _count(records, field, allowed):
    counts = dict.fromkeys(allowed, 0)
    for record in records:
        if record.get(field) in counts:
            counts[record[field]] += 1
    return counts


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)
