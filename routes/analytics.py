from flask import Blueprint, request

from services import analytics as analytics_service
from utils.auth import requires
from utils.responses import ok
from services.openapi import analytics as api
from utils.domains import Domain

bp = Blueprint("analytics", __name__, url_prefix="/analytics")


@bp.get("/summary")
@requires("analytics:read")
def summary():
    result = analytics_service.summary(request.args.get("asOf"))
    return ok(result, f"Production summary as of {result['asOf']}")


domain = Domain(bp, operations=api.OPERATIONS, components=api.SCHEMAS)
