"""Release windows (SPEC §3 Distribution): avails by territory, licence type and dates.

A window is stored with ``cancelled`` (a flag) instead of a status: its ``status`` is derived on
every read from today's UTC date, so it never goes stale. Marketing deadlines live inside their
window, each with an id ``<windowId>-<n>`` that is never reused (``deadlineSeq`` counts them).
The deliverables of a window are their own collection (``services.deliverables``); the windows
as clients see them, deliverables included, are put together in ``services.distribution``.
"""
from services.territories import Territory, covers
from utils.errors import Conflict, NotFound, ValidationError
from utils.listing import ListSpec
from utils.store import get_store
from utils.validation import Boolean, Date, Enum, Field, FieldError, Number, ObjectList, QueryDate, String, validate_query

RELEASES = "releases"
LICENSE_TYPES = ("Theatrical", "EST", "TVOD", "SVOD", "AVOD", "FreeTV", "PayTV", "Airline", "Educational")
STATUSES = ("scheduled", "active", "completed", "cancelled")
MAX_MONEY = 10**12  # as the budget's amounts
FOREVER = "9999-12-31"  # an open-ended window runs forever

# A licence type read from the platform when none is sent (the frontend's form has only a platform):
# the type's own name, however it is spelled, or a service that only sells subscriptions.
PLATFORM_LICENSES = {
    **{name.lower(): name for name in LICENSE_TYPES},
    "free tv": "FreeTV", "pay tv": "PayTV", "cinema": "Theatrical", "netflix": "SVOD", "disney+": "SVOD",
    "hulu": "SVOD", "apple tv+": "SVOD", "paramount+": "SVOD", "peacock": "SVOD",
}

DEADLINE_SCHEMA = {
    "name": String(min_len=1, max_len=200, required=True),
    "date": Date(required=True),
    "completed": Boolean(default=False),
    "responsible": String(max_len=200, default=""),
}
SCHEMA = {
    "name": String(min_len=1, max_len=200, required=True),
    "territory": Territory(required=True),
    "platform": String(max_len=100, default=""),
    "licenseType": Enum(LICENSE_TYPES),  # absent: read from the platform, else a 400
    "startDate": Date(required=True),
    "endDate": Date(nullable=True, default=None),
    "exclusivity": Boolean(default=False),
    "status": Enum(STATUSES, default="scheduled"),  # only "cancelled" is kept: the rest follows the dates
    "price": Number(minimum=0, maximum=MAX_MONEY, decimals=2, nullable=True, default=None),
    "currency": String(pattern=r"[A-Z]{3}", hint="must be 3 capital letters, e.g. USD", nullable=True, default=None),
    "notes": String(max_len=5000, default=""),
    "marketingDeadlines": ObjectList(DEADLINE_SCHEMA, default=list),
}


class StoredDeadlines(Field):
    """check-data: the deadlines as stored, each with its id."""

    ITEMS = ObjectList(DEADLINE_SCHEMA)

    def check(self, value):
        items = self.ITEMS.check(value)
        if any(item["id"] is None for item in items):
            raise FieldError("every deadline needs an id")
        return items


STORED_SCHEMA = {
    **{name: field for name, field in SCHEMA.items() if name not in ("status", "marketingDeadlines")},
    "licenseType": Enum(LICENSE_TYPES, required=True),
    "cancelled": Boolean(required=True),
    "marketingDeadlines": StoredDeadlines(required=True),
    "deadlineSeq": Number(minimum=0, integer=True, required=True),
    "createdBy": String(min_len=1),
}

LISTING = ListSpec(
    enums={"status": STATUSES, "licenseType": LICENSE_TYPES},
    exact=("territory",),
    exact_ci=("platform",),
    text=("name", "platform", "territory", "notes"),
    sortable=("id", "name", "territory", "platform", "licenseType", "startDate", "endDate", "status",
              "price", "createdAt", "updatedAt"),
    order=("startDate",),
)
OVERLAP_QUERY = {"from": QueryDate(), "to": QueryDate()}  # windows running on any day of [from, to]


def all_windows():
    return list(get_store().scan(RELEASES))


def get(window_id):
    window = get_store().get(RELEASES, window_id)
    if window is None:
        raise NotFound(f"Release window {window_id} not found")
    return window


def exists(window_id):
    return get_store().has(RELEASES, window_id)


def status_of(window, today):
    """``cancelled`` when cancelled; else ``scheduled`` before its start, ``completed`` after its end,
    ``active`` from its start to its end, both days included (an open-ended window never ends)."""
    if window.get("cancelled"):
        return "cancelled"
    if today < window["startDate"]:
        return "scheduled"
    if today > (window.get("endDate") or FOREVER):
        return "completed"
    return "active"


def in_range(windows, args):
    """The windows that run on at least one day of ``from``..``to`` (both inclusive, either optional)."""
    bounds = validate_query(args, OVERLAP_QUERY)
    low, high = bounds.get("from", ""), bounds.get("to", FOREVER)
    return [w for w in windows if w["startDate"] <= high and (w.get("endDate") or FOREVER) >= low]


# -- writes: fields to store --------------------------------------------------------------------
def to_store(fields):
    """Input fields as stored: ``status`` becomes the ``cancelled`` flag; on create a missing
    licence type is read from the platform."""
    stored = {name: value for name, value in fields.items() if name != "status"}
    if "status" in fields:
        stored["cancelled"] = fields["status"] == "cancelled"
    return stored


def infer_license(fields, body):
    """A create without ``licenseType``: the platform's, or a 400 naming licenseType."""
    if "licenseType" in body:
        return fields
    guessed = PLATFORM_LICENSES.get(fields.get("platform", "").strip().lower())
    if guessed is None:
        raise ValidationError({"licenseType": "is required (one of: " + ", ".join(LICENSE_TYPES) + "); the platform "
                                              f"{fields.get('platform', '')!r} does not say which"})
    return {**fields, "licenseType": guessed}


def settle(collection, window, changes):
    """Under the lock, before ``changes`` are applied to ``window`` (``{}`` for a new one): dates in
    order, a price with its currency, deadline ids, and no exclusive overlap."""
    merged = {**window, **changes}
    start, end = merged["startDate"], merged.get("endDate")
    if end is not None and end < start:
        field = "endDate" if "endDate" in changes else "startDate"
        raise ValidationError({field: f"the window cannot end ({end}) before it starts ({start})"})
    if merged.get("price") is not None and not merged.get("currency"):
        raise ValidationError({"currency": "is required with a price (3 capital letters, e.g. USD)"})
    if "marketingDeadlines" in changes:
        changes["marketingDeadlines"], changes["deadlineSeq"] = _number_deadlines(
            window, changes["marketingDeadlines"], merged["id"])
    check_overlaps(collection.scan(), {**merged, **changes})


def _number_deadlines(window, deadlines, window_id):
    """Deadlines sent with the id of one of this window's keep it; any other gets the next id."""
    known = {deadline["id"] for deadline in window.get("marketingDeadlines", [])}
    seq = window.get("deadlineSeq", 0)
    numbered = []
    for deadline in deadlines:
        deadline_id = deadline["id"]
        if deadline_id not in known or deadline_id in {d["id"] for d in numbered}:
            seq += 1
            deadline_id = f"{window_id}-{seq}"
        numbered.append({**deadline, "id": deadline_id})
    return numbered, seq


def check_overlaps(windows, candidate):
    """409 naming the other window when ``candidate`` and another window of the same licence type
    meet in territory (``WW`` covers all) and in dates (both ends inclusive; open-ended runs
    forever), and either is exclusive. Cancelled windows never conflict."""
    for other in windows:
        if other["id"] != candidate["id"] and conflict(candidate, other):
            until = other.get("endDate") or "open-ended"
            raise Conflict(
                f"Overlaps exclusive rights: release window {other['id']} \"{other['name']}\" ({other['licenseType']}, "
                f"{other['territory']}, {other['startDate']} to {until}"
                f"{', exclusive' if other['exclusivity'] else ''})",
                errors={"conflictsWith": other["id"]})


def conflict(one, other):
    if one.get("cancelled") or other.get("cancelled"):
        return False
    return (one["licenseType"] == other["licenseType"] and covers(one["territory"], other["territory"])
            and (one["exclusivity"] or other["exclusivity"])
            and one["startDate"] <= (other.get("endDate") or FOREVER)
            and other["startDate"] <= (one.get("endDate") or FOREVER))



def phrase(change):
    """The activity log's words for cancelling a window and lifting the cancellation."""
    if change.action == "update" and "cancelled" in change.changes:
        return f"{'cancelled' if change.changes['cancelled']['to'] else 'reinstated'} {change.subject}"
    return None
