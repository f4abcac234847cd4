from flask import Blueprint, g, request

from services import vfx as vfx_service
from utils import uploads
from utils.auth import requires
from utils.requests import json_body
from utils.responses import cached, ok_list, ok_resource
from services import demo
from services.openapi import vfx as api
from utils.domains import Domain, Entity

bp = Blueprint("vfx", __name__, url_prefix="/vfx")


@bp.get("")
@requires("vfx:read")
def list_shots():
    return cached(lambda: ok_list(vfx_service.list_shots(request.args), "VFX shot"), vfx_service.DEPENDS, "all")


@bp.get("/assignee/<user_id>")
@requires("vfx:read")
def shots_of(user_id):
    return cached(lambda: ok_list(vfx_service.shots_of(user_id, request.args), "VFX shot"),
                  vfx_service.DEPENDS, "all")


@bp.get("/<shot_id>")
@requires("vfx:read")
def get_shot(shot_id):
    return ok_resource(vfx_service.get_shot(shot_id), f"VFX shot {shot_id}")


@bp.post("")
@requires("vfx:write")
def create_shot():
    return ok_resource(vfx_service.create_shot(json_body(), g.user), "VFX shot created", status=201)


@bp.put("/<shot_id>")
@requires("vfx:write")
def update_shot(shot_id):
    shot = vfx_service.update_shot(shot_id, json_body(), request.headers.get("If-Match"))
    return ok_resource(shot, "VFX shot updated")


@bp.delete("/<shot_id>")
@requires("vfx:write")
def delete_shot(shot_id):
    return ok_resource(vfx_service.delete_shot(shot_id, request.headers.get("If-Match")), "VFX shot deleted")


@bp.put("/version/<shot_id>")
@requires("vfx:write")
def add_version(shot_id):
    if not uploads.is_multipart():
        return ok_resource(vfx_service.add_version(shot_id, json_body(), g.user), "Version added", status=201)
    vfx_service.get_shot(shot_id)  # an unknown shot is a 404 before any file is streamed in
    with uploads.receive() as received:
        shot = vfx_service.add_version_with_file(shot_id, received, g.user)
    return ok_resource(shot, "Version added", status=201)


domain = Domain(bp, collections=(vfx_service.SHOTS,), schemas={vfx_service.SHOTS: vfx_service.STORED_SCHEMA},
                checks=(vfx_service.check_data,), seed=demo.seed_vfx,
                entities=(Entity("vfx_shot", "VFX shot", moved_by_status=True),
                          Entity("vfx_version", "VFX shot", phrase=vfx_service.version_phrase)),
                operations=api.OPERATIONS, components=api.SCHEMAS)
