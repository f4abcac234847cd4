"""Reading the activity log (SPEC §3 Activity): newest first, always paged, with filters.

The log is read backwards from its end, so the newest page and polling with ``after`` cost what
they return. Filters read back only as far as they must: ``after`` stops at that event and
``from`` at the first older day (``at`` never goes backwards); the other filters count every match
for ``X-Total-Count``.
"""
import itertools

from utils import activity
from utils.errors import ValidationError
from utils.eventlog import parse_id
from utils.listing import Page, paging
from utils.validation import FieldError, parse_date

EXACT = ("entityId", "actorId")


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
    filters, errors = {}, {}
    for name, allowed in (("entity", activity.ENTITIES), ("action", activity.ACTIONS)):
        if name in args:
            if args[name] in allowed:
                filters[name] = args[name]
            else:
                errors[name] = "must be one of: " + ", ".join(allowed)
    filters.update({name: args[name] for name in EXACT if name in args})
    for name in ("from", "to"):
        if name in args:
            try:
                filters[name] = parse_date(args[name])
            except FieldError as exc:
                errors[name] = str(exc)
    if "after" in args:
        after = parse_id(args["after"])
        last = activity.event_log().last()
        if after is None or last is None or after > int(last["id"]):
            errors["after"] = "must be the id of an event in the log"
        else:
            filters["after"] = after
    if errors:
        raise ValidationError(errors, message="Invalid query parameters")
    return filters
