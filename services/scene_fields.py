"""A scene's fields (SPEC §3 Script): the schema, the legacy names, cleaning, presenting, page lengths.

The bottom of the script's modules: ``script``, ``scenes`` and ``screenplay`` import this one.
"""
import collections
import functools
import math

from services import fountain, revisions
from utils.errors import ValidationError
from utils.store import StoreCorruptError
from utils.validation import Boolean, Enum, FieldError, Number, String, StringList, validate

INT_EXT = ("INT", "EXT", "INT/EXT")
DAY_NIGHT = ("DAY", "NIGHT", "DAWN", "DUSK", "MORNING", "EVENING", "CONTINUOUS")
COMPLEXITIES = ("Low", "Medium", "High")
SCENE_STATUSES = ("Not Shot", "In Progress", "Completed", "In Review", "Approved")
BREAKDOWN_LISTS = ("characters", "extras", "props", "wardrobe", "makeup_hair", "vehicles_animals_fx",
                   "set_dressing", "special_equipment", "stunts_vfx", "sound_requirements")
MAX_SCENES = fountain.MAX_SCENES

SCHEMA = {
    "scene_number": Number(minimum=1, maximum=100000, integer=True),  # next free number when absent
    "title": String(max_len=500, default=""),
    "int_ext": Enum(INT_EXT, default="INT"),
    "day_night": Enum(DAY_NIGHT, default="DAY"),
    "location": String(max_len=200, default=""),
    "estimated_runtime_minutes": Number(minimum=0, maximum=10000, default=0),
    # absent: filled in on every read (from the stored screenplay, else the runtime), see with_eighths
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


def present_scene(scene):
    """The scene as clients see it: canonical fields, then the legacy names mirroring them."""
    return {**scene, **{legacy: scene.get(name) for legacy, name in ALIASES.items()}}


def clean_scene(body, partial=False):
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


def with_eighths(scene_list, text_hash):
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
