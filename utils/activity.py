"""Who changed what (SPEC §3 Activity): the shared write path notes one event per request.

A service that changes something calls ``record(...)`` once, with the entity as stored before and
after (``services.records.Records`` does it for every record collection). Nothing is written then:
the event is kept for the current request and appended to the activity log by an ``after_request``
hook only when the answer is a success, before it is sent. So a failed write records nothing, and
one request is one event: the first event noted in a request is the request's event, and side
effects (a deleted user's tasks unassigned, the asset stored by a multipart version) record nothing
of their own. The command line has no request, and the demo seed runs ``muted()``: neither writes
events.
"""
import contextlib
import json
import logging
from decimal import Decimal

from flask import g, has_request_context

from utils import clock
from utils.durable import StorageError
from utils.errors import error_response
from utils.store import get_store

log = logging.getLogger("prodsight")

LOG = "activity"  # activity.jsonl in the data directory
ACTIONS = ("create", "update", "delete", "restore")
ENTITIES = ("user", "task", "vfx_shot", "vfx_version", "scene", "script", "budget", "budget_category",
            "budget_entry", "asset", "cast_member", "schedule", "release", "deliverable")

# How changes are listed: stamps every write moves are left out; a password hash is named
# "password" with no values; big values (a screenplay, a scene list) are named with null values.
UNLISTED = frozenset({"updatedAt", "lastModified"})
SECRET = {"passwordHash": "password"}
LARGE = frozenset({"content", "scenes", "versions", "history", "days"})
LARGE_BYTES = 2000

NOUNS = {"user": "user", "task": "task", "vfx_shot": "VFX shot", "vfx_version": "VFX shot", "scene": "scene",
         "script": "the script", "budget": "the budget settings", "budget_category": "budget category",
         "budget_entry": "ledger entry", "asset": "asset", "release": "release window",
         "deliverable": "deliverable", "cast_member": "cast member", "schedule": "the schedule"}
LABEL_FIELDS = ("title", "shotName", "name", "description")
MOVED_BY_STATUS = frozenset({"task", "vfx_shot", "scene"})
# A deliverable's approval move, as the verb of its summary ("approved deliverable 7 "Stereo mix"").
APPROVAL_VERBS = {("not_submitted", "pending"): "submitted", ("rejected", "pending"): "resubmitted",
                  ("pending", "approved"): "approved", ("pending", "rejected"): "rejected"}


def record(action, entity, entity_id, before=None, after=None, summary=None):
    """Note the current request's event: ``before``/``after`` are the entity in stored form (None
    for the side that does not exist); ``summary``, when given, is the sentence after the actor's
    name ("restored version 3"), else one is made from the change."""
    if not has_request_context() or g.get("activity_muted") or "activity_event" in g:
        return
    g.activity_event = {"action": action, "entity": entity, "entityId": entity_id,
                        "before": _snapshot(before), "after": _snapshot(after), "summary": summary}


@contextlib.contextmanager
def muted():
    """Writes inside this block record no event (the demo seed, run inside the first request)."""
    previous = g.get("activity_muted", False)
    g.activity_muted = True
    try:
        yield
    finally:
        g.activity_muted = previous


def event_log():
    return get_store().log(LOG)


def init_app(app):
    @app.after_request
    def append_event(response):
        noted = g.pop("activity_event", None)
        if noted and response.status_code < 400 and g.get("user"):
            try:
                event_log().append(lambda event_id, last_at: _event(noted, g.user, event_id, last_at))
            except OSError as exc:
                # No acknowledged write lacks its event (docs/serving.md, "Disk faults"): the change
                # is on disk, but without its event the answer is a 507/503, not a success.
                log.error("Could not append to the activity log (%s); the %s of %s %s is saved but "
                          "not acknowledged", exc, noted["action"], noted["entity"], noted["entityId"])
                failure = StorageError("the activity log", exc, saved=True)
                return error_response(failure.status, str(failure))
        return response


def repair_log():
    """Startup: cut a torn last line left by a crash. True when one was cut."""
    return event_log().repair()


def changes_between(before, after):
    """Each field whose stored value changed, as {"from": old, "to": new} (canonical names only)."""
    changes = {}
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name), after.get(name)
        if old == new or name in UNLISTED:
            continue
        if name in SECRET:
            changes[SECRET[name]] = {"from": None, "to": None}
        elif name in LARGE or _is_large(old) or _is_large(new):
            changes[name] = {"from": None, "to": None}
        else:
            changes[name] = {"from": old, "to": new}
    return changes


def _event(noted, actor, event_id, last_at):
    before, after = noted["before"] or {}, noted["after"] or {}
    changes = changes_between(before, after) if noted["action"] == "update" else {}
    phrase = noted["summary"] or _phrase(noted, before, after, changes)
    return {
        "id": event_id,
        "at": max(clock.timestamp(), last_at or ""),  # never before the event it follows
        "actorId": actor["id"],
        "actor": actor["name"],
        "action": noted["action"],
        "entity": noted["entity"],
        "entityId": noted["entityId"],
        "summary": f"{actor['name']} {phrase}",
        "changes": changes,
    }


def _phrase(noted, before, after, changes):
    """The sentence after the actor's name: "moved task 12 to done"."""
    action, entity = noted["action"], noted["entity"]
    subject = _subject(entity, noted["entityId"], after or before)
    if entity == "vfx_version":
        return f"added version {after.get('version')} to VFX shot {noted['entityId']}"
    if entity == "budget_entry" and action == "create":
        return f"recorded {_money(after.get('amount'))} on {after.get('category')}: {after.get('description', '')}".rstrip(": ")
    if action != "update":
        return f"{_past(action)} {subject}"
    if entity == "deliverable" and "approvalStatus" in changes:
        move = changes["approvalStatus"]
        return f"{APPROVAL_VERBS.get((move['from'], move['to']), 'moved')} {subject}"
    if entity == "release" and "cancelled" in changes:
        return f"{'cancelled' if changes['cancelled']['to'] else 'reinstated'} {subject}"
    if set(changes) == {"status"} and entity in MOVED_BY_STATUS:
        return f"moved {subject} to {changes['status']['to']}"
    if entity == "budget_category" and set(changes) == {"budgeted"}:
        old, new = changes["budgeted"]["from"], changes["budgeted"]["to"]
        verb = "cut" if (new or 0) < (old or 0) else "raised"
        return f"{verb} {noted['entityId']} from {_money(old)} to {_money(new)}"
    if entity == "budget_category" and "name" in changes:
        return f"renamed budget category {changes['name']['from']} to {changes['name']['to']}"
    return f"updated {subject}: {', '.join(changes)}" if changes else f"saved {subject} unchanged"


def _subject(entity, entity_id, record):
    noun = NOUNS[entity]
    if entity_id is None:
        return noun
    if entity == "budget_category":
        return f"{noun} {entity_id}"
    label = next((record[name] for name in LABEL_FIELDS if isinstance(record.get(name), str) and record[name]), None)
    return f'{noun} {entity_id} "{label}"' if label else f"{noun} {entity_id}"


def _past(action):
    return {"create": "created", "delete": "deleted", "restore": "restored"}[action]


def _money(amount):
    return f"{Decimal(str(amount or 0)):,.2f}"


def _is_large(value):
    return isinstance(value, (str, list, dict)) and len(json.dumps(value, ensure_ascii=False)) > LARGE_BYTES


def _snapshot(value):
    """A deep copy: the event must show the state at the time, not a record mutated later."""
    return json.loads(json.dumps(value)) if value is not None else None
