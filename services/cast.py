"""The cast list (SPEC §3 Schedule): one entry for every character of the script's scenes.

The list is derived from the scenes on every read; only what a person sets (castId, actor, user,
daily rate, unavailable dates) is stored, in ``cast.json`` under the character's lowercased name.
So a character that leaves the script leaves the list, and comes back with its settings if it
returns. Characters match case-insensitively; the name shown is the spelling of its first appearance.
"""
import copy

from services import scenes as scene_service
from services import integrity, users
from services.forecast import amount, money
from utils import activity
from utils.errors import Conflict, NotFound, ValidationError
from utils.etags import check_if_match
from utils.listing import ListSpec
from utils.store import get_store
from utils.validation import SERVER_OWNED, Date, Field, FieldError, Number, Reference, String, validate

CAST = "cast"
MAX_MONEY = 10**12  # as the budget
MAX_UNAVAILABLE = 1000


class DateList(Field):
    """A list of dates, kept sorted and without repeats."""

    def __init__(self, max_items=MAX_UNAVAILABLE, **kw):
        super().__init__(**kw)
        self.max_items, self.item = max_items, Date()

    def check(self, value):
        if not isinstance(value, list) or len(value) > self.max_items:
            raise FieldError(f"must be a list of at most {self.max_items} dates")
        try:
            return sorted({self.item.check(item) for item in value})
        except FieldError as exc:
            raise FieldError(f"every item {exc}") from None

    def json_schema(self):
        return {"type": "array", "maxItems": self.max_items, "items": self.item.json_schema()}


SCHEMA = {
    "castId": Number(minimum=1, maximum=100000, integer=True, nullable=True),  # null: numbered automatically
    "actor": String(max_len=200),
    "userId": Reference(),
    "dailyRate": Number(minimum=0, maximum=MAX_MONEY, decimals=2),
    "unavailable": DateList(),
}
IGNORED = SERVER_OWNED | {"character", "scenes"}  # derived from the script
STORED_SCHEMA = {**SCHEMA, "dailyRate": Number(minimum=0, decimals=2)}
LISTING = ListSpec(text=("character", "actor"), sortable=("castId", "character", "actor", "dailyRate", "scenes"),
                   order=("castId",))
DOOD_LISTING = ListSpec(text=("character", "actor"), sortable=("castId", "character", "actor", "work", "hold", "drop",
                                                               "paidDays", "cost"), order=("castId",))
DEFAULTS = {"castId": None, "actor": "", "userId": None, "dailyRate": 0, "unavailable": []}


def empty_cast():
    return {"members": {}}


def key(name):
    return name.strip().casefold()


def characters(scenes):
    """[(key, name as first spelled, number of scenes)] in order of first appearance (scene order)."""
    found = {}
    for scene in sorted(scenes, key=lambda s: s.get("scene_number", 0)):
        for name in dict.fromkeys(key(n) for n in scene.get("characters") or ()):
            if name not in found:
                found[name] = [next(n.strip() for n in scene["characters"] if key(n) == name), 0]
            found[name][1] += 1
    return [(name, spelled, count) for name, (spelled, count) in found.items()]


def cast_list(scenes=None, stored=None):
    """Every character of ``scenes`` (default: the script's) with its settings and cast id, by cast id.

    Cast ids: a character's own ``castId`` when set (the first of two returning characters holding
    the same one keeps it), then the lowest numbers not taken, in order of number of scenes (most
    first), then first appearance."""
    scenes = scene_service.scenes() if scenes is None else scenes
    stored = get_store().read(CAST)["members"] if stored is None else stored
    people = {user["id"] for user in get_store().scan(users.USERS)}  # a deleted user's cast member shows no user
    found = characters(scenes)
    ranked = sorted(range(len(found)), key=lambda i: (-found[i][2], i))
    ids, taken = {}, set()
    for i in ranked:
        own = stored.get(found[i][0], {}).get("castId")
        if own is not None and own not in taken:
            ids[i] = own
            taken.add(own)
    free = (n for n in range(1, len(found) + len(taken) + 2) if n not in taken)
    for i in ranked:
        if i not in ids:
            ids[i] = next(free)
    members = [_present(name, spelled, count, ids[i], stored.get(name, {}), people)
               for i, (name, spelled, count) in enumerate(found)]
    return sorted(members, key=lambda m: m["castId"])


def _present(name, spelled, count, cast_id, settings, people):
    settings = {**DEFAULTS, **settings}
    user_id = settings["userId"] if settings["userId"] in people else None
    return {"castId": cast_id, "character": spelled, "actor": settings["actor"], "userId": user_id,
            "dailyRate": money(amount(settings["dailyRate"])), "unavailable": list(settings["unavailable"]),
            "scenes": count, "key": name}


def public(member):
    return {name: value for name, value in member.items() if name != "key"}


def list_cast():
    return [public(member) for member in cast_list()]


def update_member(character, body, if_match=None):
    """Set a character's castId, actor, user, daily rate or unavailable dates (partial)."""
    changes = validate(body, SCHEMA, partial=True, ignored=IGNORED)
    if changes.get("userId") is not None and not users.exists(changes["userId"]):
        raise ValidationError({"userId": f"no user with id {changes['userId']}"})
    name = key(character)
    with get_store().transaction(CAST) as transaction:
        document = transaction.document(CAST)
        members = document["members"]
        listed = cast_list(stored=members)
        current = next((m for m in listed if m["key"] == name), None)
        if current is None:
            raise NotFound(f"No character named {character!r} in the script's scenes")
        check_if_match(public(current), if_match)
        wanted = changes.get("castId")
        holder = next((m for m in listed if m["castId"] == wanted and m["key"] != name), None)
        if wanted is not None and holder and members.get(holder["key"], {}).get("castId") == wanted:
            raise Conflict(f"Cast id {wanted} is already {holder['character']}'s",
                           errors={"castId": f"already taken by {holder['character']}"})
        before = {**DEFAULTS, **copy.deepcopy(members.get(name, {}))}
        after = {**before, **changes}
        members[name] = after
        updated = next(m for m in cast_list(stored=members) if m["key"] == name)
    changed = [field for field in SCHEMA if before[field] != after[field]]
    summary = (f"updated cast member {updated['castId']} {updated['character']}: {', '.join(changed)}" if changed
               else f"saved cast member {updated['castId']} {updated['character']} unchanged")
    activity.record("update", "cast_member", updated["character"], before=before, after=after, summary=summary)
    return public(updated)


def check_data():
    """Problems of ``cast.json``, each naming the file and the character; [] when sound."""
    store = get_store()
    document = store.read(CAST)
    where, problems = store.filename(CAST), []
    if not isinstance(document["members"], dict):
        return [f"{where}: members must be an object"]
    for name, settings in document["members"].items():
        problems += integrity.schema_problems(f"{where} character {name!r}", settings, STORED_SCHEMA, partial=True)
    return problems
