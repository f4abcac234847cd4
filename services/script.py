"""The script (SPEC §3 Script): scenes, derived totals, the screenplay text, and one revision per change.

``script.json`` is one document: the title, the current version, the scenes (a list kept in scene
number order, ids from ``seq``, never reused) and the hash of the current screenplay text. Every
change runs under the script's lock and ends in ``_commit``, which saves the next revision, so two
clients editing two scenes at once both keep their change and each gets its own revision.
"""
import collections
import copy
import functools
import math
import os

from services import fountain, revisions
from utils import activity, clock
from utils.errors import ApiError, Conflict, NotFound, ValidationError
from utils.etags import check_if_match
from utils.listing import ListSpec, query
from utils.requests import JSON_LIMIT
from utils.responses import count
from utils.store import StoreCorruptError, get_store
from utils.validation import (SERVER_OWNED, Boolean, Enum, Field, FieldError, Number, String, StringList, validate,
                              validate_query)

SCRIPT = "script"
INT_EXT = ("INT", "EXT", "INT/EXT")
DAY_NIGHT = ("DAY", "NIGHT", "DAWN", "DUSK", "MORNING", "EVENING", "CONTINUOUS")
COMPLEXITIES = ("Low", "Medium", "High")
SCENE_STATUSES = ("Not Shot", "In Progress", "Completed", "In Review", "Approved")
BREAKDOWN_LISTS = ("characters", "extras", "props", "wardrobe", "makeup_hair", "vehicles_animals_fx",
                   "set_dressing", "special_equipment", "stunts_vfx", "sound_requirements")
MAX_SCENES = fountain.MAX_SCENES
MAX_UPLOAD_MIB = 5
MAX_UPLOAD = MAX_UPLOAD_MIB * 1024 * 1024
UPLOAD_TYPES = (".fountain", ".txt")

SCHEMA = {
    "scene_number": Number(minimum=1, maximum=100000, integer=True),  # next free number when absent
    "title": String(max_len=500, default=""),
    "int_ext": Enum(INT_EXT, default="INT"),
    "day_night": Enum(DAY_NIGHT, default="DAY"),
    "location": String(max_len=200, default=""),
    "estimated_runtime_minutes": Number(minimum=0, maximum=10000, default=0),
    # absent: filled in on every read (from the stored screenplay, else the runtime), see _eighths
    "page_eighths": Number(minimum=1, maximum=1000000, integer=True),
    "scene_description": String(max_len=10000, default=""),
    **{name: StringList(default=list) for name in BREAKDOWN_LISTS},
    "mood_tone": String(max_len=200, default=""),
    "scene_complexity": Enum(COMPLEXITIES, default="Medium"),
    "vfx_required": Boolean(default=False),
    "vfx_details": String(max_len=5000, default=""),
    "scene_status": Enum(SCENE_STATUSES, default="Not Shot"),
    "notes": String(max_len=10000, default=""),
}
# Legacy name -> canonical name: mirrored in every response, accepted as input.
ALIASES = {"number": "scene_number", "description": "scene_description", "timeOfDay": "day_night",
           "estimatedDuration": "estimated_runtime_minutes", "vfx": "vfx_required", "status": "scene_status"}
STORED_SCENE_SCHEMA = {**SCHEMA, "scene_number": Number(minimum=1, maximum=100000, integer=True, required=True)}
TOTALS = ("totalScenes", "totalEstimatedDuration", "vfxScenes", "locations", "characters")
SCRIPT_IGNORED = SERVER_OWNED | {"version", "revisionColor", "lastModified", "totalPages", *TOTALS}


class SceneList(Field):
    def check(self, value):
        if not isinstance(value, list) or len(value) > MAX_SCENES:
            raise FieldError(f"must be a list of at most {MAX_SCENES} scenes")
        return value

    def json_schema(self):
        return {"type": "array", "items": {"type": "object"}, "maxItems": MAX_SCENES}


SCRIPT_SCHEMA = {"title": String(max_len=300), "scenes": SceneList()}
TEXT_SCHEMA = {"content": String(max_len=JSON_LIMIT, strip=False, required=True)}
BREAKDOWN_SCHEMA = {"text": String(max_len=JSON_LIMIT, strip=False)}


class Flag(Field):
    """A yes/no query parameter: true/1 or false/0 (empty: false)."""

    VALUES = {"true": True, "1": True, "false": False, "0": False, "": False}

    def check(self, value):
        if value not in self.VALUES:
            raise FieldError("must be true or false")
        return self.VALUES[value]

    def json_schema(self):
        return {"type": "string", "enum": ["true", "false", "1", "0"]}


BREAKDOWN_QUERY = {"apply": Flag()}

LISTING = ListSpec(
    enums={"int_ext": INT_EXT, "day_night": DAY_NIGHT, "scene_status": SCENE_STATUSES,
           "status": SCENE_STATUSES, "scene_complexity": COMPLEXITIES},
    exact=("location",),
    text=("title", "location", "scene_description", "notes", "characters", "mood_tone"),
    sortable=("id", "scene_number", "title", "int_ext", "day_night", "location", "estimated_runtime_minutes",
              "page_eighths", "scene_status", "scene_complexity"),
)

VERSIONS_LISTING = ListSpec()  # newest first; paging only


def register(store):
    """Declare the script's own documents (before the app claims the rest as record collections)."""
    store.register(SCRIPT, lambda: {"title": "", "version": "1", "revisionColor": revisions.color(1),
                                    "seq": 0, "scenes": [], "textHash": ""})
    revisions.register(store)


# -- what other domains ask ----------------------------------------------------------------------
def scene_exists(scene_id):
    return any(scene["id"] == scene_id for scene in get_store().read(SCRIPT)["scenes"])


def scenes():
    """The current scenes in stored form (shared: do not mutate), each with its ``page_eighths``."""
    script = get_store().read(SCRIPT)
    return _with_eighths(script["scenes"], script["textHash"])


# -- reading -------------------------------------------------------------------------------------
def get_script():
    return present(get_store().read(SCRIPT))


def list_scenes(args):
    return query([present_scene(s) for s in scenes()], {"sort": "scene_number", **args}, LISTING)


def get_scene(scene_id):
    script = get_store().read(SCRIPT)
    return present_scene(_with_eighths([_find(script, scene_id)], script["textHash"])[0])


def get_text():
    content = revisions.load_text(get_store().read(SCRIPT)["textHash"])
    return {"content": content, "pages": fountain.pages(content)}


def list_versions(args):
    _record_initial_revision()
    return query(_timestamped(revisions.history()), args, VERSIONS_LISTING)


def get_version(version):
    if version == "1":
        _record_initial_revision()
    state = _revision_state(version)
    if state.get("lastModified") is None:
        state = {**state, "lastModified": _stamp_of(version)}
    content = revisions.load_text(state.get("textHash"))
    return {**present(state), "summary": state.get("summary"),
            "text": {"content": content, "pages": fountain.pages(content)}}


# -- scene writes --------------------------------------------------------------------------------
def create_scene(body, actor):
    fields = _clean_scene(body)
    with get_store().transaction(SCRIPT) as transaction:
        script = transaction.document(SCRIPT)
        fields.setdefault("scene_number", max((s["scene_number"] for s in script["scenes"]), default=0) + 1)
        _check_unique_number(script, fields["scene_number"])
        script["seq"] += 1
        scene = {"id": str(script["seq"]), **fields}
        script["scenes"].append(scene)
        _commit(script, actor, f"Scene {scene['scene_number']} added" + (f": {scene['title']}" if scene["title"] else ""))
    activity.record("create", "scene", scene["id"], after=scene)
    return _present_one(script, scene)


def update_scene(scene_id, body, actor, if_match=None):
    changes = _clean_scene(body, partial=True)
    with get_store().transaction(SCRIPT) as transaction:
        script = transaction.document(SCRIPT)
        scene = _find(script, scene_id)
        check_if_match(_present_one(script, scene), if_match)
        before = copy.deepcopy(scene)
        if "scene_number" in changes:
            _check_unique_number(script, changes["scene_number"], scene_id)
        sent_order = dict.fromkeys(ALIASES.get(name, name) for name in body)  # the summary names them as sent
        current = _with_eighths([scene], script["textHash"])[0]  # a page_eighths echoed back is no change
        changed = [name for name in sent_order if name in changes and current.get(name) != changes[name]]
        scene.update({name: changes[name] for name in changed})
        if changed:  # a body that changes nothing (a client echoing the scene) makes no revision
            _commit(script, actor, f"Scene {before['scene_number']} updated: {', '.join(changed)}")
    activity.record("update", "scene", scene_id, before=before, after=scene)
    return _present_one(script, scene)


def delete_scene(scene_id, actor, if_match=None):
    with get_store().transaction(SCRIPT) as transaction:
        script = transaction.document(SCRIPT)
        scene = _find(script, scene_id)
        check_if_match(_present_one(script, scene), if_match)
        script["scenes"].remove(scene)
        _commit(script, actor, f"Scene {scene['scene_number']} deleted")
    _scenes_deleted({scene_id})
    activity.record("delete", "scene", scene_id, before=scene)
    return _present_one(script, scene)


# -- script writes -------------------------------------------------------------------------------
def update_script(body, actor, if_match=None):
    """``{title?, scenes?}``; sent scenes replace the list (a scene with a known ``id`` keeps it)."""
    fields = validate(body, SCRIPT_SCHEMA, partial=True, ignored=SCRIPT_IGNORED)
    with get_store().transaction(SCRIPT) as transaction:
        script = transaction.document(SCRIPT)
        check_if_match(present(script), if_match)
        before = _state(script)
        changed = []
        if "title" in fields and fields["title"] != script["title"]:
            script["title"] = fields["title"]
            changed.append("title")
        if "scenes" in fields:
            replaced = _replace_scenes(script, fields["scenes"], keep_ids=True)
            if replaced:
                changed.append(f"scenes ({replaced})")
        if changed:
            _commit(script, actor, "Script updated: " + ", ".join(changed))
    _after_script_change("update", before, script)
    return present(script)


def put_text(body, actor):
    content = _clean_text(validate(body, TEXT_SCHEMA)["content"], "content", "saved")
    with get_store().transaction(SCRIPT) as transaction:
        script = transaction.document(SCRIPT)
        before = _state(script)
        digest = revisions.save_text(content)
        if digest != script["textHash"]:
            script["textHash"] = digest
            _commit(script, actor, f"Screenplay text updated ({_pages(content)})")
    _after_script_change("update", before, script)
    return {"content": content, "pages": fountain.pages(content)}


def breakdown(body, upload, apply, actor):
    """Break down a sent text, an uploaded file ``(filename, stream)``, or (neither) the stored text.
    Returns ``(result, applied)``: the breakdown, or with ``apply`` the script after the new revision."""
    sent, where = _screenplay_sent(body, upload)
    if sent is not None:
        sent = _clean_text(sent, where)
    text = sent if sent is not None else get_text()["content"]
    try:
        parsed = fountain.breakdown(text)
    except fountain.ScreenplayError as exc:
        name = where or "text"
        raise ValidationError({name: f"{'the stored screenplay text' if sent is None else 'the screenplay'} {exc}"},
                              message=f"The screenplay cannot be broken down: it {exc}") from None
    found = [validate(fields, SCHEMA) for fields in parsed["scenes"]]
    if not _flag(apply):
        return {"title": parsed["title"], "scenes": [present_scene(s) for s in found], **totals(found),
                "totalPages": parsed["pages"]}, False
    with get_store().transaction(SCRIPT) as transaction:
        script = transaction.document(SCRIPT)
        before = _state(script)
        _replace_scenes(script, found, keep_ids=False)
        if parsed["title"]:
            script["title"] = parsed["title"][:300]
        if sent is not None:
            script["textHash"] = revisions.save_text(sent)
        _commit(script, actor, f"Breakdown applied: {count(len(found), 'scene')}"
                + (" from a new screenplay text" if sent is not None else " from the stored screenplay text"))
    _after_script_change("update", before, script)
    return present(script), True


def restore(version, actor):
    """A new revision equal to ``version`` (its title, scenes and text)."""
    with get_store().transaction(SCRIPT) as transaction:
        script = transaction.document(SCRIPT)
        state = _revision_state(version)
        before = _state(script)
        script.update(title=state["title"], scenes=copy.deepcopy(state["scenes"]), textHash=state["textHash"])
        script["seq"] = max([script["seq"], *(int(s["id"]) for s in script["scenes"])])
        _commit(script, actor, f"Restored version {version} ({revisions.color(version)})")
    _after_script_change("restore", before, script,
                         summary=f"restored version {version} ({revisions.color(version)}) as version {script['version']}")
    return present(script)


def seed(title, scene_bodies, content, actor):
    """The demo script in one revision: a title, scenes and the screenplay text."""
    with get_store().transaction(SCRIPT) as transaction:
        script = transaction.document(SCRIPT)
        script["title"] = title
        _replace_scenes(script, [_clean_scene(body) for body in scene_bodies], keep_ids=False)
        script["textHash"] = revisions.save_text(content)
        _commit(script, actor, f"Demo script: {count(len(scene_bodies), 'scene')} and the screenplay text")
    return present(script)


# -- presenting ----------------------------------------------------------------------------------
def present_scene(scene):
    """The scene as clients see it: canonical fields, then the legacy names mirroring them."""
    return {**scene, **{legacy: scene.get(name) for legacy, name in ALIASES.items()}}


def present(script):
    return {
        "title": script["title"], "version": script["version"], "revisionColor": script["revisionColor"],
        "lastModified": script.get("lastModified"), "modifiedBy": script.get("modifiedBy"),
        "scenes": [present_scene(s) for s in _with_eighths(script["scenes"], script.get("textHash"))],
        **totals(script["scenes"]),
    }


def totals(scene_list):
    return {
        "totalScenes": len(scene_list),
        "totalEstimatedDuration": round(sum(s["estimated_runtime_minutes"] for s in scene_list), 3),
        "vfxScenes": sum(1 for s in scene_list if s["vfx_required"]),
        "locations": sorted({s["location"] for s in scene_list if s["location"]}),
        "characters": sorted({name for s in scene_list for name in s["characters"]}),
    }


# -- integrity -----------------------------------------------------------------------------------
def check_data():
    """Problems of the script and its history, each naming its file; [] when sound."""
    store = get_store()
    try:
        script = store.read(SCRIPT)
    except StoreCorruptError:
        return []  # reported by name with every broken file
    where = store.filename(SCRIPT)
    problems, numbers, ids = [], set(), set()
    for scene in script["scenes"]:
        scene_id = scene.get("id") if isinstance(scene, dict) else None
        if not isinstance(scene_id, str) or not scene_id.isdigit() or int(scene_id) > script["seq"] or scene_id in ids:
            problems.append(f"{where} scene {scene_id!r}: id missing, repeated or not below seq ({script['seq']})")
            continue
        ids.add(scene_id)
        try:
            validate(scene, STORED_SCENE_SCHEMA)
        except ValidationError as exc:
            problems.append(f"{where} scene {scene_id}: " + "; ".join(f"{k} {v}" for k, v in exc.errors.items()))
            continue
        if scene["scene_number"] in numbers:
            problems.append(f"{where} scene {scene_id}: scene_number {scene['scene_number']} is repeated")
        numbers.add(scene["scene_number"])
    try:
        revisions.load_text(script["textHash"])
    except StoreCorruptError as exc:
        problems.append(str(exc))
    try:
        problems += revisions.problems()
        for check in _SCENE_LINK_CHECKS:
            problems += check(ids)
    except StoreCorruptError:
        pass  # the history index or vfx.json does not parse: reported by name with every broken file
    return problems


# -- cascades: domains whose records point at scenes register here, so this module imports none of them
_SCENES_DELETED, _SCENE_LINK_CHECKS = [], []


def on_scenes_deleted(unlink, check=None):
    """Register a domain's reaction to deleted scenes: ``unlink(scene_ids)`` runs after the script
    change is saved; ``check(scene_ids)``, for check-data, lists its records naming no scene.
    Registering the same function twice is a no-op."""
    for hooks, hook in ((_SCENES_DELETED, unlink), (_SCENE_LINK_CHECKS, check)):
        if hook is not None and hook not in hooks:
            hooks.append(hook)


def _scenes_deleted(scene_ids):
    if scene_ids:
        for unlink in _SCENES_DELETED:
            unlink(scene_ids)


# -- inside ----------------------------------------------------------------------------------------
def _clean_scene(body, partial=False):
    """Validate a scene body; legacy names are aliases, and both names with different values a 400."""
    if not isinstance(body, dict):
        raise ValidationError({"body": "must be a JSON object"})
    body, errors = dict(body), {}
    for legacy, name in ALIASES.items():
        if legacy not in body:
            continue
        value = body.pop(legacy)
        try:
            cleaned = SCHEMA[name].clean(value)
        except FieldError as exc:
            errors[legacy] = str(exc)
            continue
        if name not in body:
            body[name] = value
        elif _cleaned_or_none(name, body[name]) not in (None, cleaned):
            errors[legacy] = f"disagrees with {name}: send one of them, or the same value in both"
    try:
        fields = validate(body, SCHEMA, partial=partial)
    except ValidationError as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise ValidationError(errors)
    return fields


def _cleaned_or_none(name, value):
    try:
        return SCHEMA[name].clean(value)
    except FieldError:
        return None  # the canonical field's own error is reported by validate


def _find(script, scene_id):
    for scene in script["scenes"]:
        if scene["id"] == scene_id:
            return scene
    raise NotFound(f"Scene {scene_id} not found")


def _check_unique_number(script, number, own_id=None):
    if any(s["scene_number"] == number and s["id"] != own_id for s in script["scenes"]):
        raise Conflict(f"Scene number {number} is already taken", errors={"scene_number": "already exists"})


def _replace_scenes(script, items, keep_ids):
    """Replace the scenes with ``items`` (bodies when ``keep_ids``, else cleaned fields); return a
    short account of what changed ("2 added, 1 removed"), "" when nothing did."""
    current = {s["id"]: s for s in script["scenes"]}
    new, errors, numbers = [], {}, set()
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            errors[f"scenes[{position}]"] = "must be a JSON object"
            continue
        scene_id = item.get("id") if keep_ids else None
        try:
            fields = _clean_scene({k: v for k, v in item.items() if k != "id"}) if keep_ids else item
        except ValidationError as exc:
            errors.update({f"scenes[{position}].{k}": v for k, v in exc.errors.items()})
            continue
        if scene_id is not None and scene_id not in current:
            errors[f"scenes[{position}].id"] = f"no scene with id {scene_id}: leave id out for a new scene"
            continue
        fields.setdefault("scene_number", position + 1)
        if fields["scene_number"] in numbers:
            raise Conflict(f"Scene number {fields['scene_number']} appears twice",
                           errors={f"scenes[{position}].scene_number": "already exists"})
        numbers.add(fields["scene_number"])
        if scene_id is None:
            script["seq"] += 1
            scene_id = str(script["seq"])
        new.append({"id": scene_id, **fields})
    if errors:
        raise ValidationError(errors)
    added = sum(1 for s in new if s["id"] not in current)
    kept = {s["id"] for s in new}
    removed = sum(1 for scene_id in current if scene_id not in kept)
    changed = sum(1 for s in new if s["id"] in current and current[s["id"]] != s)
    script["scenes"] = new
    parts = [f"{n} {label}" for n, label in ((added, "added"), (removed, "removed"), (changed, "changed")) if n]
    return ", ".join(parts)


def _record_initial_revision():
    """Keep revision 1 in the history with a timestamp: the moment the history is first looked at
    or the script first changes, whichever comes first (a new production stores no creation time)."""
    if not revisions.is_empty():
        return
    with get_store().transaction(SCRIPT) as transaction:
        script = transaction.document(SCRIPT)
        if revisions.is_empty():
            revisions.append({**_state(script), **_initial_entry()}, _initial_entry()["summary"])


def _timestamped(entries):
    """History entries (newest first), each with a ``lastModified``: revision 1 recorded before it
    carried one (a production seeded before that change) takes the time of the revision that
    recorded it, the next one, since revision 1 is kept at the moment revision 2 is made."""
    filled, newer = [], None
    for entry in entries:
        if entry.get("lastModified") is None and newer is not None:
            entry = {**entry, "lastModified": newer}
        newer = entry.get("lastModified") or newer
        filled.append(entry)
    return filled


def _stamp_of(version):
    return next((entry["lastModified"] for entry in _timestamped(revisions.history()) if entry["version"] == version),
                None)


def _commit(script, actor, summary):
    """Make the changed ``script`` (held under its lock) the next revision."""
    if revisions.is_empty():
        revisions.append(_revision_state("1"), _initial_entry()["summary"])
    version = str(int(script["version"]) + 1)
    script["scenes"].sort(key=lambda s: s["scene_number"])
    script.update(version=version, revisionColor=revisions.color(version), lastModified=clock.timestamp(),
                  modifiedBy=actor["id"])
    revisions.append(_state(script), summary)


def _after_script_change(action, before, script, summary=None):
    """Shots of scenes that are gone point at no scene; then the request's one event, which names
    the screenplay ``content`` rather than the hash it is stored under."""
    _scenes_deleted({s["id"] for s in before["scenes"]} - {s["id"] for s in script["scenes"]})
    old, new = dict(before), _state(script)
    for state in (old, new):
        state["content"] = revisions.load_text(state.pop("textHash"))
    activity.record(action, "script", None, before=old, after=new, summary=summary)


def _state(script):
    """The stored fields a revision keeps."""
    return {name: copy.deepcopy(script.get(name)) for name in
            ("version", "revisionColor", "lastModified", "modifiedBy", "title", "scenes", "textHash")}


def _initial_entry():
    """Revision 1 is the script as it starts (empty on a new production), White."""
    return {"version": "1", "revisionColor": revisions.color(1), "lastModified": clock.timestamp(), "modifiedBy": None,
            "summary": "Initial script"}


def _revision_state(version):
    """The stored state of a revision; revision 1 is the current script until a change saves it."""
    if revisions.is_empty() and version == "1":
        return {**_state(get_store().read(SCRIPT)), **_initial_entry()}
    return revisions.load(version)


def _screenplay_sent(body, upload):
    """(text or None, the field it came in)."""
    if upload is not None:
        filename, stream = upload
        if stream is None:
            raise ValidationError({"file": "is required: upload a .fountain or .txt file as the 'file' field"})
        if os.path.splitext(filename or "")[1].lower() not in UPLOAD_TYPES:
            raise ValidationError({"file": "must be a .fountain or .txt file"})
        raw = stream.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise ApiError(f"Screenplay file over {MAX_UPLOAD_MIB} MiB", status=413)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"file": "must be UTF-8 text"}) from None
        return text, "file"
    text = validate(body, BREAKDOWN_SCHEMA, partial=True).get("text")
    return text, ("text" if text is not None else None)


def _clean_text(text, field, action="broken down"):
    """The text without a BOM, with \\n line breaks; a control character is a 400 naming the line."""
    try:
        return fountain.clean(text)
    except fountain.ScreenplayError as exc:
        raise ValidationError({field: f"the screenplay {exc}"},
                              message=f"The screenplay cannot be {action}: it {exc}") from None


def _present_one(script, scene):
    return present_scene(_with_eighths([scene], script["textHash"])[0])


def _with_eighths(scene_list, text_hash):
    """The scenes, each with ``page_eighths``: a stored one as it is; a scene stored without one
    (before the field existed, or created without it) gets its length in the stored screenplay
    when its heading is there, else its runtime at a page a minute (at least 1/8)."""
    if all("page_eighths" in scene for scene in scene_list):
        return scene_list
    try:
        measured = _measured(text_hash or "")
    except StoreCorruptError:  # reported by check-data; the runtime still gives a length
        measured = ({}, {})
    filled = []
    for scene in scene_list:
        if "page_eighths" not in scene:
            title = scene.get("title", "").strip().upper()
            eighths = measured[0].get((scene.get("scene_number"), title), measured[1].get(title))
            if eighths is None:
                eighths = max(1, math.ceil(scene.get("estimated_runtime_minutes", 0) * 8))
            scene = {**scene, "page_eighths": eighths}
        filled.append(scene)
    return filled


@functools.lru_cache(maxsize=16)
def _measured(text_hash):
    """({(scene_number, HEADING): eighths}, {HEADING: eighths} for headings written once) of a
    stored screenplay text (a text is stored once per hash, so this never goes stale)."""
    found = fountain.measure(revisions.load_text(text_hash)) if text_hash else []
    by_number = {(number, title.strip().upper()): eighths for number, title, eighths in found}
    written = collections.Counter(title.strip().upper() for _, title, _ in found)
    by_title = {title.strip().upper(): eighths for _, title, eighths in found if written[title.strip().upper()] == 1}
    return by_number, by_title


def _flag(value):
    return validate_query({} if value is None else {"apply": value}, BREAKDOWN_QUERY).get("apply", False)


def _pages(content):
    return count(fountain.pages(content), "page")

