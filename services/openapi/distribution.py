"""OpenAPI of the distribution routes: release windows, deliverables, the calendar."""
from dataclasses import replace

from services import deliverables, distribution, releases
from services.openapi.shapes import DATE, ID, LIST, STRING, Op, array, crud, model, obj, or_null, query_of, ref

SCHEMAS = {
    "Deliverable": model(deliverables.STORED_SCHEMA, stamps=("id", "createdAt", "updatedAt"), createdBy=ID,
                         submitted={"type": "boolean", "description": "derived: approvalStatus is not not_submitted"},
                         overdue={"type": "boolean", "description": "derived: not approved and due before today"}),
    "Release": model(releases.SCHEMA, createdBy=ID,
                     deliverables=array(ref("Deliverable"))),
    "CalendarEntry": obj(id=STRING, date=DATE, type={"type": "string", "enum": list(distribution.CALENDAR_TYPES)},
                         title=STRING, relatedId=STRING, releaseId=or_null(STRING)),
}
OPERATIONS = {
    **crud("distribution", "release", "releases", "Release", distribution.WINDOW_INPUT, releases.LISTING, errors=(409,),
           note="`status` is derived from the dates unless cancelled; an exclusive window overlapping another of "
                "its licence type and territory is a 409 naming it; deliverables sent inside are created."),
    **crud("distribution", "deliverable", "deliverables", "Deliverable", deliverables.SCHEMA, deliverables.LISTING,
           errors=(409,), update_body=deliverables.UPDATE_SCHEMA,
           note="A PUT with a new `approvalStatus` is a move: not_submitted → pending → approved | rejected, "
                "rejected → pending (409 otherwise); submitting needs an `assetId`."),
    "distribution.create_checklist": Op("Create the feature delivery checklist, due relative to the window's start",
                                        LIST, ref("Deliverable"), body=deliverables.CHECKLIST_SCHEMA, status=201),
    "distribution.calendar": Op("Release starts and ends, marketing deadlines and deliverable due dates, by date",
                                LIST, ref("CalendarEntry"), listing=distribution.CALENDAR_LISTING,
                                query=query_of(releases.OVERLAP_QUERY)),
}
OPERATIONS["distribution.list_releases"] = replace(OPERATIONS["distribution.list_releases"],
                                                   query=query_of(releases.OVERLAP_QUERY))
OPERATIONS["distribution.list_deliverables"] = replace(OPERATIONS["distribution.list_deliverables"],
                                                       query=query_of(deliverables.QUERY))
