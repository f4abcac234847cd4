"""The original frontend's scheduling calls (SPEC §3 Schedule, last bullet): its ``/ai/*`` shapes, answered
from the solver's proposal and the board. Nothing here calls a remote model; nothing here is stored.

Readings where SPEC is silent (README "The original frontend's scheduling calls"):
- a shooting day of ``pagesPerDay`` pages lasts 10 hours from the day's call time, so a scene's
  ``estimated_duration_minutes`` is its eighths × 600 / (pagesPerDay × 8), at least 1;
- ``location_preferences.<name>.setup_time_hours`` is spent before the first scene of each day at a
  location whose name contains ``<name>`` (case-insensitively), and shifts the day's times after it;
- ``actor_constraints.<name>.available_days`` (weekday names) keeps that cast member (character or
  actor, case-insensitively) off the other weekdays; without a board startDate the days are dated
  from tomorrow (the frontend's calendar starts tomorrow), so the weekdays always apply;
- ``max_consecutive_days``, ``preferred_call_times``, ``weather_dependent`` and
  ``equipment_requirements`` are not constraints of the solver: they are reported in
  ``potential_risks`` / ``special_requirements`` rather than silently dropped.
"""
import datetime
from collections import Counter
from decimal import Decimal

from services import propose, schedule
from services import scenes as scene_service
from services.cast import cast_list, key
from utils.errors import ValidationError
from utils.responses import count
from utils.validation import validate

DAY_MINUTES = 600
WEEKDAYS = {name.lower(): index for index, name in enumerate(schedule.WEEKDAYS)}
WEEKDAYS.update({name[:3]: index for name, index in list(WEEKDAYS.items())})
TIME_BUCKETS = {"NIGHT": "NIGHT", "DUSK": "DUSK", "DAWN": "DUSK", "EVENING": "DUSK"}  # the rest is DAY


# -- the constraints body ----------------------------------------------------------------------
def _object(value, where):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError({where: "must be an object keyed by name"}, message=f"{where} must be an object keyed by name")
    return value


def _constraints(body):
    """(actor constraints, location preferences) checked: ``{name: {...}}`` each."""
    if not isinstance(body, dict):
        raise ValidationError({"body": "must be a JSON object"})
    actors = {name: _object(rules, f"actor_constraints.{name}")
              for name, rules in _object(body.get("actor_constraints"), "actor_constraints").items()}
    places = {name: _object(rules, f"location_preferences.{name}")
              for name, rules in _object(body.get("location_preferences"), "location_preferences").items()}
    for name, rules in actors.items():
        where = f"actor_constraints.{name}"
        days = rules.get("available_days")
        if days is not None and (not isinstance(days, list) or not all(
                isinstance(d, str) and d.strip().lower() in WEEKDAYS for d in days)):
            raise ValidationError({f"{where}.available_days": "must be a list of weekday names (Monday ... Sunday)"},
                                  message=f"{where}.available_days must be a list of weekday names (Monday ... Sunday)")
    for name, rules in places.items():
        where = f"location_preferences.{name}"
        hours = rules.get("setup_time_hours")
        if hours is not None and (isinstance(hours, bool) or not isinstance(hours, (int, float))
                                  or not 0 <= hours <= 24):
            raise ValidationError({f"{where}.setup_time_hours": "must be a number of hours from 0 to 24"},
                                  message=f"{where}.setup_time_hours must be a number of hours from 0 to 24")
    return actors, places


def _member_keys(name, cast):
    """The cast keys a constraint's name means: a character's name or its actor's, case-insensitively."""
    wanted = key(name)
    return [m["key"] for m in cast if m["key"] == wanted or (m["actor"] and key(m["actor"]) == wanted)]


# -- generate_gemini_schedule -----------------------------------------------------------------------
def generate(body, search_cap=None):
    actors, places = _constraints(body)
    fields = validate({k: body[k] for k in propose.SCHEMA if k in body}, propose.SCHEMA, partial=True)
    scenes = scene_service.scenes()
    cast = cast_list(scenes)
    weekdays, risks = {}, []
    for name, rules in actors.items():
        keys = _member_keys(name, cast)
        if not keys:
            risks.append(f"{name} is not in the script's cast: their constraints were not applied")
            continue
        if rules.get("available_days") is not None:
            days = {WEEKDAYS[d.strip().lower()] for d in rules["available_days"]}
            weekdays.update({k: days for k in keys})
        for rule in ("max_consecutive_days", "preferred_call_times"):
            if rules.get(rule) is not None:
                risks.append(f"{name}: {rule} is not a constraint of the solver; check the board by hand")
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    found = propose.plan(fields, search_cap, available_weekdays=weekdays, default_start=tomorrow)
    data = _schedule_data(found, scenes, places, risks)
    return {"status": "success", "schedule_data": data,
            "generation_info": {"generated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(
                                    timespec="seconds").replace("+00:00", "Z"),
                                "ai_model": propose.SOLVER_NAME, "input_scenes": len(scenes)},
            "total_shooting_days": data["total_shooting_days"], "is_mock": False,
            "proposal": {name: found[name] for name in ("cost", "optimal", "lowerBound", "seconds")}}


def _setup_hours(location, places):
    hours = [rules.get("setup_time_hours") or 0 for name, rules in places.items()
             if name.strip() and name.strip().casefold() in (location or "").casefold()]
    return max(hours, default=0)


def _clock(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes_of(eighths, pages_per_day):
    return max(1, round(eighths * DAY_MINUTES / (Decimal(str(pages_per_day)) * 8)))


def _schedule_data(found, scenes, places, risks):
    board = found["board"]
    by_id = {scene["id"]: scene for scene in scenes}
    names = {}  # cast id -> character as spelled
    for row in board["dood"]:
        names[row["castId"]] = row["character"]
    daily, actor_scenes, location_days = [], {}, {}
    for day in board["days"]:
        h, m = map(int, day["callTime"].split(":"))
        now = h * 60 + m
        set_up, rows, moves, special = set(), [], 0, []
        for position, strip in enumerate(day["strips"]):
            scene = by_id[strip["sceneId"]]
            notes = []
            if position and strip["location"].casefold() != day["strips"][position - 1]["location"].casefold():
                moves += 1
                notes.append(f"company move from {day['strips'][position - 1]['location'] or 'the last set'}")
            hours = _setup_hours(strip["location"], places)
            if hours and strip["location"].casefold() not in set_up:
                set_up.add(strip["location"].casefold())
                now += round(hours * 60)
                notes.append(f"{hours:g} h setup at {strip['location']} before this scene")
            minutes = _minutes_of(strip["page_eighths"], board["pagesPerDay"])
            characters = [names[c] for c in strip["castIds"]]
            for c in characters:
                actor_scenes.setdefault(c, []).append(strip["scene_number"])
            location_days.setdefault(strip["location"], {"days": [], "scenes": 0})
            if day["day"] not in location_days[strip["location"]]["days"]:
                location_days[strip["location"]]["days"].append(day["day"])
            location_days[strip["location"]]["scenes"] += 1
            if scene.get("vfx_required"):
                special.append(f"VFX: scene {strip['scene_number']}")
            rows.append({"scene_number": strip["scene_number"], "scene_title": strip["title"] or
                         f"{strip['int_ext']}. {strip['location']} - {strip['day_night']}".strip(),
                         "location": strip["location"], "time_of_day": strip["day_night"],
                         "estimated_duration_minutes": minutes, "actors_needed": characters,
                         "extras_needed": list(scene.get("extras") or []), "call_time": _clock(now),
                         "estimated_wrap": _clock(now + minutes), "setup_notes": "; ".join(notes)})
            now += minutes
        for name, rules in places.items():
            if any(name.strip() and name.strip().casefold() in s["location"].casefold() for s in day["strips"]):
                if rules.get("weather_dependent"):
                    special.append(f"weather-dependent: {name}")
                equipment = rules.get("equipment_requirements")
                special += [f"{name}: {item}" for item in (equipment if isinstance(equipment, list) else ())
                            if isinstance(item, str)]
        eighths = Counter()
        for strip in day["strips"]:
            eighths[strip["location"]] += strip["page_eighths"]
        start = h * 60 + m
        daily.append({"day": day["day"], "date": day["date"],
                      "location_focus": eighths.most_common(1)[0][0] if eighths else "",
                      "scenes": rows,
                      "daily_summary": {"total_scenes": len(rows), "total_duration_minutes": now - start,
                                        "primary_actors": [names[c] for c in sorted({c for s in day["strips"]
                                                                                     for c in s["castIds"]})],
                                        "location_changes": moves, "special_requirements": special}})
        if day["overCapacity"]:
            risks.append(f"day {day['day']}: scene longer than a day ({day['pages']} pages against "
                         f"{board['pagesPerDay']:g} a day)")
    dood = {row["character"]: row for row in board["dood"]}
    actor_schedules = {c: {"total_working_days": dood[c]["work"], "scenes": numbers,
                           "schedule_notes": f"works days {dood[c]['start']['day']} to {dood[c]['finish']['day']}, "
                                             f"paid {count(dood[c]['paidDays'], 'day')} "
                                             f"({count(dood[c]['hold'], 'hold')}, {count(dood[c]['drop'], 'day')} dropped)"}
                       for c, numbers in actor_scenes.items()}
    location_schedule = {}
    for location, used in location_days.items():
        hours = _setup_hours(location, places)
        location_schedule[location] = {"days_needed": used["days"], "total_scenes": used["scenes"],
                                       "setup_requirements": f"{hours:g} h setup on each day there" if hours else ""}
    cost = found["cost"]
    proof = ("proven optimal for cast cost, company moves and day/night switches" if found["optimal"] else
             f"within {cost['total'] - found['lowerBound']:,.2f} of the lower bound the search proved"
             if found["lowerBound"] is not None else "the best the search found in its time limit")
    benefits = [f"Cast cost {cost['cast']:,.2f} (the Day-Out-of-Days total), {proof}",
                f"{count(cost['moves'], 'company move')} and "
                f"{count(cost['dayNight'], 'day/night switch', 'day/night switches')} inside days",
                f"Every cast member kept off their unavailable dates; days of at most {board['pagesPerDay']:g} pages"]
    return {"scheduling_strategy": "Exact search (A* over shooting days) minimising the cast's paid days, company "
                                   "moves and day/night switches; nothing is sent to a remote model",
            "total_shooting_days": len(daily), "daily_schedules": daily, "actor_schedules": actor_schedules,
            "location_schedule": location_schedule, "optimization_benefits": benefits, "potential_risks": risks}


# -- preview, analysis, sort ---------------------------------------------------------------------------
def _in_board_order(board):
    return [(day["day"], strip) for day in board["days"] for strip in day["strips"]] + \
           [(None, strip) for strip in board["boneyard"]]


def preview():
    """The first five scenes of the stored board in shooting order (the boneyard after the days)."""
    scenes = scene_service.scenes()
    board = schedule.build(scenes=scenes)
    by_id = {scene["id"]: scene for scene in scenes}
    ordered = _in_board_order(board)
    shown = [{"scene_number": s["scene_number"], "scene_title": s["title"], "location": s["location"],
              "time_of_day": s["day_night"], "estimated_duration": _minutes_of(s["page_eighths"], board["pagesPerDay"]),
              "actor_count": len(s["castIds"]), "extras_count": len(by_id[s["sceneId"]].get("extras") or []), "day": day}
             for day, s in ordered[:5]]
    return {"status": "success", "total_scenes_available": len(ordered), "preview_count": len(shown),
            "preview_scenes": shown}


def analysis():
    """The script's scenes counted as the frontend's analysis panel shows them."""
    scenes = sorted(scene_service.scenes(), key=lambda s: s.get("scene_number", 0))
    times = {"DAY": 0, "DUSK": 0, "NIGHT": 0}
    locations, actors = Counter(), Counter()
    for scene in scenes:
        times[TIME_BUCKETS.get(scene.get("day_night", "DAY"), "DAY")] += 1
        locations[scene.get("location") or ""] += 1
        spelled = {}
        for name in scene.get("characters") or ():
            spelled.setdefault(key(name), name)
        actors.update(spelled.values())
    changes = sum((a.get("location") or "").casefold() != (b.get("location") or "").casefold()
                  for a, b in zip(scenes, scenes[1:]))
    grouped = max(0, len(locations) - 1)
    clusters = sum(1 for n in locations.values() if n > 1)
    return {"status": "success", "data_source": "script",
            "analysis": {"total_scenes": len(scenes), "unique_locations": len(locations),
                         "location_clusters_identified": clusters, "time_distribution": times,
                         "busiest_actors": dict(actors.most_common(5)), "locations_breakdown": dict(locations),
                         "optimization_potential": {"can_group_locations": changes > grouped,
                                                    "location_savings": max(0, changes - grouped)},
                         "data_source": "script"}}


def sort(body, search_cap=None):
    """The legacy sort: the proposal's order of the scenes (nothing stored)."""
    fields = validate(body, propose.SCHEMA, partial=True)
    found = propose.plan(fields, search_cap)
    by_id = {scene["id"]: scene for scene in scene_service.scenes()}
    names = {row["castId"]: row["character"] for row in found["board"]["dood"]}
    rows = [{"scene_number": s["scene_number"], "scene_title": s["title"], "location": s["location"],
             "time_of_day": s["day_night"], "actors": [names[c] for c in s["castIds"]],
             "extras": list(by_id.get(s["sceneId"], {}).get("extras") or []), "day": day["day"]}
            for day in found["board"]["days"] for s in day["strips"]]
    return {"status": "success", "total_scenes": len(rows), "sorted_scenes": rows,
            "proposal": {name: found[name] for name in ("cost", "optimal", "lowerBound", "seconds")}}
