"""`check-data`: every data file parses, and every stored record fits its domain's schema."""
from services import assets, tasks, users, vfx
from utils.errors import ValidationError
from utils.store import StoreCorruptError, get_store
from utils.validation import SERVER_OWNED, validate

# Collection name -> schema of one stored record. Each domain adds its own here.
RECORD_SCHEMAS = {
    "users": users.STORED_SCHEMA,
    "tasks": tasks.STORED_SCHEMA,
    "vfx": vfx.STORED_SCHEMA,
    "assets": assets.STORED_SCHEMA,
}


def check_all():
    """A list of readable problems, each naming the file (and the record); empty when all is sound."""
    store = get_store()
    problems = []
    for name in store.names:
        try:
            document = store.read(name)
        except StoreCorruptError as exc:
            problems.append(str(exc))
            continue
        if name in RECORD_SCHEMAS:
            problems += _check_collection(store.filename(name), document, RECORD_SCHEMAS[name])
    return problems + _dangling_assignees(store) + _asset_files_and_links(store)


def _dangling_assignees(store):
    """Records whose assigneeId names no user (a crash between deleting a user and unassigning)."""
    try:
        user_ids = set(store.read("users")["items"])
        return [
            f"{store.filename(name)} record {key}: assigneeId {record['assigneeId']} names no user"
            for name in users.ASSIGNED_COLLECTIONS
            for key, record in store.read(name)["items"].items()
            if isinstance(record, dict) and record.get("assigneeId") not in (None, *user_ids)
        ]
    except StoreCorruptError:
        return []  # a broken file is already reported above


def _asset_files_and_links(store):
    """Asset records without their file, files without a record (a crash between the two writes),
    and VFX versions whose assetId names no asset."""
    try:
        asset_ids = set(store.read("assets")["items"])
        dangling = [
            f"{store.filename('vfx')} record {key}: version {version.get('version')} assetId "
            f"{version['assetId']} names no asset"
            for key, shot in store.read("vfx")["items"].items() if isinstance(shot, dict)
            for version in shot.get("versions") or [] if isinstance(version, dict)
            and version.get("assetId") not in (None, *asset_ids)
        ]
        return assets.file_problems() + dangling
    except StoreCorruptError:
        return []  # a broken file is already reported above


def _check_collection(filename, document, schema):
    items, seq = document.get("items"), document.get("seq")
    if not isinstance(items, dict) or not isinstance(seq, int):
        return [f"{filename}: expected {{\"seq\": <int>, \"items\": {{...}}}}"]
    problems = []
    for key, record in items.items():
        where = f"{filename} record {key}"
        if not isinstance(record, dict) or record.get("id") != key:
            problems.append(f"{where}: id does not match its key")
            continue
        if not key.isdigit() or int(key) > seq:
            problems.append(f"{where}: id is not below the collection's seq ({seq})")
        try:
            validate(record, schema, ignored=SERVER_OWNED | _derived(schema))
        except ValidationError as exc:
            details = "; ".join(f"{field} {problem}" for field, problem in exc.errors.items())
            problems.append(f"{where}: {details}")
    return problems


def _derived(schema):
    return frozenset({"permissions", "assignee"}) - set(schema)
