"""The original frontend's script analysis calls: the breakdown (SPEC §3 Script), under its old paths."""
from flask import Blueprint, g, request

from services import screenplay as screenplay_service
from utils.auth import requires
from utils.errors import ValidationError
from utils.requests import json_body
from utils.responses import count, ok_bare
from services.openapi import ai as api
from utils.domains import Domain

bp = Blueprint("analysis", __name__, url_prefix="/analysis")


def _answer(result):
    return ok_bare({"status": "success", **result}, f"Breakdown: {count(result['totalScenes'], 'scene')}")


@bp.post("/script/text")
@requires("script:write")  # as the breakdown
def analyse_text():
    body = json_body()
    if "text" not in body:
        raise ValidationError({"text": "is required: the screenplay as text"})
    return _answer(screenplay_service.breakdown(body, None, None, g.user)[0])


@bp.post("/script")
@requires("script:write")
def analyse_file():
    file = request.files.get("file") if request.mimetype == "multipart/form-data" else None
    upload = (file.filename, file.stream) if file else ("", None)
    return _answer(screenplay_service.breakdown({}, upload, None, g.user)[0])


domain = Domain(bp, operations=api.ANALYSIS_OPERATIONS)
