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
from typing import NamedTuple

from flask import g, has_request_context

from utils import clock, domains
from utils.durable import StorageError
from utils.errors import error_response
from utils.store import get_store

log = logging.getLogger("prodsight")

LOG = "activity"  # activity.jsonl in the data directory
ACTIONS = ("create", "update", "delete", "restore")

# How changes are listed: stamps every write moves are left out; a password hash is named
# "password" with no values; big values (a screenplay, a scene list) are named with null values.
UNLISTED = frozenset({"updatedAt", "lastModified"})
SECRET = {"passwordHash": "password"}
LARGE = frozenset({"content", "scenes", "versions", "history", "days"})
LARGE_BYTES = 2000
LABEL_FIELDS = ("title", "shotName", "name", "description")


class Change(NamedTuple):
    """An event being summarised, as an ``Entity.phrase`` of a domain (utils/domains.py) sees it."""

    action: str
    entity_id: object
    subject: str  # 'task 4 "Book the crane"', "the script"
    before: dict
    after: dict
    changes: dict  # of an update: field -> {"from", "to"}


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
    """The sentence after the actor's name: "moved task 12 to done"; a domain's ``Entity.phrase``
    says it first when it has words of its own."""
    entity = domains.entities()[noted["entity"]]
    action, entity_id = noted["action"], noted["entityId"]
    subject = _subject(entity, entity_id, after or before)
    own = entity.phrase and entity.phrase(Change(action, entity_id, subject, before, after, changes))
    if own:
        return own
    if action != "update":
        return f"{_past(action)} {subject}"
    if set(changes) == {"status"} and entity.moved_by_status:
        return f"moved {subject} to {changes['status']['to']}"
    return f"updated {subject}: {', '.join(changes)}" if changes else f"saved {subject} unchanged"


def _subject(entity, entity_id, record):
    noun = entity.noun
    if entity_id is None:
        return noun
    if not entity.labelled:
        return f"{noun} {entity_id}"
    label = next((record[name] for name in LABEL_FIELDS if isinstance(record.get(name), str) and record[name]), None)
    return f'{noun} {entity_id} "{label}"' if label else f"{noun} {entity_id}"


def _past(action):
    return {"create": "created", "delete": "deleted", "restore": "restored"}[action]


def _is_large(value):
    return isinstance(value, (str, list, dict)) and len(json.dumps(value, ensure_ascii=False)) > LARGE_BYTES


def _snapshot(value):
    """A deep copy: the event must show the state at the time, not a record mutated later."""
    return json.loads(json.dumps(value)) if value is not None else None
