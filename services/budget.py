"""The production budget (SPEC §3 Budget): settings, categories and the ledger of spending.

``budget.json`` is one document, not a record collection: ``{currency, startDate?, endDate?,
categories: [{name, budgeted}], seq, entries: [{id, date, amount, category, description,
createdBy, createdAt}]}``. The ledger is the single source of truth: what a category has spent
and what remains is derived from it on every read and never stored.
"""
import copy

from services import integrity
from services.forecast import amount, forecast, money, percent, spent_by_category
from utils import activity, clock
from utils.errors import Conflict, PreconditionFailed, ValidationError
from utils.etags import check_if_match
from utils.listing import ListSpec, query
from utils.store import get_store
from utils.validation import SERVER_OWNED, Date, Field, FieldError, Number, QueryDate, String, validate, validate_query

BUDGET = "budget"
MAX_MONEY = 10**12  # a trillion: beyond any production, and well inside exact float cents

CATEGORY_NAME = String(min_len=1, max_len=100)
SETTINGS_SCHEMA = {
    "currency": String(pattern=r"[A-Z]{3}", hint="must be 3 capital letters, e.g. USD"),
    "startDate": Date(nullable=True),
    "endDate": Date(nullable=True),
}
CATEGORY_SCHEMA = {
    "name": CATEGORY_NAME,
    "budgeted": Number(minimum=0, maximum=MAX_MONEY, decimals=2),
}
ENTRY_SCHEMA = {
    "date": Date(default=lambda: clock.today()),  # looked up when called, so "today" is always now
    "amount": Number(minimum=0, exclusive_min=True, maximum=MAX_MONEY, decimals=2, required=True),
    "category": String(min_len=1, max_len=100, required=True),
    "description": String(min_len=1, max_len=500, required=True),
}
DERIVED = frozenset({"total", "spent", "remaining", "percentUsed", "forecast"})
STORED_ENTRY_SCHEMA = {
    "id": String(min_len=1, required=True), **ENTRY_SCHEMA, "date": Date(required=True),
    "createdBy": String(min_len=1, required=True), "createdAt": String(min_len=1, required=True),
}
STORED_CATEGORY_SCHEMA = {"name": String(min_len=1, max_len=100, required=True),
                          "budgeted": Number(minimum=0, decimals=2, required=True)}


class ChangedElsewhere(Field):
    """Lists a client may read in ``GET /budget`` but changes through their own endpoints."""

    def __init__(self, where):
        super().__init__()
        self.where = where

    def clean(self, value):
        raise FieldError(f"are changed with {self.where}, not here")

    def json_schema(self):
        return {"not": {}, "description": f"Not accepted here: changed with {self.where}"}


SETTINGS_INPUT = {**SETTINGS_SCHEMA, "categories": ChangedElsewhere("PUT /api/budget/category/{name}"),
                  "history": ChangedElsewhere("POST /api/budget/history")}

CATEGORY_LISTING = ListSpec(text=("name",), sortable=("name", "budgeted", "spent", "remaining", "percentUsed"))
HISTORY_LISTING = ListSpec(
    exact=("category",),
    text=("description", "category"),
    sortable=("id", "date", "amount", "category", "description", "createdAt"),
    order=("-date", "-createdAt", "-id"),  # newest first; id breaks a tie within one second
)
HISTORY_QUERY = {"from": QueryDate(), "to": QueryDate()}  # both inclusive
AS_OF_QUERY = {"asOf": QueryDate()}  # absent: today (UTC)


def empty_budget():
    # startDate/endDate are absent until set: the store checks top-level types against this shape.
    return {"currency": "USD", "categories": [], "seq": 0, "entries": []}


# -- reads ----------------------------------------------------------------------------------
def overview(document=None):
    """The whole budget as ``GET /budget`` shows it: settings, totals, categories, history, forecast."""
    document = document or get_store().read(BUDGET)
    categories = present_categories(document)
    total = sum((amount(c["budgeted"]) for c in document["categories"]), amount(0))
    spent = sum((amount(e["amount"]) for e in document["entries"]), amount(0))
    return {
        "currency": document["currency"],
        "startDate": document.get("startDate"),
        "endDate": document.get("endDate"),
        "total": money(total),
        "spent": money(spent),
        "remaining": money(total - spent),
        "categories": categories,
        "history": query(_present_entries(document), {}, HISTORY_LISTING).items,
        "forecast": forecast(document, clock.today()),
    }


def present_categories(document):
    """Categories with their derived ``spent``, ``remaining`` and ``percentUsed`` (whole ledger)."""
    spent = spent_by_category(document["entries"])
    return [_present_category(category, spent.get(category["name"], amount(0))) for category in document["categories"]]


def list_categories(args):
    return query(present_categories(get_store().read(BUDGET)), args, CATEGORY_LISTING)


def list_history(args):
    """Ledger entries newest first, filtered by ``category``, ``from`` and ``to`` (both inclusive)."""
    bounds = validate_query(args, HISTORY_QUERY)
    entries = [entry for entry in _present_entries(get_store().read(BUDGET))
               if bounds.get("from", entry["date"]) <= entry["date"] <= bounds.get("to", entry["date"])]
    return query(entries, args, HISTORY_LISTING)


def get_forecast(as_of=None):
    return forecast(get_store().read(BUDGET), check_as_of(as_of))


def check_as_of(as_of):
    """The ``asOf`` query parameter: a date, defaulting to today (UTC)."""
    if as_of is None:
        return clock.today()
    return validate_query({"asOf": as_of}, AS_OF_QUERY)["asOf"]


# -- writes ---------------------------------------------------------------------------------
def update_settings(body, if_match=None):
    """Currency and production dates (partial); endDate may not fall before startDate."""
    changes = validate(body, SETTINGS_INPUT, partial=True, ignored=SERVER_OWNED | DERIVED)
    with get_store().transaction(BUDGET) as transaction:
        document = transaction.document(BUDGET)
        if if_match:
            check_if_match(overview(document), if_match)
        before = _settings(document)
        document.update(changes)
        start, end = document.get("startDate"), document.get("endDate")
        if start and end and end < start:
            field = "endDate" if "endDate" in changes else "startDate"
            raise ValidationError({field: f"the end date ({end}) must not be before the start date ({start})"})
        after = _settings(document)
    activity.record("update", "budget", None, before=before, after=after)
    return overview(document)


def put_category(url_name, body, if_match=None):
    """Update, rename or create the category named in the URL; returns (category, created)."""
    name = _category_name(url_name)
    changes = validate(body, CATEGORY_SCHEMA, partial=True, ignored=SERVER_OWNED | DERIVED)
    with get_store().transaction(BUDGET) as transaction:
        document = transaction.document(BUDGET)
        category = _find(document, name)
        if category is None:
            category, before = _new_category(document, name, changes, if_match), None
        else:
            if if_match:
                check_if_match(_present_category(category, _spent_of(document, name)), if_match)
            before = copy.deepcopy(category)
            _rename(document, category, changes.get("name", name))
            category.update(changes)
    action = "create" if before is None else "update"
    activity.record(action, "budget_category", category["name"], before=before, after=category)
    return _present_category(category, _spent_of(document, category["name"])), before is None


def add_entry(body, actor):
    """Record one spending entry in an existing category; undated means today (UTC)."""
    fields = validate(body, ENTRY_SCHEMA)
    with get_store().transaction(BUDGET) as transaction:
        document = transaction.document(BUDGET)
        if _find(document, fields["category"]) is None:
            raise ValidationError({"category": f"no budget category named {fields['category']!r}"})
        document["seq"] += 1
        entry = {"id": str(document["seq"]), **fields, "createdBy": actor["id"], "createdAt": clock.timestamp()}
        document["entries"].append(entry)
    activity.record("create", "budget_entry", entry["id"], after=entry)
    return _present_entry(entry)


# -- helpers --------------------------------------------------------------------------------
def _settings(document):
    return {name: document.get(name) for name in SETTINGS_SCHEMA}


def _category_name(url_name):
    try:
        return CATEGORY_NAME.clean(url_name)
    except FieldError as exc:
        raise ValidationError({"name": str(exc)}) from None


def _find(document, name):
    return next((c for c in document["categories"] if c["name"] == name), None)


def _check_name_free(document, name, own=None):
    """Category names are unique ignoring case, so "VFX" and "vfx" never split one ledger in two."""
    taken = next((c for c in document["categories"] if c["name"].lower() == name.lower() and c is not own), None)
    if taken:
        raise Conflict(f"A budget category named {taken['name']!r} already exists", errors={"name": "already exists"})


def _new_category(document, name, changes, if_match):
    if if_match and if_match.strip() != "*":
        raise PreconditionFailed(f"No budget category named {name!r}: If-Match cannot match it")
    if changes.get("name", name) != name:
        raise ValidationError({"name": f"differs from the URL's {name!r}: a new category takes the URL's name"})
    if "budgeted" not in changes:
        raise ValidationError({"budgeted": "is required to create a category"})
    _check_name_free(document, name)
    category = {"name": name, "budgeted": changes["budgeted"]}
    document["categories"].append(category)
    return category


def _rename(document, category, new_name):
    """A rename carries the category's ledger entries along."""
    if new_name == category["name"]:
        return
    _check_name_free(document, new_name, own=category)
    for entry in document["entries"]:
        if entry["category"] == category["name"]:
            entry["category"] = new_name


def _spent_of(document, name):
    return spent_by_category(document["entries"]).get(name, amount(0))


def _present_category(category, spent):
    budgeted = amount(category["budgeted"])
    return {"name": category["name"], "budgeted": money(budgeted), "spent": money(spent),
            "remaining": money(budgeted - spent), "percentUsed": percent(spent, budgeted)}


def _present_entries(document):
    return [_present_entry(entry) for entry in document["entries"]]


def _present_entry(entry):
    return {**entry, "amount": money(amount(entry["amount"]))}


# -- the activity log's words for budget changes ------------------------------------------------
def category_phrase(change):
    """ "raised Camera from 1,000.00 to 2,000.00", "renamed budget category A to B" (else None)."""
    changes = change.changes
    if change.action == "update" and set(changes) == {"budgeted"}:
        old, new = changes["budgeted"]["from"], changes["budgeted"]["to"]
        verb = "cut" if (new or 0) < (old or 0) else "raised"
        return f"{verb} {change.entity_id} from {_money(old)} to {_money(new)}"
    if change.action == "update" and "name" in changes:
        return f"renamed budget category {changes['name']['from']} to {changes['name']['to']}"
    return None


def entry_phrase(change):
    """ "recorded 1,249.75 on Post-production: Backup drives" for a new ledger entry (else None)."""
    if change.action != "create":
        return None
    after = change.after
    return f"recorded {_money(after.get('amount'))} on {after.get('category')}: {after.get('description', '')}".rstrip(": ")


def _money(value):
    return f"{amount(value or 0):,.2f}"


# -- integrity ------------------------------------------------------------------------------------
def check_data():
    """For check-data: settings, categories and ledger entries fit their schemas; names and ids are
    unique; every entry's category exists."""
    store = get_store()
    document, filename = store.read(BUDGET), store.filename(BUDGET)
    settings = {name: document[name] for name in SETTINGS_SCHEMA if name in document}
    problems = integrity.schema_problems(f"{filename} settings", settings, SETTINGS_SCHEMA)
    names = set()
    for index, category in enumerate(document["categories"], start=1):
        where = f"{filename} category {index}"
        problems += integrity.schema_problems(where, category, STORED_CATEGORY_SCHEMA)
        name = category.get("name") if isinstance(category, dict) else None
        if str(name).lower() in {str(n).lower() for n in names}:
            problems.append(f"{where}: name {name!r} is used twice")
        names.add(name)
    ids = set()
    for index, entry in enumerate(document["entries"], start=1):
        where = f"{filename} ledger entry {index}"
        problems += integrity.schema_problems(where, entry, STORED_ENTRY_SCHEMA)
        if not isinstance(entry, dict):
            continue
        entry_id = str(entry.get("id"))
        if not entry_id.isdigit() or int(entry_id) > document["seq"] or entry_id in ids:
            problems.append(f"{where}: id {entry_id} is repeated or not below the document's seq ({document['seq']})")
        ids.add(entry_id)
        if entry.get("category") not in names:
            problems.append(f"{where}: category {entry.get('category')!r} does not exist")
    return problems
