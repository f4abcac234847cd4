"""OpenAPI of /activity. Its `entity` values are the entities every registered domain declares, so
both tables are built when the document is (``Domain.operations`` and ``components`` may be callables)."""
from services import activity as events
from services.openapi.shapes import ID, LIST, PAGING, STRING, TIMESTAMP, Op, obj, or_null, query_of, ref
from utils import activity


def schemas():
    return {
        "ActivityEvent": obj(id=ID, at=TIMESTAMP, actorId=ID, actor=STRING,
                             action={"type": "string", "enum": list(activity.ACTIONS)},
                             entity=query_of(events.query())["entity"],
                             entityId=or_null(STRING), summary=STRING, changes={"type": "object"}),
    }


def operations():
    return {
        "activity.list_events": Op("The activity log, newest first, always paged (50 a page unless asked)", LIST,
                                   ref("ActivityEvent"), query={**query_of(events.query()), **PAGING}),
    }
