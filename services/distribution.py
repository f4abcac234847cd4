"""Release windows as clients see them (with their deliverables), the frontend's window body, the
distribution calendar and the analytics block: where ``releases`` and ``deliverables`` meet.

The original frontend's ``ReleaseWindow`` carries its deliverables inside it; deliverables sent in a
window's body are created as deliverables of that window. An item echoed back with the id of one of
the window's deliverables must come back unchanged (a deliverable changes with its own
``PUT /api/deliverables/{id}``, where the approval rules live); a deliverable left out of the list is
not deleted.
"""
from services import deliverables, releases
from services.records import Records
from utils import clock
from utils.errors import ValidationError
from utils.listing import ListSpec, query
from utils.validation import SERVER_OWNED, validate, validate_query

WINDOW_INPUT = {**releases.SCHEMA, "deliverables": deliverables.IN_WINDOW}
CALENDAR_TYPES = ("release", "marketing", "deliverable")
CALENDAR_LISTING = ListSpec(
    enums={"type": CALENDAR_TYPES},
    exact=("releaseId",),
    text=("title",),
    order=("date", "type", "title"),  # by date; on one date releases, marketing, deliverables, each by title
)
DEPENDS = (releases.RELEASES, deliverables.DELIVERABLES)


def present(window, today=None, listed=None):
    """The window as clients see it: ``status`` derived from today, and its deliverables."""
    today = today or clock.today()
    listed = deliverables.of_window(window["id"]) if listed is None else listed
    return {
        "id": window["id"], "name": window["name"], "territory": window["territory"], "platform": window["platform"],
        "licenseType": window["licenseType"], "startDate": window["startDate"], "endDate": window.get("endDate"),
        "exclusivity": window["exclusivity"], "status": releases.status_of(window, today),
        "price": window.get("price"), "currency": window.get("currency"), "notes": window["notes"],
        "marketingDeadlines": window["marketingDeadlines"],
        "deliverables": [deliverables.present(d, today) for d in listed],
        "createdAt": window["createdAt"], "updatedAt": window["updatedAt"], "createdBy": window["createdBy"],
    }


records = Records(releases.RELEASES, "Release window", present, entity="release")


def list_windows(args):
    """Filters ``status`` (derived), ``territory`` (exact code), ``platform`` (ignoring case),
    ``licenseType``, ``from``/``to`` (windows running on any day between), ``q``."""
    today = clock.today()
    by_window = {}
    for deliverable in deliverables.all_deliverables():
        by_window.setdefault(deliverable.get("releaseId"), []).append(deliverable)
    windows = releases.in_range(releases.all_windows(), args)
    return query([present(w, today, by_window.get(w["id"], [])) for w in windows], args, releases.LISTING)


def get_window(window_id):
    return present(records.get(window_id))


def create_window(body, actor):
    fields = validate(body, WINDOW_INPUT, ignored=SERVER_OWNED)
    new_items = _new_items(fields.pop("deliverables"), {})
    stored = {**releases.to_store(releases.infer_license(fields, body)), "deadlineSeq": 0}

    def check(collection, fields):
        # The id the insert is about to give: deadline ids are made from it.
        releases.settle(collection, {"id": collection.next_id()}, fields)

    window = records.create(stored, actor, check=check)
    _insert(new_items, window["id"], actor)
    return get_window(window["id"])


def update_window(window_id, body, actor, if_match=None):
    changes = validate(body, WINDOW_INPUT, partial=True, ignored=SERVER_OWNED)
    items = changes.pop("deliverables", None)
    new_items = [] if items is None else _new_items(items, {d["id"]: d for d in deliverables.of_window(window_id)})
    changes = releases.to_store(changes)
    records.update(window_id, changes, if_match, lambda collection, window, changes: releases.settle(
        collection, window, changes))
    _insert(new_items, window_id, actor)
    return get_window(window_id)


def delete_window(window_id, if_match=None):
    """The window goes; its deliverables stay, pointing at no release."""
    deleted = present(records.delete(window_id, if_match), listed=[])
    deliverables.unlink_window(window_id)
    return deleted


def _new_items(items, current):
    """The deliverables to create from a window's list; echoes of ``current`` ones must be unchanged."""
    created, errors = [], {}
    for index, item in enumerate(items):
        where = f"deliverables[{index}]."
        item_id = item.pop("id")
        if item_id in current:
            errors.update({where + name: f"differs from deliverable {item_id}: change it with PUT "
                                         f"/api/deliverables/{item_id}"
                           for name, value in item.items() if current[item_id].get(name) != value})
            continue
        try:
            fields = validate(item, deliverables.IN_WINDOW_SCHEMA, ignored=deliverables.IN_WINDOW_IGNORED)
            deliverables.check_new(fields, where)
        except ValidationError as exc:
            errors.update({(name if name.startswith(where) else where + name): problem
                           for name, problem in exc.errors.items()})
            continue
        created.append(fields)
    if errors:
        raise ValidationError(errors)
    return created


def _insert(items, window_id, actor):
    if items:
        deliverables.insert_many([{"releaseId": window_id, **fields} for fields in items], actor)


# -- the calendar ---------------------------------------------------------------------------------
def calendar(args):
    """Release starts and ends, marketing deadlines and deliverable due dates, by date, within
    ``from``..``to`` (both inclusive). A cancelled window, and what belongs to it, is not on it."""
    bounds = validate_query(args, releases.OVERLAP_QUERY)
    windows = [w for w in releases.all_windows() if not w.get("cancelled")]
    entries = []
    for w in windows:
        entries.append(_entry(f"release-{w['id']}", w["startDate"], "release", f"{w['name']} starts", w["id"], w["id"]))
        if w.get("endDate"):
            entries.append(_entry(f"release-{w['id']}-end", w["endDate"], "release", f"{w['name']} ends", w["id"],
                                  w["id"]))
        entries += [_entry(f"marketing-{m['id']}", m["date"], "marketing", m["name"], m["id"], w["id"])
                    for m in w["marketingDeadlines"]]
    live = {w["id"] for w in windows}
    entries += [_entry(f"deliverable-{d['id']}", d["dueDate"], "deliverable", f"Due: {d['name']}", d["id"],
                       d.get("releaseId"))
                for d in deliverables.all_deliverables()
                if d.get("dueDate") and (d.get("releaseId") is None or d["releaseId"] in live)]
    low, high = bounds.get("from", ""), bounds.get("to", releases.FOREVER)
    return query([e for e in entries if low <= e["date"] <= high], args, CALENDAR_LISTING)


def _entry(entry_id, date, kind, title, related_id, release_id):
    return {"id": entry_id, "date": date, "type": kind, "title": title, "relatedId": related_id,
            "releaseId": release_id}


# -- analytics --------------------------------------------------------------------------------------
def summary(as_of):
    """``{releases, byStatus, deliverables, overdueDeliverables}`` as of a date."""
    windows, listed = releases.all_windows(), deliverables.all_deliverables()
    by_status = dict.fromkeys(releases.STATUSES, 0)
    for window in windows:
        by_status[releases.status_of(window, as_of)] += 1
    overdue = sum(1 for d in listed if deliverables.present(d, as_of)["overdue"])
    return {"releases": len(windows), "byStatus": by_status, "deliverables": len(listed), "overdueDeliverables": overdue}
