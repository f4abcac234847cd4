"""The Day-Out-of-Days (SPEC §3 Schedule): each cast member's code for every shooting day, and what it costs.

Pure functions over a built board, so the stripboard's totals, the call sheets and a proposed
schedule all price a board the same way.

Codes: SW first work day, W work, WF last work day, SWF the only one; H a shooting day between two
work days without work (held and paid). The first gap between two work days that spans more than
``dropDays`` calendar days (shooting days when there are no dates) and holds at least one shooting
day is a drop: the work day before it becomes WD (SWD if it was the start), the gap's days are ""
(unpaid), the work day after it PW (PWF if it is also the last). Later long gaps are held.
"""
import csv
import datetime
import io

from services.forecast import amount, money

START, WORK, FINISH, ONLY, HOLD = "SW", "W", "WF", "SWF", "H"
DROP_BEFORE = {START: "SWD", WORK: "WD"}
PICK_UP = {WORK: "PW", FINISH: "PWF"}


def rows(days, cast, drop_days):
    """One row per cast member (in cast order) for ``days``: [{day, date, strips: [{castIds}]}]."""
    working = {}
    for index, day in enumerate(days):
        for strip in day["strips"]:
            for cast_id in strip["castIds"]:
                working.setdefault(cast_id, [])
                if not working[cast_id] or working[cast_id][-1] != index:
                    working[cast_id].append(index)
    return [_row(member, working.get(member["castId"], []), days, drop_days) for member in cast]


def total(dood_rows):
    return money(sum((amount(row["cost"]) for row in dood_rows), amount(0)))


def _row(member, work, days, drop_days):
    codes = [""] * len(days)
    dropped = []
    for position, index in enumerate(work):
        codes[index] = START if position == 0 else FINISH if position == len(work) - 1 else WORK
    if len(work) == 1:
        codes[work[0]] = ONLY
    for before, after in zip(work, work[1:]):
        between = range(before + 1, after)
        if not between:
            continue
        if not dropped and _gap(days, before, after) > drop_days:
            dropped = list(between)
            codes[before] = DROP_BEFORE[codes[before]]
            codes[after] = PICK_UP[codes[after]]
        else:
            for index in between:
                codes[index] = HOLD
    hold = codes.count(HOLD)
    paid = len(work) + hold
    first, last = (days[work[0]], days[work[-1]]) if work else (None, None)
    return {
        "castId": member["castId"], "character": member["character"], "actor": member["actor"], "days": codes,
        "start": _when(first), "finish": _when(last), "work": len(work), "hold": hold, "drop": len(dropped),
        "paidDays": paid, "cost": money(amount(member["dailyRate"]) * paid),
    }


def _gap(days, before, after):
    """Calendar days strictly between two work days; shooting days between them without dates."""
    first, second = days[before]["date"], days[after]["date"]
    if first is None or second is None:
        return after - before - 1
    return (datetime.date.fromisoformat(second) - datetime.date.fromisoformat(first)).days - 1


def _when(day):
    return None if day is None else {"day": day["day"], "date": day["date"]}


def to_csv(dood_rows, days):
    """A grid a spreadsheet opens: a row per cast member, a column per shooting day ("Day 3 2026-12-09")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    heads = [f"Day {day['day']}" + (f" {day['date']}" if day["date"] else "") for day in days]
    writer.writerow(["castId", "character", "actor", *heads, "start", "finish", "work", "hold", "drop",
                     "paidDays", "cost"])
    for row in dood_rows:
        writer.writerow([row["castId"], _cell(row["character"]), _cell(row["actor"]), *row["days"],
                         (row["start"] or {}).get("day", ""), (row["finish"] or {}).get("day", ""), row["work"],
                         row["hold"], row["drop"], row["paidDays"], f"{amount(row['cost']):.2f}"])
    return out.getvalue()


def _cell(value):
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is written with a leading quote."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
