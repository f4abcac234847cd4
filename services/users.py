"""Users: the team directory, with the Producer / Production Manager / self-service rules of SPEC §4."""
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from services import integrity
from services.records import Records
from utils import clock
from utils.durable import off_the_loop
from utils.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationError
from utils.listing import ListSpec, query
from utils.permissions import CREW_ROLES, ROLES, can, permissions_of
from utils.store import get_store
from utils.validation import SERVER_OWNED, Email, Enum, String, Url, validate

USERS = "users"
ASSIGNED_COLLECTIONS = ("tasks", "vfx")  # collections whose records carry an assigneeId
SELF_EDITABLE = {"name", "email", "avatar", "password", "current_password"}

USERNAME_HINT = "must be 3-50 letters, digits, '.', '_' or '-'"
SCHEMA = {
    "username": String(min_len=3, max_len=50, pattern=r"[A-Za-z0-9._-]+", required=True, hint=USERNAME_HINT),
    "name": String(min_len=1, max_len=100, required=True),
    "email": Email(required=True),
    "role": Enum(ROLES, required=True),
    "avatar": Url(default=""),
    "password": String(min_len=8, max_len=1024, strip=False, required=True),
    "current_password": String(max_len=1024, strip=False),
}
IGNORED = SERVER_OWNED | {"permissions", "passwordHash"}
# SPEC §5 names the demo Production Manager `pm`, two characters: the demo seed (and so a stored
# record) may hold that one short name, while every username a client or the CLI sends needs 3-50.
DEMO_SCHEMA = {**SCHEMA, "username": String(min_len=2, max_len=50, pattern=r"[A-Za-z0-9._-]+", required=True)}
STORED_SCHEMA = {
    **{name: field for name, field in DEMO_SCHEMA.items() if name not in ("password", "current_password")},
    "passwordHash": String(min_len=1, max_len=1024, required=True),
}
LISTING = ListSpec(
    enums={"role": ROLES},
    text=("username", "name", "email", "role"),
    sortable=("id", "username", "name", "email", "role", "createdAt", "updatedAt"),
)


def public(user):
    """A user as clients see it: never the hash, always the derived permissions."""
    shown = {key: value for key, value in user.items() if key != "passwordHash"}
    shown["permissions"] = permissions_of(user)
    return shown


def list_users(args=None):
    """The team directory as a ``Page`` (filters ``role`` and ``q``, ``sort``, paging)."""
    return query([public(user) for user in get_store().scan(USERS)], args or {}, LISTING)


def get_user(user_id):
    return public(_found(get_store().get(USERS, user_id), user_id))


def exists(user_id):
    return get_store().has(USERS, user_id)


def display_names():
    """User id -> name, for records that derive ``assignee`` from ``assigneeId``."""
    return {user["id"]: user["name"] for user in get_store().scan(USERS)}


def find_by_login(login):
    """The stored user whose username or email matches ``login`` (case-insensitive), or None."""
    wanted = login.strip().lower()
    for user in get_store().scan(USERS):
        if user["username"].lower() == wanted or user["email"] == wanted:
            return user
    return None


records = Records(USERS, "User", public, entity="user", creator=False)


def create_user(body, actor=None, schema=SCHEMA):
    """Create a user; ``actor`` None is the command line or the seed, which may create any role."""
    fields = validate(body, schema, ignored=IGNORED)
    fields.pop("current_password", None)
    if actor is not None:
        _check_may_create(actor, fields["role"])  # early, so a refusal costs no hashing
    password_hash = hash_password(fields.pop("password"))  # slow: outside the lock

    def check(users, fields):
        if actor is not None:
            _check_may_create(_acting(users, actor), fields["role"])
        _check_unique(users, fields)

    return public(records.create({**fields, "passwordHash": password_hash}, actor, check=check))


def update_user(user_id, body, actor, if_match=None):
    changes = validate(body, SCHEMA, partial=True, ignored=IGNORED)
    _check_may_update(actor, _found(get_store().get(USERS, user_id), user_id), changes)  # early: no hashing for a 403
    if "password" in changes:
        changes["passwordHash"] = hash_password(changes["password"])  # slow: outside the lock
    def authorize(users, user, changes):
        _check_may_update(_acting(users, actor), user, changes)

    def check(users, user, changes):
        _check_unique(users, changes, except_id=user_id)
        current_password = changes.pop("current_password", None)
        if changes.pop("password", None) and actor["id"] == user_id:
            _check_current_password(user, current_password)

    return public(records.update(user_id, changes, if_match, check, authorize))


def set_password(username, password):
    """Command-line password reset; no current password needed."""
    validate({"password": password}, {"password": SCHEMA["password"]})
    user = find_by_login(username)
    if user is None:
        raise NotFound(f"No user named {username!r}")
    with get_store().transaction(USERS) as transaction:
        stored = _found(transaction.records(USERS).get(user["id"]), user["id"])
        stored["passwordHash"] = hash_password(password)
        stored["updatedAt"] = clock.timestamp()


def delete_user(user_id, actor, if_match=None):
    def authorize(users, user):
        acting = _acting(users, actor)
        if not (can(acting, "users:manage") or can(acting, "users:manage_crew")):
            raise Forbidden("Your role does not allow deleting users")
        if user_id == acting["id"]:
            raise Conflict("You cannot delete yourself")
        if not can(acting, "users:manage") and user["role"] not in CREW_ROLES:
            raise Forbidden("A Production Manager may only delete Crew or VFX users")

    def check(users, user):
        producers = [u for u in users.scan() if u["role"] == "Producer"]
        if user["role"] == "Producer" and len(producers) == 1:
            raise Conflict("The last Producer cannot be deleted")

    records.delete(user_id, if_match, check, authorize)
    release_assignments(user_id)


def release_assignments(user_id):
    """The one place that clears a deleted user's id from every record assigned to them, so no
    ``assigneeId`` dangles (``assignee`` names are derived on read, so they follow)."""
    store = get_store()
    for name in ASSIGNED_COLLECTIONS:
        if not _assigned_to(store.scan(name), user_id):
            continue
        with store.transaction(name) as transaction:
            collection = transaction.records(name)
            for key in _assigned_to(store.scan(name), user_id):  # looked up in the snapshot, so only
                record = collection.get(key)  # these records are copied and rewritten
                if record is not None and record.get("assigneeId") == user_id:
                    record.update(assigneeId=None, updatedAt=clock.timestamp())


def _assigned_to(records, user_id):
    return [record["id"] for record in records if record.get("assigneeId") == user_id]


def hash_password(password):
    # PASSWORD_HASH_METHOD exists so the test suite can use a cheap hash; production keeps scrypt.
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return off_the_loop(generate_password_hash, password, method)  # ~0.1 s: the worker serves others


def verify_password(user, password):
    """True when ``password`` is the user's. An unknown user (None) costs a hash check too, so an
    unknown name and a wrong password take the same time."""
    if user is None:
        off_the_loop(check_password_hash, _dummy_hash(), password)
        return False
    return off_the_loop(check_password_hash, user["passwordHash"], password)


def _dummy_hash():
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("prodsight: no such user", method=method)
    return _DUMMY_HASHES[method]


_DUMMY_HASHES = {}


def _found(user, user_id):
    if user is None:
        raise NotFound(f"User {user_id} not found")
    return user


def _acting(users, actor):
    """The acting user as stored now, read under the lock: the token's user was loaded before the
    lock was taken, and a role changed meanwhile (two Producers demoting each other at once) or a
    deletion must count, or the production could be left without a Producer."""
    current = users.get(actor["id"])
    if current is None:
        raise Unauthorized("The user of this token no longer exists")
    return current


# -- ownership rules of the routes (``requires("users:manage", owner=...)``): what a role without
# users:manage may do, decided before the body, the id or an If-Match is looked at. Users are a
# directory every role reads, so an unknown id stays the view's 404.
def may_create(actor):
    if not can(actor, "users:manage_crew"):
        raise Forbidden("Your role does not allow creating users")


def may_edit(actor, user_id):
    user = get_store().get(USERS, user_id)
    if user is not None and user_id != actor["id"]:
        _check_may_update(actor, user, {})


def may_delete(actor, user_id):
    if not can(actor, "users:manage_crew"):
        raise Forbidden("Your role does not allow deleting users")
    user = get_store().get(USERS, user_id)
    if user is not None and user_id != actor["id"] and user["role"] not in CREW_ROLES:  # oneself: the 409
        raise Forbidden("A Production Manager may only delete Crew or VFX users")


def _check_may_create(actor, role):
    if can(actor, "users:manage"):
        return
    if not can(actor, "users:manage_crew"):
        raise Forbidden("Your role does not allow creating users")
    if role not in CREW_ROLES:
        raise Forbidden("A Production Manager may only create Crew or VFX users")


def _check_may_update(actor, user, changes):
    if actor["id"] == user["id"]:
        if changes.get("role", user["role"]) != user["role"]:
            raise Forbidden("You cannot change your own role")
        others = set(changes) - SELF_EDITABLE - {"role", "passwordHash"}
        if others and not can(actor, "users:manage"):
            raise Forbidden("You may change only your own " + ", ".join(sorted(SELF_EDITABLE - {"current_password"})))
        return
    if can(actor, "users:manage"):
        return
    if can(actor, "users:manage_crew"):
        if user["role"] in CREW_ROLES and changes.get("role", user["role"]) in CREW_ROLES:
            return
        raise Forbidden("A Production Manager may only edit Crew or VFX users, keeping them Crew or VFX")
    raise Forbidden("You may only edit your own profile")


def _check_current_password(user, current_password):
    if not current_password:
        raise ValidationError({"current_password": "is required to change your own password"})
    if not verify_password(user, current_password):
        raise ValidationError({"current_password": "is wrong"})


def _check_unique(users, fields, except_id=None):
    for other in users.scan():
        if other["id"] == except_id:
            continue
        if "username" in fields and other["username"].lower() == fields["username"].lower():
            raise Conflict("Username already taken", errors={"username": "already taken"})
        if "email" in fields and other["email"] == fields["email"]:
            raise Conflict("Email already in use", errors={"email": "already in use"})


def check_data():
    """For check-data: records whose assigneeId names no user (a crash between deleting a user and
    unassigning)."""
    user_ids = integrity.ids(USERS)
    return [f"{get_store().filename(name)} record {key}: assigneeId {record['assigneeId']} names no user"
            for name in ASSIGNED_COLLECTIONS for key, record in integrity.records(name)
            if record.get("assigneeId") not in (None, *user_ids)]
