"""`check-data`: every data file parses, every stored record fits its domain's schema, and each
domain's own checks (utils/domains.py: ``Domain.schemas`` and ``Domain.checks``) find nothing."""
from utils import domains
from utils.errors import ValidationError
from utils.store import StoreCorruptError, get_store
from utils.validation import SERVER_OWNED, validate


def check_all():
    """A list of readable problems, each naming the file (and the record); empty when all is sound."""
    store = get_store()
    schemas = {name: schema for domain in domains.registered() for name, schema in domain.schemas.items()}
    problems = []
    for name in store.names:
        try:
            document = store.read(name)
        except StoreCorruptError as exc:
            problems.append(str(exc))
            continue
        if name in schemas:
            problems += _check_collection(store.filename(name), document, schemas[name])
    for domain in domains.registered():
        for check in domain.checks:
            try:
                problems += check()
            except StoreCorruptError:
                pass  # a broken file is already reported above, by name
    return problems


def records(name):
    """(id, record) of every well-formed record (the others are reported by ``_check_collection``)."""
    return [(record["id"], record) for record in get_store().scan(name) if isinstance(record, dict) and "id" in record]


def ids(name):
    return {key for key, _record in records(name)}


def schema_problems(where, value, schema, **options):
    """[] when ``value`` fits ``schema``, else one line naming ``where`` and each field's problem."""
    try:
        validate(value, schema, **options)
    except ValidationError as exc:
        return [f"{where}: " + "; ".join(f"{field} {problem}" for field, problem in exc.errors.items())]
    return []


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
        problems += schema_problems(where, record, schema, ignored=SERVER_OWNED | _derived(schema))
    return problems


def _derived(schema):
    return frozenset({"permissions", "assignee"}) - set(schema)
