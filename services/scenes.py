"""The scenes (SPEC §3 Script): listing, one scene, and scene writes (each a new script revision).

Scenes live in the script document (``services/script.py``); this module reads and changes them
there, and answers what other domains ask about scenes.
"""
import copy

from services import script
from services.scene_fields import ALIASES, COMPLEXITIES, DAY_NIGHT, INT_EXT, SCENE_STATUSES, clean_scene, \
    present_scene, with_eighths
from utils import activity
from utils.errors import Conflict
from utils.etags import check_if_match
from utils.listing import ListSpec, query
from utils.store import get_store

LISTING = ListSpec(
    enums={"int_ext": INT_EXT, "day_night": DAY_NIGHT, "scene_status": SCENE_STATUSES,
           "status": SCENE_STATUSES, "scene_complexity": COMPLEXITIES},
    exact=("location",),
    text=("title", "location", "scene_description", "notes", "characters", "mood_tone"),
    sortable=("id", "scene_number", "title", "int_ext", "day_night", "location", "estimated_runtime_minutes",
              "page_eighths", "scene_status", "scene_complexity"),
)


# -- what other domains ask ----------------------------------------------------------------------
def scene_exists(scene_id):
    return any(scene["id"] == scene_id for scene in get_store().read(script.SCRIPT)["scenes"])


def scenes():
    """The current scenes in stored form (shared: do not mutate), each with its ``page_eighths``."""
    document = get_store().read(script.SCRIPT)
    return with_eighths(document["scenes"], document["textHash"])


# -- reading -------------------------------------------------------------------------------------
def list_scenes(args):
    return query([present_scene(s) for s in scenes()], {"sort": "scene_number", **args}, LISTING)


def get_scene(scene_id):
    document = get_store().read(script.SCRIPT)
    return present_scene(with_eighths([script.find_scene(document, scene_id)], document["textHash"])[0])


# -- writes --------------------------------------------------------------------------------------
def create_scene(body, actor):
    fields = clean_scene(body)
    with get_store().transaction(script.SCRIPT) as transaction:
        document = transaction.document(script.SCRIPT)
        fields.setdefault("scene_number", max((s["scene_number"] for s in document["scenes"]), default=0) + 1)
        _check_unique_number(document, fields["scene_number"])
        document["seq"] += 1
        scene = {"id": str(document["seq"]), **fields}
        document["scenes"].append(scene)
        script.commit(document, actor,
                      f"Scene {scene['scene_number']} added" + (f": {scene['title']}" if scene["title"] else ""))
    activity.record("create", "scene", scene["id"], after=scene)
    return _present_one(document, scene)


def update_scene(scene_id, body, actor, if_match=None):
    changes = clean_scene(body, partial=True)
    with get_store().transaction(script.SCRIPT) as transaction:
        document = transaction.document(script.SCRIPT)
        scene = script.find_scene(document, scene_id)
        check_if_match(_present_one(document, scene), if_match)
        before = copy.deepcopy(scene)
        if "scene_number" in changes:
            _check_unique_number(document, changes["scene_number"], scene_id)
        sent_order = dict.fromkeys(ALIASES.get(name, name) for name in body)  # the summary names them as sent
        current = with_eighths([scene], document["textHash"])[0]  # a page_eighths echoed back is no change
        changed = [name for name in sent_order if name in changes and current.get(name) != changes[name]]
        scene.update({name: changes[name] for name in changed})
        if changed:  # a body that changes nothing (a client echoing the scene) makes no revision
            script.commit(document, actor, f"Scene {before['scene_number']} updated: {', '.join(changed)}")
    activity.record("update", "scene", scene_id, before=before, after=scene)
    return _present_one(document, scene)


def delete_scene(scene_id, actor, if_match=None):
    with get_store().transaction(script.SCRIPT) as transaction:
        document = transaction.document(script.SCRIPT)
        scene = script.find_scene(document, scene_id)
        check_if_match(_present_one(document, scene), if_match)
        document["scenes"].remove(scene)
        script.commit(document, actor, f"Scene {scene['scene_number']} deleted")
    script.scenes_deleted({scene_id})
    activity.record("delete", "scene", scene_id, before=scene)
    return _present_one(document, scene)


# -- inside ----------------------------------------------------------------------------------------
def _check_unique_number(document, number, own_id=None):
    if any(s["scene_number"] == number and s["id"] != own_id for s in document["scenes"]):
        raise Conflict(f"Scene number {number} is already taken", errors={"scene_number": "already exists"})


def _present_one(document, scene):
    return present_scene(with_eighths([scene], document["textHash"])[0])
