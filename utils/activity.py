"""Who changed what (SPEC §3 Activity): the write path notes one event per request.

A service that changes something calls ``record(...)`` once, inside its write, with the entity as
stored before and after. Nothing is written then: the event is kept for the current request and
appended to the activity log only when the request succeeds (see ``init_app``), so a failed write
records nothing and one request is one event (side effects record nothing of their own: the first
event noted in a request is the request's event).
"""
from flask import g, has_request_context

ACTIONS = ("create", "update", "delete", "restore")
ENTITIES = ("user", "task", "vfx_shot", "vfx_version", "scene", "script", "budget", "budget_category",
            "budget_entry", "asset")


def record(action, entity, entity_id, before=None, after=None, summary=None):
    """Note the current request's event: ``before``/``after`` are the entity in stored form (None
    for the side that does not exist); ``summary`` overrides the generated sentence."""
    if not has_request_context() or "activity_event" in g:
        return  # the command line and the seed write no events; a side effect is not an event
    g.activity_event = {"action": action, "entity": entity, "entityId": entity_id,
                        "before": before, "after": after, "summary": summary}
