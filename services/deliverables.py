"""Deliverables (SPEC §3 Distribution): what a distributor must receive, each with its approval trail.

A deliverable moves ``not_submitted → pending → approved | rejected`` and ``rejected → pending``
with a ``PUT`` carrying ``approvalStatus`` (and an optional ``note``); every move is kept in its
``history``. Submitting needs an uploaded asset, and while a deliverable in ``pending`` or
``approved`` points at an asset, that asset cannot be deleted: this module registers the guard
with the assets service (``assets.on_delete``), so assets never imports distribution.
"""
import datetime

from services import assets, integrity, releases
from services.records import Records
from utils import activity, clock
from utils.errors import Conflict, ValidationError
from utils.listing import ListSpec, query
from utils.store import get_store
from utils.validation import (SERVER_OWNED, Date, Enum, Field, ObjectList, QueryDate, Reference, String, validate,
                              validate_query)

DELIVERABLES = "deliverables"
KINDS = ("video", "audio", "subtitles", "artwork", "metadata", "legal", "other")
APPROVAL_STATUSES = ("not_submitted", "pending", "approved", "rejected")
MOVES = {"not_submitted": ("pending",), "pending": ("approved", "rejected"), "rejected": ("pending",), "approved": ()}
IN_REVIEW = ("pending", "approved")  # the asset of such a deliverable is fixed and cannot be deleted

SCHEMA = {
    "name": String(min_len=1, max_len=200, required=True),
    "kind": Enum(KINDS, default="other"),
    "spec": String(max_len=2000, default=""),
    "releaseId": Reference(),
    "dueDate": Date(nullable=True, default=None),
    "assetId": Reference(),
    "approvalStatus": Enum(APPROVAL_STATUSES, default="not_submitted"),
    "notes": String(max_len=5000, default=""),
}
UPDATE_SCHEMA = {**SCHEMA, "note": String(max_len=1000)}  # the note of a move, kept in history
DERIVED = frozenset({"submitted", "overdue", "history"})  # echoed back by a client: ignored
IGNORED = SERVER_OWNED | DERIVED
# What the frontend sends inside a window (`{id, name, dueDate, submitted, approvalStatus}`): the
# window is the release, so an echoed releaseId is ignored too.
IN_WINDOW_SCHEMA = {name: f for name, f in SCHEMA.items() if name != "releaseId"}
IN_WINDOW_IGNORED = IGNORED | {"releaseId"}
IN_WINDOW = ObjectList(IN_WINDOW_SCHEMA, ignored=IN_WINDOW_IGNORED, partial=True, default=list)


class History(Field):
    """check-data: the moves as stored."""

    MOVE = ObjectList({"at": String(min_len=1, required=True), "by": String(min_len=1, required=True),
                       "from": Enum(APPROVAL_STATUSES, required=True), "to": Enum(APPROVAL_STATUSES, required=True),
                       "note": String(max_len=1000, nullable=True, required=True)})

    def check(self, value):
        return self.MOVE.check(value)

    def json_schema(self):
        return self.MOVE.json_schema()


STORED_SCHEMA = {**SCHEMA, "history": History(required=True), "createdBy": String(min_len=1)}

LISTING = ListSpec(
    enums={"approvalStatus": APPROVAL_STATUSES, "kind": KINDS},
    exact=("releaseId", "assetId"),
    text=("name", "spec", "notes"),
    sortable=("id", "name", "kind", "releaseId", "dueDate", "approvalStatus", "createdAt", "updatedAt"),
    order=("dueDate",),
)
QUERY = {
    "status": Enum(APPROVAL_STATUSES),  # the approval status, as SPEC names the filter
    "due": QueryDate(),  # due strictly before this date
    "overdue": Enum(("true", "false")),
}
CHECKLIST_SCHEMA = {"releaseId": Reference(), "template": Enum(("feature",), required=True)}

# The usual feature delivery schedule: (name, kind, spec, days before the window's start it is due).
FEATURE_CHECKLIST = (
    ("Picture master", "video", "DCP (SMPTE, 2K or 4K) for theatre; ProRes 4444 XQ UHD master for other windows", 60),
    ("Stereo mix", "audio", "2.0 printmaster, 48 kHz / 24-bit WAV, -24 LKFS", 60),
    ("5.1 mix", "audio", "5.1 printmaster, 48 kHz / 24-bit WAV, discrete channels", 60),
    ("M&E", "audio", "Music and effects tracks, 5.1 and 2.0, fully filled, no dialogue", 45),
    ("Dialogue list", "metadata", "Dialogue and continuity list with timecodes", 45),
    ("Subtitles", "subtitles", "Timed subtitles per contracted language (SRT or IMSC)", 30),
    ("Closed captions", "subtitles", "SDH / closed captions (SCC or IMSC), English", 30),
    ("Trailer", "video", "Theatrical trailer, ProRes 422 HQ with 5.1 and 2.0", 90),
    ("Key art", "artwork", "Layered key art (PSD) and a 27x40 in one-sheet", 90),
    ("Stills", "artwork", "At least 30 approved production stills, 300 dpi, captioned", 90),
    ("Music cue sheet", "legal", "Every cue with composer, publisher, timing and usage", 45),
    ("E&O certificate", "legal", "Errors and omissions insurance certificate naming the distributor", 30),
    ("Chain of title", "legal", "Rights documents from the underlying work to the production", 90),
)


def present(deliverable, today=None):
    """As clients see it: ``submitted`` (not not_submitted) and ``overdue`` (not approved, due before today)."""
    today = today or clock.today()
    due, status = deliverable.get("dueDate"), deliverable.get("approvalStatus")
    shown = {name: deliverable.get(name) for name in ("id", *SCHEMA)}
    return {**shown, "submitted": status != "not_submitted", "overdue": bool(due and due < today and status != "approved"),
            **{name: deliverable.get(name) for name in ("history", "createdAt", "updatedAt", "createdBy")}}


records = Records(DELIVERABLES, "Deliverable", present, entity="deliverable")
DEPENDS = (DELIVERABLES, releases.RELEASES)


def all_deliverables():
    return records.all()


def of_window(window_id):
    return [d for d in records.all() if d.get("releaseId") == window_id]


def list_deliverables(args):
    """Filters ``releaseId``, ``status`` (the approval status), ``due`` (before a date), ``overdue``,
    ``kind``, ``q``; sorted by due date unless asked."""
    filters = validate_query(args, QUERY)
    today = clock.today()
    found = [present(d, today) for d in records.all()]
    if "status" in filters:
        found = [d for d in found if d["approvalStatus"] == filters["status"]]
    if "due" in filters:
        found = [d for d in found if d.get("dueDate") and d["dueDate"] < filters["due"]]
    if "overdue" in filters:
        found = [d for d in found if d["overdue"] == (filters["overdue"] == "true")]
    return query(found, args, LISTING)


def get_deliverable(deliverable_id):
    return present(records.get(deliverable_id))


def create_deliverable(body, actor):
    fields = validate(body, SCHEMA, ignored=IGNORED)
    check_new(fields)
    return present(records.create({**fields, "history": []}, actor))


def check_new(fields, where=""):
    """A new deliverable starts not submitted; its release and asset exist."""
    if fields.get("approvalStatus", "not_submitted") != "not_submitted":
        raise ValidationError({f"{where}approvalStatus": "a new deliverable starts not_submitted: submit it "
                                                        "with PUT /api/deliverables/{id} {\"approvalStatus\": \"pending\"}"})
    _check_references(fields, where)


def update_deliverable(deliverable_id, body, actor, if_match=None):
    """A partial update; ``approvalStatus`` different from the current one is a move of the state
    machine (409 listing the allowed moves otherwise), kept in ``history`` with ``note``."""
    changes = validate(body, UPDATE_SCHEMA, partial=True, ignored=IGNORED)
    note = changes.pop("note", None)

    def check(_collection, deliverable, changes):
        _check_references(changes)
        current = deliverable["approvalStatus"]
        target = changes.get("approvalStatus", current)
        if target == current:
            if note is not None:
                raise ValidationError({"note": "goes with a move: send it with a new approvalStatus"})
        elif target not in MOVES[current]:
            allowed = ", ".join(f"{current} → {move}" for move in MOVES[current]) or "none (approved is final)"
            raise Conflict(f"Deliverable {deliverable['id']} cannot move from {current} to {target}; allowed: {allowed}",
                           errors={"approvalStatus": f"from {current} the allowed moves are: "
                                                     f"{', '.join(MOVES[current]) or 'none'}"})
        asset_id = changes.get("assetId", deliverable.get("assetId"))
        if asset_id != deliverable.get("assetId") and current in IN_REVIEW:
            raise Conflict(f"The asset of a {current} deliverable is fixed: reject it, then resubmit with the new asset",
                           errors={"assetId": f"cannot change while the deliverable is {current}"})
        if target == "pending" and target != current:
            if asset_id is None:
                raise ValidationError({"assetId": "is required to submit: upload the file as an asset and send its id"})
            if not assets.exists(asset_id):
                raise ValidationError({"assetId": f"no asset with id {asset_id}"})
        if target != current:
            move = {"at": clock.timestamp(), "by": actor["id"], "from": current, "to": target, "note": note}
            changes["history"] = [*deliverable["history"], move]

    # Held over the whole write, so an asset cannot be deleted between the check that it exists
    # and the deliverable pointing at it (a delete takes this lock, then reads the deliverables).
    if "approvalStatus" in changes or "assetId" in changes:
        with get_store().lock(assets.records.name):
            return present(records.update(deliverable_id, changes, if_match, check))
    return present(records.update(deliverable_id, changes, if_match, check))


def delete_deliverable(deliverable_id, if_match=None):
    return present(records.delete(deliverable_id, if_match))


def insert_many(items, actor):
    """Side effect of another write (a window sent with deliverables, a checklist): one write, no event."""
    now = clock.timestamp()
    with get_store().transaction(DELIVERABLES) as transaction:
        collection = transaction.records(DELIVERABLES)
        created = [collection.insert({**fields, "history": [], "createdAt": now, "updatedAt": now,
                                              "createdBy": actor["id"]}) for fields in items]
    return created


def create_checklist(body, actor):
    """The feature delivery list, due the given days before the window's start (undated without a window)."""
    fields = validate(body, CHECKLIST_SCHEMA)
    release_id = fields.get("releaseId")
    window = _window(release_id) if release_id is not None else None
    start = datetime.date.fromisoformat(window["startDate"]) if window else None
    items = [{"name": name, "kind": kind, "spec": spec, "releaseId": release_id,
              "dueDate": (start - datetime.timedelta(days=days)).isoformat() if start else None,
              "assetId": None, "approvalStatus": "not_submitted", "notes": ""}
             for name, kind, spec, days in FEATURE_CHECKLIST]
    created = insert_many(items, actor)
    where = f" for release window {release_id} \"{window['name']}\"" if window else ""
    activity.record("create", "deliverable", None, after={"deliverables": [d["id"] for d in created]},
                    summary=f"created the feature checklist{where}: {len(created)} deliverables "
                            f"({created[0]['id']} to {created[-1]['id']})")
    return [present(d) for d in created]


def unlink_window(window_id):
    """A deleted window's deliverables stay, with no release (a side effect of the delete)."""
    if of_window(window_id):
        _clear("releaseId", window_id)


# -- the asset guard ---------------------------------------------------------------------------
def refuse_asset_delete(asset_id):
    """An asset under review or approved as a deliverable stays: 409 naming the deliverable."""
    held = next((d for d in records.all() if d.get("assetId") == asset_id and d["approvalStatus"] in IN_REVIEW), None)
    if held is not None:
        raise Conflict(f"Asset {asset_id} is the file of deliverable {held['id']} \"{held['name']}\", which is "
                       f"{held['approvalStatus']}: it cannot be deleted", errors={"deliverableId": held["id"]})


def forget_asset(asset_id):
    """Deliverables not (or no longer) under review drop a deleted asset (a side effect of the delete)."""
    if any(d.get("assetId") == asset_id for d in records.all()):
        _clear("assetId", asset_id)


def _clear(field, value):
    """Set ``field`` to null on every deliverable that holds ``value`` in it."""
    with get_store().transaction(DELIVERABLES) as transaction:
        for deliverable in transaction.records(DELIVERABLES).scan():
            if deliverable.get(field) == value:
                deliverable.update({field: None}, updatedAt=clock.timestamp())


def watch_assets(_app):
    """The domain's hook on assets: one a deliverable is made of is kept, or let go of (services/assets)."""
    assets.on_delete(guard=refuse_asset_delete, forget=forget_asset)


# -- checks ------------------------------------------------------------------------------------
def _window(release_id, where=""):
    if not releases.exists(release_id):
        raise ValidationError({f"{where}releaseId": f"no release window with id {release_id}"})
    return releases.get(release_id)


def _check_references(fields, where=""):
    if fields.get("releaseId") is not None:
        _window(fields["releaseId"], where)
    if fields.get("assetId") is not None and not assets.exists(fields["assetId"]):
        raise ValidationError({f"{where}assetId": f"no asset with id {fields['assetId']}"})



def check_data():
    """For check-data: deliverables whose releaseId or assetId names nothing (a crash between a
    delete and its unlinking), and submitted ones without an asset."""
    windows, asset_ids = integrity.ids(releases.RELEASES), integrity.ids("assets")
    problems = []
    for key, item in integrity.records(DELIVERABLES):
        where = f"{get_store().filename(DELIVERABLES)} record {key}"
        if item.get("releaseId") not in (None, *windows):
            problems.append(f"{where}: releaseId {item['releaseId']} names no release window")
        if item.get("assetId") not in (None, *asset_ids):
            problems.append(f"{where}: assetId {item['assetId']} names no asset")
        elif item.get("assetId") is None and item.get("approvalStatus") in IN_REVIEW:
            problems.append(f"{where}: {item['approvalStatus']} without an asset")
    return problems


# A deliverable's approval move, as the verb of its event's summary ("approved deliverable 7 "Stereo mix"").
APPROVAL_VERBS = {("not_submitted", "pending"): "submitted", ("rejected", "pending"): "resubmitted",
                  ("pending", "approved"): "approved", ("pending", "rejected"): "rejected"}


def phrase(change):
    if change.action == "update" and "approvalStatus" in change.changes:
        move = change.changes["approvalStatus"]
        return f"{APPROVAL_VERBS.get((move['from'], move['to']), 'moved')} {change.subject}"
    return None
