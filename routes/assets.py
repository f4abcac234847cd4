from flask import Blueprint, g, request

from services import assets as assets_service
from utils import downloads, uploads
from utils.auth import requires
from utils.errors import ApiError
from utils.responses import ok_list, ok_resource
from services import demo
from services.openapi import assets as api
from utils.domains import Domain, Entity

bp = Blueprint("assets", __name__, url_prefix="/assets")


@bp.get("")
@requires("assets:read")
def list_assets():
    return ok_list(assets_service.list_assets(request.args), "asset")


@bp.get("/search")
@requires("assets:read")
def search_assets():
    return ok_list(assets_service.search(request.args), "asset")


@bp.get("/<asset_id>")
@requires("assets:read")
def get_asset(asset_id):
    return ok_resource(assets_service.get_asset(asset_id), f"Asset {asset_id}")


@bp.post("/upload")
@requires("assets:upload")
def upload():
    if not uploads.is_multipart():
        raise ApiError("Send the file as multipart/form-data in a part named file", errors={"file": "is required"},
                       status=415)
    with uploads.receive() as received:
        asset = assets_service.upload(received, g.user)
    return ok_resource(asset, "Asset uploaded", status=201)


# A path converter, so that every name (slashes, dots and all) reaches the safe lookup, which
# answers 404 for anything but a stored file.
@bp.get("/download/<path:filename>", merge_slashes=False)
@requires("assets:read")
def download(filename):
    handle, asset = assets_service.open_file(filename)
    return downloads.send(handle, asset["name"], asset["type"], asset["sha256"], request)


@bp.delete("/<asset_id>")
@requires("assets:delete_any", owner=assets_service.uploader_only)
def delete_asset(asset_id):
    asset = assets_service.delete_asset(asset_id, g.user, request.headers.get("If-Match"))
    return ok_resource(asset, "Asset deleted")


domain = Domain(bp, collections=(assets_service.ASSETS,), schemas={assets_service.ASSETS: assets_service.STORED_SCHEMA},
                checks=(assets_service.file_problems,), seed=demo.seed_assets, entities=(Entity("asset", "asset"),),
                operations=api.OPERATIONS, components=api.SCHEMAS)
