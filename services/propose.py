"""A proposed schedule (SPEC §3 Schedule, Proposal; issue 21): the script's scenes ordered into shooting
days by the solver (services/solver/days.py), priced like the board, and stored on request.

The request never holds a lock while it searches: it reads the script, the cast and the board, searches,
and only then, with ``apply``, writes through ``schedule.store_days`` with the ETag of the board it read
(a board changed meanwhile is a 409: propose again). Reading chosen where SPEC is silent: docs/solver.md.
"""
import datetime
import time
from decimal import Decimal

from services import cast as cast_service
from services import schedule, screenplay
from services import scenes as scene_service
from services.forecast import amount, money
from services.solver import days as solver
from utils.errors import ApiError, PreconditionFailed, ValidationError
from utils.responses import count, etag_of
from utils.store import get_store
from utils.validation import Boolean, Field, FieldError, Number, validate, validate_query

SOLVER_NAME = "prodsight-solver (A* over shooting days; services/solver)"
DEFAULT_LIMIT = 10
MAX_LIMIT = 60
DEFAULT_WEIGHTS = {"cast": 1, "moves": 500, "dayNight": 200}
WEIGHT = Number(minimum=0, maximum=1_000_000, decimals=2)


class Weights(Field):
    """``{cast?, moves?, dayNight?}``: numbers ≥ 0 with at most 2 decimals; a missing one keeps its default."""

    def check(self, value):
        if not isinstance(value, dict):
            raise FieldError("must be an object {cast?, moves?, dayNight?}")
        unknown = sorted(set(value) - set(DEFAULT_WEIGHTS))
        if unknown:
            raise FieldError(f"has no field {', '.join(unknown)} (it takes cast, moves, dayNight)")
        out = dict(DEFAULT_WEIGHTS)
        for name, number in value.items():
            try:
                out[name] = WEIGHT.check(number)
            except FieldError as exc:
                raise FieldError(f"{name} {exc}") from None
        return out

    def json_schema(self):
        return {"type": "object", "properties": {name: WEIGHT.json_schema() for name in DEFAULT_WEIGHTS},
                "description": "unknown fields are a 400"}


SCHEMA = {
    "pagesPerDay": schedule.SETTINGS_SCHEMA["pagesPerDay"],
    "weights": Weights(),
    "timeLimitSeconds": Number(minimum=0, exclusive_min=True, maximum=MAX_LIMIT),
    "keepDays": Boolean(),
}

APPLY_QUERY = {"apply": screenplay.Flag()}


def apply_flag(value):
    """``?apply=true`` (true/1, false/0; anything else is a 400 naming it)."""
    return validate_query({} if value is None else {"apply": value}, APPLY_QUERY).get("apply", False)


def _cents(value):
    return int((amount(value) * 100).to_integral_value())


def _hundredths(value):
    return int((Decimal(str(value)) * 100).to_integral_value())


def plan(fields, search_cap=None, available_weekdays=None, default_start=None):
    """Search a board for the checked ``fields``; nothing is written.

    ``available_weekdays`` ({cast key: set of weekday indexes}) and ``default_start`` (a date used
    when the board has no startDate) are the original frontend's constraints. Returns a dict with the
    proposed ``days`` ([{sceneIds, callTime, note}]), the built ``board``, ``cost``, ``optimal``,
    ``lowerBound``, ``seconds`` and ``etag`` (of the board read)."""
    started = time.perf_counter()
    limit = fields.get("timeLimitSeconds", DEFAULT_LIMIT)
    if search_cap is not None:
        limit = min(limit, search_cap)
    document = get_store().read(schedule.SCHEDULE)
    settings = schedule.settings_of(document)
    scenes = scene_service.scenes()
    if not scenes:
        raise ApiError("The script has no scene to schedule: add scenes or break down a screenplay first",
                       errors={"script": "has no scene"})
    cast = cast_service.cast_list(scenes)
    read_board = schedule.present(schedule.build(days=document["days"], settings=settings, scenes=scenes, cast=cast))
    etag = etag_of(read_board)
    if "pagesPerDay" in fields:
        settings["pagesPerDay"] = fields["pagesPerDay"]
    if default_start and not settings["startDate"]:
        settings["startDate"] = default_start
    weights = fields.get("weights", DEFAULT_WEIGHTS)

    known = {scene["id"] for scene in scenes}
    kept = []
    if fields.get("keepDays"):
        kept = [{**day, "sceneIds": [s for s in day["sceneIds"] if s in known]} for day in document["days"]]
    placed = {s for day in kept for s in day["sceneIds"]}
    todo = [scene for scene in sorted(scenes, key=lambda s: s.get("scene_number", 0)) if scene["id"] not in placed]

    days = [{"sceneIds": day["sceneIds"], "callTime": day.get("callTime", schedule.DEFAULT_CALL),
             "note": day.get("note", "")} for day in kept]
    gap, optimal = Decimal(0), True
    if todo:
        kept_cast = {cast_service.key(name) for scene in scenes if scene["id"] in placed
                     for name in scene.get("characters") or ()}
        found = _search(todo, cast, kept_cast, len(kept), settings, weights, available_weekdays or {},
                        max(0.0, limit - (time.perf_counter() - started) - _reserve(len(scenes), limit)))
        days += [{"sceneIds": [todo[s]["id"] for s in day], "callTime": schedule.DEFAULT_CALL, "note": ""}
                 for day in found.days]
        optimal = found.optimal
        gap = Decimal(found.cost.total - found.lower_bound) / 10000  # solver units: 1/10,000 of the currency
    board = schedule.build(days=days, settings=settings, scenes=scenes, cast=cast)
    cost = _cost(board, weights)
    dropped = cost.pop("heldCast") != cost["cast"]
    if dropped:
        optimal = False  # a drop made the DOOD cheaper than the objective that was proven: no bound holds
    lower = None if dropped else (cost["total"] if optimal else money(amount(cost["total"]) - gap))
    return {"days": days, "board": board, "cost": cost, "optimal": optimal, "lowerBound": lower,
            "seconds": round(time.perf_counter() - started, 3), "etag": etag, "settings": settings,
            "stores": {"pagesPerDay": settings["pagesPerDay"]} if "pagesPerDay" in fields else {}}


def _reserve(scenes, limit):
    """Seconds kept back from the search for pricing the board and answering (grows with the script), and
    5% of the limit for the search's own overshoot on a busy machine (a clock read per state, not a timer)."""
    return min(limit * 0.3, limit * 0.05 + 0.02 + scenes * 0.0003)


def _search(todo, cast, kept_cast, offset, settings, weights, available_weekdays, seconds):
    keys = {member["key"]: member for member in cast}
    index, members = {}, []
    scene_cast = []
    for scene in todo:
        mine = []
        for name in scene.get("characters") or ():
            key = cast_service.key(name)
            if key in keys:
                if key not in index:
                    index[key] = len(members)
                    members.append(keys[key])
                if index[key] not in mine:
                    mine.append(index[key])
        scene_cast.append(tuple(mine))
    dates = schedule.working_dates(settings, offset + len(todo))[offset:]
    unavailable = []
    for member in members:
        off = set(member["unavailable"])
        weekdays = available_weekdays.get(member["key"])
        unavailable.append(frozenset(
            i for i, date in enumerate(dates) if date is not None and (
                date in off or (weekdays is not None
                                and datetime.date.fromisoformat(date).weekday() not in weekdays))))
    never = [m for m, days in zip(members, unavailable) if len(days) >= len(todo)]
    if never:
        names = ", ".join(f"{m['castId']} {m['character']}" for m in never)
        raise ValidationError({"cast": f"{names} unavailable on every date the {count(len(todo), 'scene')} could take"},
                              message=f"No schedule is possible: cast member {names} is unavailable on every one of "
                                      f"the {len(todo)} shooting dates from {dates[0]} (change their unavailable "
                                      f"dates or the startDate)")
    production = solver.Production(
        eighths=tuple(schedule.pages.scene_eighths(scene) for scene in todo),
        cast=tuple(scene_cast),
        rates=tuple(_cents(member["dailyRate"]) for member in members),
        locations=tuple((scene.get("location") or "").strip().casefold() for scene in todo),
        night=tuple(scene.get("day_night", "DAY") in schedule.NIGHT for scene in todo),
        capacity=max(1, int(Decimal(str(settings["pagesPerDay"])) * 8)),
        unavailable=tuple(unavailable),
        weights=solver.Weights(cast=_hundredths(weights["cast"]), moves=_hundredths(weights["moves"]) * 100,
                               day_night=_hundredths(weights["dayNight"]) * 100),
        started=frozenset(index[key] for key in kept_cast if key in index),
    )
    found = solver.solve(production, time_limit=seconds)
    if found is None:
        who = ", ".join(f"{m['castId']} {m['character']}" for m, days in zip(members, unavailable) if days)
        raise ValidationError({"cast": f"the unavailable dates of {who or 'the cast'} leave no schedule"},
                              message="No schedule found that keeps every cast member off their unavailable dates"
                                      f" ({who}) within {seconds:.2f} s: change those dates, the startDate, or "
                                      "give a longer timeLimitSeconds")
    return found


def _cost(board, weights):
    """The board's cost parts: cast (the DOOD total), moves and day/night switches inside days, their
    weighted total; ``heldCast``: the cast cost with every hold paid (no drop), what the solver minimises."""
    moves = switches = 0
    for day in board["days"]:
        strips = day["strips"]
        for before, after in zip(strips, strips[1:]):
            moves += (before["location"] or "").strip().casefold() != (after["location"] or "").strip().casefold()
            switches += (before["day_night"] in schedule.NIGHT) != (after["day_night"] in schedule.NIGHT)
    cast_cost = board["totals"]["castCost"]
    total = (amount(weights["cast"]) * amount(cast_cost) + amount(weights["moves"]) * moves
             + amount(weights["dayNight"]) * switches)
    rates = {row["castId"]: amount(row["cost"]) / row["paidDays"] if row["paidDays"] else Decimal(0)
             for row in board["dood"]}
    held = Decimal(0)
    for row in board["dood"]:
        if row["start"]:
            held += rates[row["castId"]] * (row["finish"]["day"] - row["start"]["day"] + 1)
    return {"total": money(total), "cast": cast_cost, "moves": moves, "dayNight": switches,
            "heldCast": money(held)}


def propose(body, apply=False, search_cap=None):
    """``POST /schedule/propose``: (answer, applied)."""
    fields = validate(body, SCHEMA, partial=True)
    found = plan(fields, search_cap)
    answer = {"days": schedule.present(found["board"])["days"], "cost": found["cost"], "optimal": found["optimal"],
              "lowerBound": found["lowerBound"], "seconds": found["seconds"]}
    if not apply:
        return answer, False
    store(found)
    return answer, True


def store(found):
    """Make a found plan the schedule, unless the board changed since it was read (409)."""
    cost = found["cost"]
    summary = (f"applied a proposed schedule: {count(len(found['days']), 'shooting day')}, cost {cost['total']:,.2f} "
               f"(cast {cost['cast']:,.2f}, {count(cost['moves'], 'company move')}, "
               f"{count(cost['dayNight'], 'day/night switch', 'day/night switches')})"
               + (", proven optimal" if found["optimal"] else ""))
    try:
        return schedule.store_days(found["days"], if_match=found["etag"], summary=summary, settings=found["stores"])
    except PreconditionFailed:
        raise ApiError("The schedule, the script or the cast changed while the proposal was searched: "
                       "nothing was stored; propose again", status=409) from None
