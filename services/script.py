"""The script (SPEC §3 Script): the script document, its derived totals, and one revision per change.

``script.json`` is one document: the title, the current version, the scenes (a list kept in scene
number order, ids from ``seq``, never reused) and the hash of the current screenplay text. Every
change runs under the script's lock and ends in ``commit``, which saves the next revision, so two
clients editing two scenes at once both keep their change and each gets its own revision.

The scene fields are ``services/scene_fields.py``; scene reads and writes ``services/scenes.py``;
the screenplay text and the breakdown ``services/screenplay.py``. They import this module, never
the other way round.
"""
import copy

from services import fountain, integrity, revisions
from services.scene_fields import MAX_SCENES, STORED_SCENE_SCHEMA, clean_scene, present_scene, with_eighths
from utils import activity, clock
from utils.errors import Conflict, NotFound, ValidationError
from utils.etags import check_if_match
from utils.listing import ListSpec, query
from utils.responses import count
from utils.store import StoreCorruptError, get_store
from utils.validation import SERVER_OWNED, Field, FieldError, String, validate

SCRIPT = "script"
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

VERSIONS_LISTING = ListSpec()  # newest first; paging only


def empty_script():
    return {"title": "", "version": "1", "revisionColor": revisions.color(1), "seq": 0, "scenes": [], "textHash": ""}


# -- reading -------------------------------------------------------------------------------------
def get_script():
    return present(get_store().read(SCRIPT))


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


# -- script writes -------------------------------------------------------------------------------
def update_script(body, actor, if_match=None):
    """``{title?, scenes?}``; sent scenes replace the list (a scene with a known ``id`` keeps it)."""
    fields = validate(body, SCRIPT_SCHEMA, partial=True, ignored=SCRIPT_IGNORED)
    with get_store().transaction(SCRIPT) as transaction:
        script = transaction.document(SCRIPT)
        check_if_match(present(script), if_match)
        before = stored_state(script)
        changed = []
        if "title" in fields and fields["title"] != script["title"]:
            script["title"] = fields["title"]
            changed.append("title")
        if "scenes" in fields:
            replaced = replace_scenes(script, fields["scenes"], keep_ids=True)
            if replaced:
                changed.append(f"scenes ({replaced})")
        if changed:
            commit(script, actor, "Script updated: " + ", ".join(changed))
    after_change("update", before, script)
    return present(script)


def restore(version, actor):
    """A new revision equal to ``version`` (its title, scenes and text)."""
    with get_store().transaction(SCRIPT) as transaction:
        script = transaction.document(SCRIPT)
        state = _revision_state(version)
        before = stored_state(script)
        script.update(title=state["title"], scenes=copy.deepcopy(state["scenes"]), textHash=state["textHash"])
        script["seq"] = max([script["seq"], *(int(s["id"]) for s in script["scenes"])])
        commit(script, actor, f"Restored version {version} ({revisions.color(version)})")
    after_change("restore", before, script,
                summary=f"restored version {version} ({revisions.color(version)}) as version {script['version']}")
    return present(script)


def seed(title, scene_bodies, content, actor):
    """The demo script in one revision: a title, scenes and the screenplay text."""
    with get_store().transaction(SCRIPT) as transaction:
        script = transaction.document(SCRIPT)
        script["title"] = title
        replace_scenes(script, [clean_scene(body) for body in scene_bodies], keep_ids=False)
        script["textHash"] = revisions.save_text(content)
        commit(script, actor, f"Demo script: {count(len(scene_bodies), 'scene')} and the screenplay text")
    return present(script)


# -- presenting ----------------------------------------------------------------------------------
def present(script):
    return {
        "title": script["title"], "version": script["version"], "revisionColor": script["revisionColor"],
        "lastModified": script.get("lastModified"), "modifiedBy": script.get("modifiedBy"),
        "scenes": [present_scene(s) for s in with_eighths(script["scenes"], script.get("textHash"))],
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
        scene_problems = integrity.schema_problems(f"{where} scene {scene_id}", scene, STORED_SCENE_SCHEMA)
        if scene_problems:
            problems += scene_problems
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


def scenes_deleted(scene_ids):
    if scene_ids:
        for unlink in _SCENES_DELETED:
            unlink(scene_ids)


# -- for the scene and screenplay modules -------------------------------------------------------
def find_scene(script, scene_id):
    for scene in script["scenes"]:
        if scene["id"] == scene_id:
            return scene
    raise NotFound(f"Scene {scene_id} not found")


def replace_scenes(script, items, keep_ids):
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
            fields = clean_scene({k: v for k, v in item.items() if k != "id"}) if keep_ids else item
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


def commit(script, actor, summary):
    """Make the changed ``script`` (held under its lock) the next revision."""
    if revisions.is_empty():
        revisions.append(_revision_state("1"), _initial_entry()["summary"])
    version = str(int(script["version"]) + 1)
    script["scenes"].sort(key=lambda s: s["scene_number"])
    script.update(version=version, revisionColor=revisions.color(version), lastModified=clock.timestamp(),
                  modifiedBy=actor["id"])
    revisions.append(stored_state(script), summary)


def after_change(action, before, script, summary=None):
    """Shots of scenes that are gone point at no scene; then the request's one event, which names
    the screenplay ``content`` rather than the hash it is stored under."""
    scenes_deleted({s["id"] for s in before["scenes"]} - {s["id"] for s in script["scenes"]})
    old, new = dict(before), stored_state(script)
    for state in (old, new):
        state["content"] = revisions.load_text(state.pop("textHash"))
    activity.record(action, "script", None, before=old, after=new, summary=summary)


def stored_state(script):
    """The stored fields a revision keeps."""
    return {name: copy.deepcopy(script.get(name)) for name in
            ("version", "revisionColor", "lastModified", "modifiedBy", "title", "scenes", "textHash")}


# -- inside ----------------------------------------------------------------------------------------
def _record_initial_revision():
    """Keep revision 1 in the history with a timestamp: the moment the history is first looked at
    or the script first changes, whichever comes first (a new production stores no creation time)."""
    if not revisions.is_empty():
        return
    with get_store().transaction(SCRIPT) as transaction:
        script = transaction.document(SCRIPT)
        if revisions.is_empty():
            revisions.append({**stored_state(script), **_initial_entry()}, _initial_entry()["summary"])


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


def _initial_entry():
    """Revision 1 is the script as it starts (empty on a new production), White."""
    return {"version": "1", "revisionColor": revisions.color(1), "lastModified": clock.timestamp(), "modifiedBy": None,
            "summary": "Initial script"}


def _revision_state(version):
    """The stored state of a revision; revision 1 is the current script until a change saves it."""
    if revisions.is_empty() and version == "1":
        return {**stored_state(get_store().read(SCRIPT)), **_initial_entry()}
    return revisions.load(version)
