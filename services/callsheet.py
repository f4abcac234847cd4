"""Call sheets (SPEC §3 Schedule): what one shooting day needs, read off the built board."""
from services import schedule
from services import scenes as scene_service
from utils.errors import NotFound


def call_sheet(number, board=None):
    """Day ``number`` of the board: scenes with their descriptions, cast with their DOOD code and
    call, and the next day's strips as the advance schedule. A day that does not exist is a 404."""
    board = schedule.build() if board is None else board
    days = board["days"]
    if not 1 <= number <= len(days):
        raise NotFound(f"No shooting day {number}: the schedule has days 1 to {len(days)}" if days
                       else f"No shooting day {number}: the schedule has no days yet")
    day = days[number - 1]
    scenes = {scene["id"]: scene for scene in scene_service.scenes()}
    nxt = days[number] if number < len(days) else None
    return {
        "production": schedule.title(),
        "day": number, "of": len(days), "date": day["date"], "callTime": day["callTime"],
        "locations": list(dict.fromkeys(s["location"] for s in day["strips"] if s["location"])),
        "scenes": [{**s, "scene_description": scenes[s["sceneId"]].get("scene_description", "")} for s in day["strips"]],
        "eighths": day["eighths"], "pages": day["pages"], "overCapacity": day["overCapacity"],
        "cast": _cast(board, number - 1, day),
        "note": day["note"],
        "advance": nxt["strips"] if nxt else [],
        "advanceDay": {"day": nxt["day"], "date": nxt["date"]} if nxt else None,
    }


def _cast(board, index, day):
    """Who works (called at the day's general call) or is held (no call) on the day, by cast id."""
    called = []
    for row in board["dood"]:
        code = row["days"][index] if index < len(row["days"]) else ""
        if code:
            called.append({"castId": row["castId"], "character": row["character"], "actor": row["actor"],
                           "code": code, "callTime": None if code == "H" else day["callTime"]})
    return called
