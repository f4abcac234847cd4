"""OpenAPI of /analytics."""
from services import budget
from services.openapi.shapes import COUNT, DATA, DATE, Op, obj, query_of, ref

SUMMARY_PARTS = ("tasks", "vfx", "script", "budget", "assets", "users", "schedule")
SCHEMAS = {
    "Summary": obj(asOf=DATE, **{part: {"type": "object"} for part in SUMMARY_PARTS},
                   distribution=obj(releases=COUNT, byStatus={"type": "object"}, deliverables=COUNT,
                                    overdueDeliverables=COUNT)),
}
OPERATIONS = {
    "analytics.summary": Op("The production summary as of a date", DATA, ref("Summary"),
                            query=query_of(budget.AS_OF_QUERY)),
}
