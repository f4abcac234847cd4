"""`check-data`: every data file parses, and every stored record fits its domain's schema."""
from services import assets, budget, cast, deliverables, releases, schedule, script, tasks, users, vfx
from utils import activity
from utils.errors import ValidationError
from utils.store import StoreCorruptError, get_store
from utils.validation import SERVER_OWNED, validate

# Collection name -> schema of one stored record. Each domain adds its own here.
RECORD_SCHEMAS = {
    "users": users.STORED_SCHEMA,
    "tasks": tasks.STORED_SCHEMA,
    "vfx": vfx.STORED_SCHEMA,
    "assets": assets.STORED_SCHEMA,
    "releases": releases.STORED_SCHEMA,
    "deliverables": deliverables.STORED_SCHEMA,
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
        if name == budget.BUDGET:
            problems += _check_budget(store.filename(name), document)
    return (problems + _dangling_assignees(store) + script.check_data() + _asset_files_and_links(store)
            + _damaged_log_lines() + _deliverable_links(store) + _schedule_problems())


def _schedule_problems():
    try:
        return schedule.check_data() + cast.check_data()
    except StoreCorruptError:
        return []  # a broken file is already reported above


def _damaged_log_lines():
    log = activity.event_log()
    return [f"{log.filename} line {number}: {problem}" for number, problem in log.damaged_lines()]


def _dangling_assignees(store):
    """Records whose assigneeId names no user (a crash between deleting a user and unassigning)."""
    try:
        user_ids = _ids(store, "users")
        return [
            f"{store.filename(name)} record {key}: assigneeId {record['assigneeId']} names no user"
            for name in users.ASSIGNED_COLLECTIONS
            for key, record in _records(store, name)
            if record.get("assigneeId") not in (None, *user_ids)
        ]
    except StoreCorruptError:
        return []  # a broken file is already reported above


def _asset_files_and_links(store):
    """Asset records without their file, files without a record (a crash between the two writes),
    and VFX versions whose assetId names no asset."""
    try:
        asset_ids = _ids(store, "assets")
        dangling = [
            f"{store.filename('vfx')} record {key}: version {version.get('version')} assetId "
            f"{version['assetId']} names no asset"
            for key, shot in _records(store, "vfx")
            for version in shot.get("versions") or [] if isinstance(version, dict)
            and version.get("assetId") not in (None, *asset_ids)
        ]
        return assets.file_problems() + dangling
    except StoreCorruptError:
        return []  # a broken file is already reported above


def _deliverable_links(store):
    """Deliverables whose releaseId or assetId names nothing (a crash between a delete and its
    unlinking), and submitted ones without an asset."""
    try:
        windows, asset_ids = _ids(store, "releases"), _ids(store, "assets")
        problems = []
        for key, item in _records(store, "deliverables"):
            where = f"{store.filename('deliverables')} record {key}"
            if item.get("releaseId") not in (None, *windows):
                problems.append(f"{where}: releaseId {item['releaseId']} names no release window")
            if item.get("assetId") not in (None, *asset_ids):
                problems.append(f"{where}: assetId {item['assetId']} names no asset")
            elif item.get("assetId") is None and item.get("approvalStatus") in deliverables.IN_REVIEW:
                problems.append(f"{where}: {item['approvalStatus']} without an asset")
        return problems
    except StoreCorruptError:
        return []  # a broken file is already reported above


def _records(store, name):
    """(id, record) of every well-formed record (the others are reported by ``_check_collection``)."""
    return [(record["id"], record) for record in store.scan(name) if isinstance(record, dict) and "id" in record]


def _ids(store, name):
    return {key for key, _record in _records(store, name)}


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


def _check_budget(filename, document):
    """Settings, categories and ledger entries fit their schemas; names and ids are unique; every
    entry's category exists."""
    settings = {name: document[name] for name in budget.SETTINGS_SCHEMA if name in document}
    problems = _fields_problems(f"{filename} settings", settings, budget.SETTINGS_SCHEMA)
    names = set()
    for index, category in enumerate(document["categories"], start=1):
        where = f"{filename} category {index}"
        problems += _fields_problems(where, category, budget.STORED_CATEGORY_SCHEMA)
        name = category.get("name") if isinstance(category, dict) else None
        if str(name).lower() in {str(n).lower() for n in names}:
            problems.append(f"{where}: name {name!r} is used twice")
        names.add(name)
    ids = set()
    for index, entry in enumerate(document["entries"], start=1):
        where = f"{filename} ledger entry {index}"
        problems += _fields_problems(where, entry, budget.STORED_ENTRY_SCHEMA)
        if not isinstance(entry, dict):
            continue
        entry_id = str(entry.get("id"))
        if not entry_id.isdigit() or int(entry_id) > document["seq"] or entry_id in ids:
            problems.append(f"{where}: id {entry_id} is repeated or not below the document's seq ({document['seq']})")
        ids.add(entry_id)
        if entry.get("category") not in names:
            problems.append(f"{where}: category {entry.get('category')!r} does not exist")
    return problems


def _fields_problems(where, value, schema):
    try:
        validate(value, schema)
    except ValidationError as exc:
        return [f"{where}: " + "; ".join(f"{field} {problem}" for field, problem in exc.errors.items())]
    return []
