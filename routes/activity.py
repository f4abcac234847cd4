from flask import Blueprint, request

from services import activity as activity_service
from utils.auth import requires
from utils.responses import ok_list

bp = Blueprint("activity", __name__, url_prefix="/activity")


@bp.get("")
@requires("activity:read")
def list_events():
    return ok_list(activity_service.list_events(request.args), "event")
