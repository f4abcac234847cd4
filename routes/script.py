from flask import Blueprint, g, request

from services import scenes as scene_service
from services import screenplay as screenplay_service
from services import script as script_service
from utils import uploads
from utils.auth import requires
from utils.requests import json_body
from utils.responses import count, ok, ok_list, ok_resource
from services import demo, revisions
from services.openapi import script as api
from utils.domains import Domain, Entity

bp = Blueprint("script", __name__, url_prefix="/script")


@bp.get("")
@requires("script:read")
def get_script():
    script = script_service.get_script()
    return ok_resource(script, f"Script version {script['version']} ({script['revisionColor']})")


@bp.put("")
@requires("script:write")
def update_script():
    script = script_service.update_script(json_body(), g.user, request.headers.get("If-Match"))
    return ok_resource(script, f"Script updated: version {script['version']} ({script['revisionColor']})")


@bp.get("/scenes")
@requires("script:read")
def list_scenes():
    return ok_list(scene_service.list_scenes(request.args), "scene")


@bp.post("/scenes")
@requires("script:write")
def create_scene():
    scene = scene_service.create_scene(json_body(), g.user)
    return ok_resource(scene, f"Scene {scene['scene_number']} created", status=201)


@bp.get("/scene/<scene_id>")
@requires("script:read")
def get_scene(scene_id):
    scene = scene_service.get_scene(scene_id)
    return ok_resource(scene, f"Scene {scene['scene_number']}")


@bp.put("/scene/<scene_id>")
@requires("script:write")
def update_scene(scene_id):
    scene = scene_service.update_scene(scene_id, json_body(), g.user, request.headers.get("If-Match"))
    return ok_resource(scene, f"Scene {scene['scene_number']} updated")


@bp.delete("/scene/<scene_id>")
@requires("script:write")
def delete_scene(scene_id):
    scene = scene_service.delete_scene(scene_id, g.user, request.headers.get("If-Match"))
    return ok_resource(scene, f"Scene {scene['scene_number']} deleted")


@bp.get("/versions")
@requires("script:read")
def list_versions():
    return ok_list(script_service.list_versions(request.args), "revision")


@bp.get("/versions/<version>")
@requires("script:read")
def get_version(version):
    state = script_service.get_version(version)
    return ok_resource(state, f"Script version {version} ({state['revisionColor']})")


@bp.post("/versions/<version>/restore")
@requires("script:write")
def restore_version(version):
    script = script_service.restore(version, g.user)  # takes no body
    return ok_resource(script, f"Version {version} restored as version {script['version']} "
                               f"({script['revisionColor']})", status=201)


@bp.get("/text")
@requires("script:read")
def get_text():
    text = screenplay_service.get_text()
    return ok(text, f"Screenplay text: {count(text['pages'], 'page')}")


@bp.put("/text")
@requires("script:write")
def put_text():
    return ok(screenplay_service.put_text(json_body(), g.user), "Screenplay text saved")


@bp.post("/breakdown")
@requires("script:write")  # a write permission even without apply (SPEC §3)
def breakdown():
    if not uploads.is_multipart():
        return _breakdown(json_body(optional=True), None)
    with uploads.receive() as received:  # the one multipart path (utils.uploads), as for assets
        file = received.file("file")
        if file is None:
            return _breakdown({}, ("", None))
        with file.reader() as stream:
            return _breakdown({}, (file.name, stream))


def _breakdown(body, upload):
    result, applied = screenplay_service.breakdown(body, upload, request.args.get("apply"), g.user)
    if applied:
        return ok_resource(result, f"Breakdown applied: {count(result['totalScenes'], 'scene')} as version "
                                   f"{result['version']} ({result['revisionColor']})", status=201)
    return ok(result, f"Breakdown: {count(result['totalScenes'], 'scene')}")


domain = Domain(bp, documents={script_service.SCRIPT: script_service.empty_script},
                internal={revisions.INDEX: revisions.empty_index},
                checks=(script_service.check_data,), seed=demo.seed_script,
                entities=(Entity("scene", "scene", moved_by_status=True), Entity("script", "the script")),
                operations=api.OPERATIONS, components=api.SCHEMAS)
