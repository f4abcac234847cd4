"""Assets (SPEC §3 Assets): the metadata of uploaded files. The bytes live in the uploads
directory, which only ``utils.uploads`` touches.

Order of writes, so a crash between two steps leaves at worst an orphan file (which `check-data`
reports), never metadata pointing at nothing: an upload places its file before writing its
record; a delete removes its record (and the VFX links to it) before its file.
"""
import os
import re

from services import scenes as scene_service
from services.records import Records
from utils import clock, uploads
from utils.durable import StorageError
from utils.errors import Forbidden, NotFound, ValidationError
from utils.listing import ListSpec, query
from utils.permissions import can
from utils.store import get_store
from utils.validation import SERVER_OWNED, Field, Number, Reference, String, StringList, validate

# A category is free text, kept as sent (the frontend sends its own words: Footage, Concept,
# other); these are the ones the server infers from the type when none is sent.
CATEGORIES = ("storyboard", "call_sheet", "script", "reference", "concept_art", "vfx",
              "image", "video", "audio", "document", "archive")

# extension -> (MIME type, category inferred when none is given)
TYPES = {
    ".png": ("image/png", "image"), ".jpg": ("image/jpeg", "image"), ".jpeg": ("image/jpeg", "image"), ".gif": ("image/gif", "image"),
    ".webp": ("image/webp", "image"), ".tif": ("image/tiff", "image"), ".tiff": ("image/tiff", "image"),
    ".bmp": ("image/bmp", "image"),
    ".mp4": ("video/mp4", "video"), ".m4v": ("video/x-m4v", "video"), ".mov": ("video/quicktime", "video"),
    ".avi": ("video/x-msvideo", "video"), ".mkv": ("video/x-matroska", "video"), ".webm": ("video/webm", "video"),
    ".mxf": ("application/mxf", "video"),
    ".wav": ("audio/wav", "audio"), ".mp3": ("audio/mpeg", "audio"), ".aac": ("audio/aac", "audio"),
    ".m4a": ("audio/mp4", "audio"), ".flac": ("audio/flac", "audio"), ".ogg": ("audio/ogg", "audio"),
    ".aif": ("audio/aiff", "audio"), ".aiff": ("audio/aiff", "audio"),
    ".pdf": ("application/pdf", "document"),
    ".doc": ("application/msword", "document"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "document"),
    ".xls": ("application/vnd.ms-excel", "document"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "document"),
    ".ppt": ("application/vnd.ms-powerpoint", "document"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "document"),
    ".odt": ("application/vnd.oasis.opendocument.text", "document"),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", "document"),
    ".odp": ("application/vnd.oasis.opendocument.presentation", "document"),
    ".rtf": ("application/rtf", "document"), ".csv": ("text/csv", "document"),
    ".txt": ("text/plain", "document"), ".md": ("text/markdown", "document"),
    ".fountain": ("text/plain", "script"), ".fdx": ("application/xml", "script"),
    ".exr": ("image/x-exr", "vfx"), ".dpx": ("image/x-dpx", "vfx"),
    ".zip": ("application/zip", "archive"),
}

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with entries, an empty zip
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # legacy Office documents
# The first bytes a file of that extension must start with. Formats without a fixed signature
# (text, mp3, mov, aac, mxf) are not checked.
SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"), ".tif": (b"II*\x00", b"MM\x00*"), ".tiff": (b"II*\x00", b"MM\x00*"),
    ".bmp": (b"BM",), ".pdf": (b"%PDF-",), ".exr": (b"\x76\x2f\x31\x01",), ".dpx": (b"SDPX", b"XPDS"),
    ".zip": _ZIP, ".docx": _ZIP, ".xlsx": _ZIP, ".pptx": _ZIP, ".odt": _ZIP, ".ods": _ZIP, ".odp": _ZIP,
    ".doc": _OLE, ".xls": _OLE, ".ppt": _OLE,
    ".mkv": (b"\x1a\x45\xdf\xa3",), ".webm": (b"\x1a\x45\xdf\xa3",), ".flac": (b"fLaC",), ".ogg": (b"OggS",),
}
RIFF = {".webp": b"WEBP", ".wav": b"WAVE", ".avi": b"AVI "}  # RIFF <size> <form>
ISO_MEDIA = (".mp4", ".m4v", ".m4a")  # <box size> ftyp

MAX_NAME = 255


class Tags(Field):
    """Tags as a form sends them: one comma-separated string (``"storm, night"``); a JSON list of
    strings is taken too. Blank items are dropped."""

    ITEMS = StringList(max_items=100, max_len=100)

    def check(self, value):
        if isinstance(value, str):
            value = [tag.strip() for tag in value.split(",") if tag.strip()]
        return self.ITEMS.check(value)

    def json_schema(self):
        return {"type": "string", "description": "comma-separated tags, e.g. \"storm, night\""}


FORM_SCHEMA = {
    "description": String(max_len=5000, default=""),
    "tags": Tags(default=list),
    "category": String(min_len=1, max_len=50, default=None),
    "sceneId": Reference(),
    "shotId": Reference(),
}
STORED_SCHEMA = {
    "name": String(min_len=1, max_len=MAX_NAME, strip=False),
    "filename": String(pattern=uploads.STORED_NAME.pattern, hint="is not a generated stored name"),
    "size": Number(minimum=0, integer=True),
    "type": String(min_len=1),
    "category": String(min_len=1, max_len=50),
    "description": String(max_len=5000),
    "tags": StringList(max_items=100, max_len=100),
    "sceneId": Reference(),
    "shotId": Reference(),
    "sha256": String(pattern=r"[0-9a-f]{64}", hint="must be 64 hex digits"),
    "uploadDate": String(min_len=1),
    "uploadedBy": String(min_len=1),
    "createdBy": String(min_len=1),
}

LISTING = ListSpec(
    exact=("sceneId", "shotId", "uploadedBy"),
    exact_ci=("type", "category"),
    text=("name", "description", "tags"),
    sortable=("id", "name", "size", "type", "category", "uploadDate"),
)


def present(asset):
    """The asset as clients see it: the stored record and where to download it."""
    return {**asset, "url": f"/api/assets/download/{asset['filename']}"}


ASSETS = "assets"
records = Records(ASSETS, "Asset", present, entity="asset")


def list_assets(args):
    return query([present(asset) for asset in records.all()], args, LISTING)


def search(args):
    """``q`` over name, description and tags; an empty ``q`` (a cleared search box) finds everything."""
    return list_assets(args)


def get_asset(asset_id):
    return present(records.get(asset_id))


def open_file(filename):
    """The stored file of the asset whose stored name is ``filename``, opened, with the asset;
    404 for any other name (a traversal, a planted file or link, a deleted asset)."""
    if not uploads.STORED_NAME.fullmatch(filename):
        raise NotFound("File not found")
    asset = next((a for a in records.all() if a.get("filename") == filename), None)
    if asset is None:
        raise NotFound("File not found")
    return uploads.open_stored(filename), asset


def upload(received, actor):
    """Store the one ``file`` part of a multipart upload, with its form fields, as an asset."""
    file, fields = checked_upload(uploads.Received(_blank_category_omitted(received.fields), received.files),
                                  FORM_SCHEMA)
    _check_references(fields)
    return store_file(file, fields, actor)


def checked_upload(received, schema, ignored=SERVER_OWNED):
    """The one file of a multipart body, checked, and its text fields validated against
    ``schema``: every problem with either is named in one 400."""
    file, errors = _the_file(received.files, "file" in received.fields)
    if file is not None:
        errors.update(_file_problems(file))
    fields = {}
    try:
        fields = validate({k: v for k, v in received.fields.items() if k != "file"}, schema, ignored=ignored)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    return file, fields


def store_file(file, fields, actor, side_effect=False):
    """Keep a checked ``Upload`` under a generated name, then write its record. ``side_effect``
    (the file of a VFX version) notes no activity event of its own."""
    extension = _extension(file.name)
    mime, inferred = TYPES[extension]
    filename = file.keep(extension)  # the file first: a crash now leaves only an orphan file
    record = {
        "name": _clean_name(file.name), "filename": filename, "size": file.size, "type": mime,
        "category": fields.get("category") or inferred, "description": fields.get("description", ""),
        "tags": fields.get("tags", []), "sceneId": fields.get("sceneId"), "shotId": fields.get("shotId"),
        "sha256": file.sha256, "uploadDate": clock.timestamp(), "uploadedBy": actor["id"],
    }
    try:
        return present(records.create(record, actor, side_effect=side_effect))
    except BaseException as exc:
        if not (isinstance(exc, StorageError) and exc.saved is None):  # else the record may be there
            uploads.remove(filename)
        raise


# Other domains that point at assets register here (``on_delete``), so this module never imports
# them: a ``guard(asset_id)`` may refuse a delete (it runs under the assets lock), a
# ``forget(asset_id)`` clears links to a deleted asset afterwards (a side effect, no event).
_DELETE_GUARDS, _DELETE_FORGETS = [], []


def on_delete(guard=None, forget=None):
    """Register a domain's reaction to asset deletes; registering the same function twice is a no-op."""
    for hooks, hook in ((_DELETE_GUARDS, guard), (_DELETE_FORGETS, forget)):
        if hook is not None and hook not in hooks:
            hooks.append(hook)


def uploader_only(actor, asset_id, asset=None):
    """The ownership rule of ``DELETE /assets/{id}`` for roles without ``assets:delete_any``: only
    the uploader. Every role reads assets, so an unknown id stays the view's 404: nothing to hide."""
    asset = asset or records.find(asset_id)
    if asset is not None and asset.get("uploadedBy") != actor["id"]:
        raise Forbidden("Only the uploader, a Producer or a Production Manager may delete this asset")


def delete_asset(asset_id, actor, if_match=None):
    """Producer, Production Manager or the uploader: the record (and VFX links) first, then the file."""

    def authorize(_assets, asset):  # again under the lock, as the route's ownership rule did
        if not can(actor, "assets:delete_any"):
            uploader_only(actor, asset["id"], asset)

    def check(_collection, _asset):
        for guard in _DELETE_GUARDS:
            guard(asset_id)

    asset = records.delete(asset_id, if_match, check=check, authorize=authorize)
    for forget in _DELETE_FORGETS:
        forget(asset_id)
    uploads.remove(asset["filename"])
    return present(asset)


def discard(asset):
    """Take back an asset stored for a write that then failed (no event: the request fails)."""
    records.delete(asset["id"])
    uploads.remove(asset["filename"])


def file_problems():
    """For `check-data`: records whose file is missing, and stored files no record names."""
    named = {asset.get("filename"): asset.get("id") for asset in get_store().scan("assets") if isinstance(asset, dict)}
    stored = uploads.stored_names()
    missing = [f"{get_store().filename(ASSETS)} record {key}: file {name} is missing from the uploads directory"
               for name, key in named.items() if name not in stored]
    orphans = [f"uploads/{name}: orphan file, no asset record names it" for name in sorted(stored - set(named))]
    return missing + orphans


# -- checks -------------------------------------------------------------------------------------
def _the_file(files, sent_as_text):
    errors = {name: "unknown field: only one file, in the part named file" for name, _ in files if name != "file"}
    chosen = [upload for name, upload in files if name == "file"]
    if len(chosen) > 1 or (chosen and sent_as_text):
        errors["file"] = "send one file per upload"
    elif sent_as_text:
        errors["file"] = "must be a file part (with a filename), not a text field"
    elif not chosen:
        errors["file"] = "is required: send the file as the multipart part named file"
    return (chosen[0] if len(chosen) == 1 else None), errors


def _file_problems(file):
    name = _clean_name(file.name)
    extension = _extension(name)
    if not name:
        return {"file": "has no file name: send the original name in the part's filename"}
    if len(name) > MAX_NAME:
        return {"file": f"name must be at most {MAX_NAME} characters"}
    if extension not in TYPES:
        allowed = ", ".join(sorted(ext.lstrip(".") for ext in TYPES))
        return {"file": f"type {extension or '(no extension)'} is not allowed; allowed: {allowed}"}
    if file.size == 0:
        return {"file": "is empty"}
    if not _content_matches(extension, file.head):
        return {"file": f"content is not a {extension.lstrip('.').upper()} file, whatever its name says"}
    return {}


def _content_matches(extension, head):
    if extension in SIGNATURES:
        return head.startswith(SIGNATURES[extension])
    if extension in RIFF:
        return head[:4] == b"RIFF" and head[8:12] == RIFF[extension]
    if extension in ISO_MEDIA:
        return head[4:8] == b"ftyp"
    return True


def _clean_name(raw):
    """The original file name as metadata: the last path component (browsers may send a whole
    Windows path), control characters removed."""
    name = re.split(r"[\\/]", raw or "")[-1]
    return "".join(ch for ch in name if ch.isprintable()).strip()


def _extension(name):
    return os.path.splitext(_clean_name(name))[1].lower()


def _blank_category_omitted(fields):
    # A form with no category picked sends "": the category is then inferred from the type.
    return {key: value for key, value in fields.items() if not (key == "category" and value == "")}


def _check_references(fields):
    scene_id, shot_id = fields.get("sceneId"), fields.get("shotId")
    if scene_id is not None and not scene_service.scene_exists(scene_id):
        raise ValidationError({"sceneId": f"no scene with id {scene_id} in the script"})
    if shot_id is not None and not get_store().has("vfx", shot_id):
        raise ValidationError({"shotId": f"no VFX shot with id {shot_id}"})



def exists(asset_id):
    return get_store().has("assets", asset_id)
