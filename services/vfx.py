"""The VFX pipeline (SPEC §3 VFX): shots, and versions v001, v002... labelled by the server."""
from services import assets, integrity, script
from services import scenes as scene_service
from services.records import Records, check_assignee, require_user, with_assignee, with_assignees
from utils import activity, clock
from utils.errors import Conflict, ValidationError
from utils.listing import ListSpec, query
from utils.store import get_store
from utils.validation import SERVER_OWNED, Date, Enum, Field, FieldError, FileSize, Number, Reference, String, validate

STATUSES = ("todo", "in_progress", "in_review", "done")
LEVELS = ("low", "medium", "high")
VERSION_STATUSES = ("review", "approved", "rejected")


class NoVersions(Field):
    """``versions`` belong to the server: a client may send only an empty list (on create)."""

    def check(self, value):
        if value != []:
            raise FieldError("are added with PUT /api/vfx/version/{shotId}; send [] or leave it out")
        return value

    def json_schema(self):
        return {"type": "array", "maxItems": 0, "description": "server-managed: [] or left out (an update may echo them unchanged)"}


class EchoedVersions(Field):
    """On an update ``versions`` may only come back unchanged (compared with the shot under the lock)."""

    def json_schema(self):
        return {"type": "array", "description": "the shot's current versions, unchanged (a client echoing the shot)"}


SCHEMA = {
    "shotName": String(min_len=1, max_len=100, required=True),
    "sceneId": Reference(),
    "description": String(max_len=5000, default=""),
    "status": Enum(STATUSES, default="todo"),
    "priority": Enum(LEVELS, default="medium"),
    "complexity": Enum(LEVELS, default="medium"),
    "assigneeId": Reference(),
    "dueDate": Date(nullable=True, default=None),
    "estimatedHours": Number(minimum=0, maximum=10000, nullable=True, default=None),
    "versions": NoVersions(default=list),
}
VERSION_SCHEMA = {
    "status": Enum(VERSION_STATUSES, default="review"),
    "notes": String(max_len=5000, default=""),
    "fileSize": FileSize(nullable=True, default=None),
    "assetId": Reference(),
    "date": Date(default=lambda: clock.today()),  # looked up when called, so "today" is always now
}
UPDATE_SCHEMA = {**SCHEMA, "versions": EchoedVersions()}
# The multipart form of a version: fileSize and assetId come from the uploaded file.
FILE_VERSION_SCHEMA = {name: field for name, field in VERSION_SCHEMA.items() if name not in ("fileSize", "assetId")}
FILE_VERSION_IGNORED = SERVER_OWNED | {"version", "fileSize", "assetId"}
IGNORED = SERVER_OWNED | {"assignee"}
STORED_SCHEMA = {**SCHEMA, "versions": Field(), "createdBy": String(min_len=1)}

LISTING = ListSpec(
    enums={"status": STATUSES, "priority": LEVELS, "complexity": LEVELS},
    exact=("assigneeId", "sceneId"),
    text=("shotName", "description", "assignee"),
    sortable=("id", "shotName", "status", "priority", "complexity", "assignee", "dueDate",
              "estimatedHours", "createdAt", "updatedAt"),
)

SHOTS = "vfx"
records = Records(SHOTS, "VFX shot", with_assignee, entity="vfx_shot")


DEPENDS = ("vfx", "users")  # what a shot as clients see it is made of (assignee: the user's name)


def list_shots(args):
    return query(with_assignees(records.all()), args, LISTING)


def shots_of(user_id, args):
    require_user(user_id)
    return query(with_assignees(s for s in records.all() if s.get("assigneeId") == user_id), args, LISTING)


def get_shot(shot_id):
    return with_assignee(records.get(shot_id))


def create_shot(body, actor):
    fields = validate(body, SCHEMA, ignored=IGNORED)
    return with_assignee(records.create(fields, actor, check=_check_references))


def update_shot(shot_id, body, if_match=None):
    changes = validate(body, UPDATE_SCHEMA, partial=True, ignored=IGNORED)

    def check(shots, shot, changes):
        # A client echoing the whole shot back may resend its versions unchanged; nothing else.
        if "versions" in changes and changes.pop("versions") != shot["versions"]:
            raise ValidationError({"versions": "are added with PUT /api/vfx/version/{shotId}"})
        _check_references(shots, changes, shot["id"])

    return with_assignee(records.update(shot_id, changes, if_match, check))


def delete_shot(shot_id, if_match=None):
    return with_assignee(records.delete(shot_id, if_match))


def add_version(shot_id, body, actor):
    """Append the next version (v001, v002...) to a shot; answer the whole shot."""
    fields = validate(body, VERSION_SCHEMA, ignored=SERVER_OWNED | {"version"})
    _check_asset(fields.get("assetId"))

    def check(_shots, shot, _changes):
        version = {"version": f"v{len(shot['versions']) + 1:03d}", **fields, "createdBy": actor["id"],
                   "createdAt": clock.timestamp()}
        shot["versions"].append(version)
        activity.record("create", "vfx_version", shot_id, after=version)  # the request's event, not the shot update

    return with_assignee(records.update(shot_id, {}, check=check))


def add_version_with_file(shot_id, received, actor):
    """A version whose file comes with it (multipart ``file``): the file is stored as an asset of
    the shot and linked (``assetId``, ``fileSize`` = its bytes). One request, one event: the
    version's; the asset is a side effect, taken back if the version cannot be added."""
    shot = records.get(shot_id)
    file, fields = assets.checked_upload(received, FILE_VERSION_SCHEMA, ignored=FILE_VERSION_IGNORED)
    asset = assets.store_file(file, {"shotId": shot_id, "category": "vfx", "tags": [shot["shotName"]],
                                     "description": f"Version of VFX shot {shot['shotName']}"}, actor, side_effect=True)
    try:
        return add_version(shot_id, {**fields, "assetId": asset["id"], "fileSize": asset["size"]}, actor)
    except BaseException:
        assets.discard(asset)
        raise


def shot_exists(shot_id):
    return get_store().has("vfx", shot_id)


def forget_asset(asset_id):
    """A deleted asset's versions stay, with their fileSize; their assetId becomes null."""
    if not any(v.get("assetId") == asset_id for s in records.all() for v in s["versions"]):
        return
    with get_store().transaction("vfx") as transaction:  # a side effect of the delete: no event of its own
        for shot in transaction.records("vfx").scan():
            for version in shot["versions"]:
                if version.get("assetId") == asset_id:
                    version["assetId"] = None


def _check_references(shots, fields, own_id=None):
    name = fields.get("shotName")
    if name and any(s["shotName"].lower() == name.lower() and s["id"] != own_id for s in shots.scan()):
        raise Conflict(f"A shot named {name!r} already exists", errors={"shotName": "already exists"})
    check_assignee(fields)
    scene_id = fields.get("sceneId")
    if scene_id is not None and not scene_service.scene_exists(scene_id):
        raise ValidationError({"sceneId": f"no scene with id {scene_id} in the script"})


def unlink_scenes(scene_ids):
    """Shots of deleted scenes keep working and point at no scene. Called after the script change
    is saved, under the VFX lock: a shot created meanwhile was checked against the old script and
    is unlinked here too, and one created afterwards is refused by ``scenes.scene_exists``."""
    if not scene_ids:
        return
    with get_store().transaction("vfx") as transaction:
        for shot in transaction.records("vfx").scan():
            if shot.get("sceneId") in scene_ids:
                shot.update(sceneId=None, updatedAt=clock.timestamp())


def dangling_scenes(scene_ids):
    """For check-data: shots whose sceneId names none of ``scene_ids`` (the script's scenes)."""
    return [f"{get_store().filename('vfx')} record {shot['id']}: sceneId {shot['sceneId']} names no scene"
            for shot in records.all() if shot.get("sceneId") not in (None, *scene_ids)]


# The cascades this domain reacts to; the script and assets modules never import this one.
script.on_scenes_deleted(unlink_scenes, check=dangling_scenes)
assets.on_delete(forget=forget_asset)


def _check_asset(asset_id):
    if asset_id is not None and not get_store().has("assets", asset_id):
        raise ValidationError({"assetId": f"no asset with id {asset_id}"})


def check_data():
    """For check-data: versions whose assetId names no asset (a crash between the two writes)."""
    asset_ids = integrity.ids("assets")
    return [f"{get_store().filename('vfx')} record {key}: version {version.get('version')} assetId "
            f"{version['assetId']} names no asset"
            for key, shot in integrity.records("vfx")
            for version in shot.get("versions") or [] if isinstance(version, dict)
            and version.get("assetId") not in (None, *asset_ids)]


def version_phrase(change):
    return f"added version {change.after.get('version')} to VFX shot {change.entity_id}"
