"""The stripboard (SPEC §3 Schedule): shooting days of the script's scenes, their dates, and the boneyard.

``schedule.json`` keeps only what a person decides: the settings (startDate, daysOff, holidays,
pagesPerDay, dropDays; absent means the default) and the days as ``{sceneIds, callTime, note}``.
Everything a scene says (number, heading, length, cast) is read from the script on every build, so
the board follows the script: a new scene is in the boneyard, a deleted one leaves the board, an
edited one shows its new data.

The service API the proposal builds on: ``build(days)`` prices and lays out any list of days of
scene ids against the current script and cast, and ``store_days(days, actor)`` makes them the schedule.
"""
import copy
import datetime
from decimal import Decimal

from services import cast as cast_service
from services import dood, integrity, pages, scene_fields, script
from services import scenes as scene_service
from services.cast import DateList
from utils import activity
from utils.errors import ValidationError
from utils.etags import check_if_match
from utils.responses import count
from utils.store import get_store
from utils.validation import SERVER_OWNED, Date, Field, FieldError, Number, String, validate

SCHEDULE = "schedule"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULTS = {"startDate": None, "daysOff": ["Sunday"], "holidays": [], "pagesPerDay": 5, "dropDays": 10}
DEFAULT_CALL = "07:00"
MAX_DAYS = 1000
COLORS = {("INT", "day"): "white", ("EXT", "day"): "yellow", ("INT", "night"): "blue", ("EXT", "night"): "green"}
NIGHT = frozenset({"NIGHT", "DAWN", "DUSK", "EVENING"})  # MORNING, CONTINUOUS and DAY are day


class Weekdays(Field):
    """Weekday names, spelled exactly; kept in week order without repeats; never all seven."""

    def check(self, value):
        if not isinstance(value, list) or any(day not in WEEKDAYS for day in value):
            raise FieldError("must be a list of weekday names: " + ", ".join(WEEKDAYS))
        if len(set(value)) == len(WEEKDAYS):
            raise FieldError("must leave at least one weekday to shoot on")
        return [day for day in WEEKDAYS if day in value]

    def json_schema(self):
        return {"type": "array", "maxItems": 6, "items": {"type": "string", "enum": list(WEEKDAYS)}}


class DayList(Field):
    """The shooting days, each an object checked by ``DAY_SCHEMA`` (errors name ``days[i].field``)."""

    def check(self, value):
        if not isinstance(value, list) or len(value) > MAX_DAYS:
            raise FieldError(f"must be a list of at most {MAX_DAYS} days")
        return value

    def json_schema(self):
        return {"type": "array", "maxItems": MAX_DAYS, "items": {
            "type": "object", "description": "a shooting day: {sceneIds: [scene id, ...] (required), "
                                             "callTime?: HH:MM (default 07:00), note?: text}"}}


class SceneIds(Field):
    def check(self, value):
        if not isinstance(value, list) or len(value) > scene_fields.MAX_SCENES:
            raise FieldError(f"must be a list of at most {scene_fields.MAX_SCENES} scene ids")
        if not all(isinstance(item, str) and 0 < len(item) <= 50 for item in value):
            raise FieldError("every item must be a scene id (a string)")
        return value

    def json_schema(self):
        return {"type": "array", "maxItems": scene_fields.MAX_SCENES, "items": {"type": "string", "minLength": 1, "maxLength": 50}}


SETTINGS_SCHEMA = {
    "startDate": Date(nullable=True),
    "daysOff": Weekdays(),
    "holidays": DateList(),
    "pagesPerDay": Number(minimum=0, exclusive_min=True, maximum=1000, decimals=3),
    "dropDays": Number(minimum=0, maximum=3650, integer=True),
}
DAY_SCHEMA = {
    "sceneIds": SceneIds(required=True),
    "callTime": String(pattern=r"([01]\d|2[0-3]):[0-5]\d", hint="must be a time HH:MM (24-hour)", default=DEFAULT_CALL),
    "note": String(max_len=2000, default=""),
}
SCHEMA = {**SETTINGS_SCHEMA, "days": DayList()}
DERIVED = frozenset({"boneyard", "totals"})  # a client may echo the board back
DAY_DERIVED = frozenset({"day", "date", "strips", "eighths", "pages", "overCapacity", "unavailableCast"})
DEPENDS = (SCHEDULE, cast_service.CAST, script.SCRIPT, "users")  # what a built board is made of


def empty_schedule():
    return {"days": []}


# -- building -------------------------------------------------------------------------------
def settings_of(document):
    return {name: copy.deepcopy(document.get(name, default)) for name, default in DEFAULTS.items()}


def working_dates(settings, number):
    """The dates of shooting days 1..number: working dates from startDate, skipping daysOff and
    holidays; None for each without a startDate."""
    if not settings["startDate"]:
        return [None] * number
    off = {WEEKDAYS.index(name) for name in settings["daysOff"]}
    holidays = set(settings["holidays"])
    date, dates = datetime.date.fromisoformat(settings["startDate"]), []
    while len(dates) < number:
        if date.weekday() not in off and date.isoformat() not in holidays:
            dates.append(date.isoformat())
        if date == datetime.date.max and len(dates) < number:
            raise ValidationError({"startDate": f"leaves no room for {number} shooting days before the year 10000"})
        if len(dates) < number:
            date += datetime.timedelta(days=1)
    return dates


def color(int_ext, day_night):
    """INT day white, EXT day yellow, INT night blue, EXT night green (INT/EXT counts as EXT)."""
    return COLORS[("INT" if int_ext == "INT" else "EXT", "night" if day_night in NIGHT else "day")]


def strip(scene, cast_ids):
    """A scene as a strip; ``cast_ids`` maps a character's key to its cast id."""
    eighths = pages.scene_eighths(scene)
    ids = sorted({cast_ids[cast_service.key(name)] for name in scene.get("characters") or ()
                  if cast_service.key(name) in cast_ids})
    int_ext, day_night = scene.get("int_ext", "INT"), scene.get("day_night", "DAY")  # the script's defaults
    return {"sceneId": scene["id"], "scene_number": scene.get("scene_number", 0), "int_ext": int_ext,
            "day_night": day_night, "location": scene.get("location", ""), "page_eighths": eighths,
            "pages": pages.text(eighths), "castIds": ids, "title": scene.get("title", ""),
            "color": color(int_ext, day_night)}


def build(days=None, settings=None, scenes=None, cast=None):
    """The board of ``days`` ([{sceneIds, callTime?, note?}], default: the stored ones) against the
    current script and cast: ``{...settings, days, boneyard, totals, dood}``. Scene ids the script
    no longer holds are left out; scenes on no day are the boneyard."""
    document = get_store().read(SCHEDULE)
    days = document["days"] if days is None else days
    settings = settings_of(document) if settings is None else settings
    scenes = scene_service.scenes() if scenes is None else scenes
    cast = cast_service.cast_list(scenes) if cast is None else cast
    cast_ids = {member["key"]: member["castId"] for member in cast}
    unavailable = {member["castId"]: set(member["unavailable"]) for member in cast if member["unavailable"]}
    strips = {scene["id"]: strip(scene, cast_ids) for scene in scenes}
    capacity = Decimal(str(settings["pagesPerDay"])) * 8
    dates = working_dates(settings, len(days))
    placed, built = set(), []
    for number, (day, date) in enumerate(zip(days, dates), start=1):
        on_day = [strips[scene_id] for scene_id in day["sceneIds"] if scene_id in strips]
        placed.update(s["sceneId"] for s in on_day)
        eighths = sum(s["page_eighths"] for s in on_day)
        working = sorted({cast_id for s in on_day for cast_id in s["castIds"]})
        built.append({"day": number, "date": date, "callTime": day.get("callTime", DEFAULT_CALL),
                      "note": day.get("note", ""), "strips": on_day, "eighths": eighths, "pages": pages.text(eighths),
                      "overCapacity": eighths > capacity,
                      "unavailableCast": [c for c in working if date in unavailable.get(c, ())]})
    boneyard = sorted((s for scene_id, s in strips.items() if scene_id not in placed), key=lambda s: s["scene_number"])
    dood_rows = dood.rows(built, cast, settings["dropDays"])
    scheduled = sum(day["eighths"] for day in built)
    spare = sum(s["page_eighths"] for s in boneyard)
    return {
        **settings, "days": built, "boneyard": boneyard,
        "totals": {"days": len(built), "scheduledEighths": scheduled, "scheduledPages": pages.text(scheduled),
                   "boneyardEighths": spare, "boneyardPages": pages.text(spare), "castCost": dood.total(dood_rows)},
        "dood": dood_rows,
    }


def present(board):
    """The board as ``GET /schedule`` answers it (the DOOD has its own endpoint)."""
    return {name: value for name, value in board.items() if name != "dood"}


def title():
    """The production's title, for printed pages: the script's."""
    return get_store().read(script.SCRIPT)["title"]


def get_board():
    return present(build())


def get_dood():
    """(DOOD rows, the shooting days [{day, date}]) of the stored board."""
    board = build()
    return board["dood"], [{"day": day["day"], "date": day["date"]} for day in board["days"]]


# -- writing --------------------------------------------------------------------------------
def update(body, if_match=None):
    """``PUT /schedule``: replaces what the body names; answers the whole board."""
    fields = validate(body, SCHEMA, partial=True, ignored=SERVER_OWNED | DERIVED)
    if "days" in fields:
        fields["days"] = clean_days(fields["days"])
    return _write(fields, if_match)


def store_days(days, if_match=None, summary=None, settings=None):
    """Make ``days`` ([{sceneIds, callTime?, note?}], checked like a PUT's) the schedule's days, with
    ``settings`` (checked like a PUT's, e.g. the proposal's ``pagesPerDay``) beside them."""
    fields = validate(settings or {}, SETTINGS_SCHEMA, partial=True)
    return _write({**fields, "days": clean_days(days)}, if_match, summary)


def clean_days(days, scenes=None):
    """Each day checked (``days[i].field`` named), every scene id known and placed once."""
    known = {scene["id"] for scene in (scene_service.scenes() if scenes is None else scenes)}
    errors, cleaned, seen = {}, [], {}
    for index, day in enumerate(days):
        where = f"days[{index}]"
        if not isinstance(day, dict):
            errors[where] = "must be an object {sceneIds, callTime?, note?}"
            continue
        try:
            fields = validate(day, DAY_SCHEMA, ignored=DAY_DERIVED)
        except ValidationError as exc:
            errors.update({f"{where}.{name}": problem for name, problem in exc.errors.items()})
            continue
        unknown = [scene_id for scene_id in fields["sceneIds"] if scene_id not in known]
        repeated = []
        for scene_id in fields["sceneIds"]:
            if scene_id in known:
                if scene_id in seen:
                    repeated.append(f"{scene_id} (already on day {seen[scene_id]})")
                seen.setdefault(scene_id, index + 1)
        problems = []
        if unknown:
            problems.append("no scene with id " + ", ".join(unknown) + " in the script")
        if repeated:
            problems.append("scene id " + ", ".join(repeated) + " placed twice: a scene is shot on one day")
        if problems:
            errors[f"{where}.sceneIds"] = "; ".join(problems)
        cleaned.append(fields)
    if errors:
        raise ValidationError(errors, message="The schedule was not saved: " + "; ".join(
            f"{name} {problem}" for name, problem in errors.items()))
    return cleaned


def _write(fields, if_match, summary=None):
    scenes = scene_service.scenes()
    with get_store().transaction(SCHEDULE) as transaction:
        document = transaction.document(SCHEDULE)
        if if_match:
            check_if_match(present(build(settings=settings_of(document), days=document["days"], scenes=scenes)),
                           if_match)
        before = copy.deepcopy(document)
        document.update(fields)
        after = copy.deepcopy(document)
        # built before the write is committed: a board that cannot be built (dates past 9999) is not saved
        board = build(days=after["days"], settings=settings_of(after), scenes=scenes)
    activity.record("update", "schedule", None, before=_stored_form(before), after=_stored_form(after),
                    summary=summary or describe(before, after, scenes))
    return present(board)


def _stored_form(document):
    return {**settings_of(document), "days": document["days"]}


def describe(before, after, scenes):
    """What a write did, after the actor's name: "moved scene 12 to day 3", "set startDate, daysOff"."""
    numbers = {scene["id"]: scene.get("scene_number", 0) for scene in scenes}
    old, new = _placements(before["days"]), _placements(after["days"])
    moved = sorted((numbers[s] for s in numbers if old.get(s) != new.get(s)))
    by_number = {number: scene_id for scene_id, number in numbers.items()}
    parts = []
    if len(moved) == 1:
        where = new.get(by_number[moved[0]])
        parts.append(f"moved scene {moved[0]} to " + (f"day {where}" if where else "the boneyard"))
    elif moved:
        shown = ", ".join(str(n) for n in moved[:10]) + (", ..." if len(moved) > 10 else "")
        parts.append(f"moved {count(len(moved), 'scene')} ({shown})")
    if len(before["days"]) != len(after["days"]):
        parts.append(f"made the schedule {count(len(after['days']), 'shooting day')}")
    elif not moved and before["days"] != after["days"]:
        parts.append("updated call times and notes")
    settings = [name for name in DEFAULTS if settings_of(before)[name] != settings_of(after)[name]]
    if settings:
        parts.append("set " + ", ".join(settings))
    return "; ".join(parts) if parts else "saved the schedule unchanged"


def _placements(days):
    return {scene_id: number for number, day in enumerate(days, start=1) for scene_id in day["sceneIds"]}


def check_data():
    """Problems of ``schedule.json``, each naming the file; [] when sound. Scene ids the script no
    longer holds are not problems: the board leaves them out."""
    store = get_store()
    document, where = store.read(SCHEDULE), store.filename(SCHEDULE)
    settings = {name: document[name] for name in SETTINGS_SCHEMA if name in document}
    problems = integrity.schema_problems(f"{where} settings", settings, SETTINGS_SCHEMA, partial=True)
    seen = set()
    for index, day in enumerate(document["days"], start=1):
        day_problems = integrity.schema_problems(f"{where} day {index}", day, DAY_SCHEMA)
        if day_problems:
            problems += day_problems
            continue
        twice = seen.intersection(day["sceneIds"])
        if twice or len(set(day["sceneIds"])) != len(day["sceneIds"]):
            problems.append(f"{where} day {index}: a scene id is placed twice")
        seen.update(day["sceneIds"])
    return problems
