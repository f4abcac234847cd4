from flask import Blueprint, request

from services import activity as activity_service
from utils.auth import requires
from utils.responses import ok_list
from services.openapi import activity as api
from utils.domains import Domain

bp = Blueprint("activity", __name__, url_prefix="/activity")


@bp.get("")
@requires("activity:read")
def list_events():
    return ok_list(activity_service.list_events(request.args), "event")


domain = Domain(bp, checks=(activity_service.check_data,), operations=api.operations, components=api.schemas)
