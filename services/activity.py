"""Reading the activity log (SPEC §3 Activity): newest first, always paged, with filters.

The log is read backwards from its end, so the newest page and polling with ``after`` cost what
they return. Filters read back only as far as they must: ``after`` stops at that event and
``from`` at the first older day (``at`` never goes backwards); the other filters count every match
for ``X-Total-Count``.
"""
import itertools

from utils import activity, domains
from utils.errors import ValidationError
from utils.eventlog import parse_id
from utils.listing import Page, paging
from utils.validation import Enum, QueryDate, String, validate_query

EXACT = ("entityId", "actorId")
FILTERS = {  # the filters beside `entity` (whose values the domains declare); page and per_page are the list conventions
    "action": Enum(activity.ACTIONS),
    **{name: String(strip=False, max_len=100) for name in EXACT},  # an id or a category name: short
    "from": QueryDate(), "to": QueryDate(),  # UTC dates of `at`, inclusive
    # Event ids are decimal counters: a bound on the length keeps int() away from a 10,000-digit string.
    "after": String(strip=False, max_len=20, pattern=r"[0-9]+", hint="must be the id of an event in the log"),
}


def query():
    """The filters a client may send: ``entity`` takes the entities of the registered domains."""
    return {"entity": Enum(domains.entities()), **FILTERS}


def list_events(args):
    filters = _filters(args)
    number, per_page = paging(args)
    start = (number - 1) * per_page
    log = activity.event_log()
    if filters:
        items, total = _scan(log.newest_first(), filters, start, per_page)
    else:
        last = log.last()
        total = int(last["id"]) if last else 0  # ids are dense from 1: the last id is the count
        items = list(itertools.islice(log.newest_first(), start, start + per_page))
    return Page(items, total, {"page": number, "per_page": per_page, "total": total})


def _scan(events, filters, start, per_page):
    items, total = [], 0
    for event in events:
        if _past_the_window(event, filters):
            break
        if _matches(event, filters):
            if start <= total < start + per_page:
                items.append(event)
            total += 1
    return items, total


def _past_the_window(event, filters):
    return ("after" in filters and int(event["id"]) <= filters["after"]) or (
        "from" in filters and event["at"][:10] < filters["from"])


def _matches(event, filters):
    if "to" in filters and event["at"][:10] > filters["to"]:
        return False
    return all(event.get(name) == filters[name] for name in ("entity", "action", *EXACT) if name in filters)


def _filters(args):
    """The filters asked for, checked; a bad value is a 400 naming the parameter."""
    filters = validate_query(args, query())
    if "after" in filters:
        after = parse_id(filters["after"])
        last = activity.event_log().last()
        if after is None or last is None or after > int(last["id"]):
            raise ValidationError({"after": "must be the id of an event in the log"},
                                  message="Invalid query parameters")
        filters["after"] = after
    return filters


def check_data():
    """For check-data: lines of the log that do not parse (a torn last line is cut at startup)."""
    log = activity.event_log()
    return [f"{log.filename} line {number}: {problem}" for number, problem in log.damaged_lines()]
