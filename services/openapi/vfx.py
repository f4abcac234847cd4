"""OpenAPI of /vfx: shots and their versions."""
from services import vfx
from services.openapi.shapes import FILE, ID, LIST, NAME_OR_NULL, Op, crud, form, model, ref

SCHEMAS = {
    "VfxVersion": model(vfx.VERSION_SCHEMA, required=("version",), stamps=("createdAt",),
                        version={"type": "string", "pattern": r"^v\d{3,}$"}, createdBy=ID),
    "VfxShot": model(vfx.STORED_SCHEMA, assignee=NAME_OR_NULL, versions={"type": "array", "items": ref("VfxVersion")}),
}
OPERATIONS = {
    **crud("vfx", "shot", "shots", "VfxShot", vfx.SCHEMA, vfx.LISTING, errors=(409,), update_body=vfx.UPDATE_SCHEMA),
    "vfx.shots_of": Op("VFX shots assigned to a user", LIST, ref("VfxShot"), listing=vfx.LISTING),
    "vfx.add_version": Op("Add the next version (v001, v002...) to a shot; answers the whole shot",
                          data=ref("VfxShot"), body=vfx.VERSION_SCHEMA, status=201,
                          form={"file": FILE, **form(vfx.FILE_VERSION_SCHEMA)},
                          note="JSON, or multipart with a `file` that is stored as an asset of the shot and linked "
                               "(its `assetId` and `fileSize`)."),
}
