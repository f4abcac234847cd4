"""Change tracking: what a transaction's block did to a record collection, known exactly.

Inside a transaction a collection (``{"seq", "items"}``) is copied on access: its ``items``
(``RecordItems``) hand out a private copy of a record the first time it is looked up, so a write
pays only for the records it touches, and the records it added, changed and removed are known
(``Changes``). Any other document is a private deep copy. ``FileTransaction`` and ``FileRecords``
are the storage interface's ``Transaction`` and ``RecordSet`` over these working copies.
"""
from utils.serialise import through_json
from utils.storage.interface import Changes

_MISSING = object()


def new_collection():
    """The empty shape of a record collection: records by id, and the last id handed out."""
    return {"seq": 0, "items": {}}


def insert_record(document, fields):
    """Add a record under the collection's next id (ids are strings, never reused); return it."""
    document["seq"] += 1
    record = {"id": str(document["seq"]), **fields}
    document["items"][record["id"]] = record
    return record


class FileTransaction:
    """``utils.storage.interface.Transaction`` over the working copies of the listed documents."""

    def __init__(self, working):
        self._working = working
        self._records = {}

    def _working_copy(self, name):
        try:
            return self._working[name]
        except KeyError:
            raise KeyError(f"{name} is not one of this transaction's names") from None

    def records(self, name):
        if name not in self._records:
            self._records[name] = FileRecords(self._working_copy(name))
        return self._records[name]

    def document(self, name):
        return self._working_copy(name)

    def replace(self, name, value):
        document = self._working_copy(name)
        if isinstance(document, dict):
            document.clear()
            document.update(value)
        else:
            document[:] = value

    def entries(self, name):
        return DocumentEntries(self._working_copy(name))


class DocumentEntries:
    """``utils.storage.interface.Entries`` over a document ``{key: entry}``: the file keeps them all."""

    def __init__(self, document):
        self.document = document

    def get(self, key):
        return self.document.get(key)

    def put(self, key, entry):
        self.document[key] = entry

    def delete(self, key):
        self.document.pop(key, None)

    def prune(self, moment):
        for key in [key for key, entry in self.document.items() if not _alive(entry, moment)]:
            del self.document[key]


def _alive(entry, moment):
    """An entry without an ``expires`` (written by an older version) counts as expired."""
    return isinstance(entry, dict) and isinstance(entry.get("expires"), (int, float)) and entry["expires"] >= moment


class FileRecords:
    """``utils.storage.interface.RecordSet`` over a collection's working copy ``{seq, items}``."""

    def __init__(self, document):
        self._document = document
        self._items = document["items"]

    def get(self, record_id):
        return self._items.get(record_id)

    def __contains__(self, record_id):
        return dict.__contains__(self._items, record_id)  # no private copy for a look

    def __len__(self):
        return len(self._items)

    def scan(self):
        return iter(self._items.values())

    def insert(self, fields):
        return insert_record(self._document, fields)

    def next_id(self):
        return str(self._document["seq"] + 1)

    def update(self, record_id, changes):
        record = self.get(record_id)
        if record is not None:
            record.update(changes)
        return record

    def delete(self, record_id):
        return self._items.pop(record_id, None) if record_id in self else None


class RecordItems(dict):
    """A collection's ``items`` inside a transaction: the snapshot's records, each copied the
    first time it is handed out, so the caller may change what it gets and the shared snapshot
    is never touched. Every key handed out, set or removed is noted for ``settle``."""

    def __init__(self, shared):
        super().__init__(shared)
        self.shared = shared
        self.touched = set()

    def _own(self, key):
        value = dict.__getitem__(self, key)
        self.touched.add(key)
        if value is self.shared.get(key, _MISSING):
            value = through_json(value)
            dict.__setitem__(self, key, value)
        return value

    def __getitem__(self, key):
        return self._own(key)

    def get(self, key, default=None):
        return self._own(key) if key in self else default

    def __iter__(self):  # also keeps {**items} and dict(items) off the shared records
        return dict.__iter__(self)

    def values(self):
        return [self._own(key) for key in list(dict.keys(self))]

    def items(self):
        return [(key, self._own(key)) for key in list(dict.keys(self))]

    def __setitem__(self, key, value):
        self.touched.add(key)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key):
        self.touched.add(key)
        dict.__delitem__(self, key)

    def pop(self, key, *default):
        if key not in self:
            return dict.pop(self, key, *default)
        value = self._own(key)
        dict.__delitem__(self, key)
        return value

    def popitem(self):
        key = next(reversed(list(dict.keys(self))))
        return key, self.pop(key)

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args, **kwargs):
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other):
        self.update(other)
        return self

    def clear(self):
        self.touched.update(dict.keys(self))
        dict.clear(self)

    def copy(self):
        return {key: self._own(key) for key in list(dict.keys(self))}

    def __reduce_ex__(self, protocol):  # copy.deepcopy: a plain dict of private copies
        return dict, (self.copy(),)


def merge(changes, before, after):
    """One ``Changes`` from ``before`` to ``after`` for the blocks applied in between."""
    if not all(change.records for change in changes):
        return Changes(other=any(not change.empty for change in changes))
    old, new = before["items"], after["items"]
    keys = dict.fromkeys(key for change in changes for key in change.added + change.changed + change.removed)
    return Changes(tuple(key for key in keys if key in new and key not in old),
                   tuple(key for key in keys if key in new and key in old and new[key] is not old[key]),
                   tuple(key for key in keys if key not in new and key in old),
                   any(change.other for change in changes), records=True)


def is_collection(document):
    return type(document) is dict and type(document.get("items")) is dict and "seq" in document


def working_copy(document):
    if not is_collection(document):
        return through_json(document)
    items = document["items"]
    return {key: RecordItems(items) if value is items else through_json(value) for key, value in document.items()}


def settle(before, working):
    """(the document to store, its ``Changes``). The stored document shares every untouched
    record with ``before`` and holds private copies of the rest, so the caller, who may keep
    changing what the block returned, can never reach into a published snapshot."""
    items = working.get("items") if type(working) is dict else None
    if not (type(items) is RecordItems and is_collection(before) and items.shared is before["items"]):
        document = through_json(working)
        return document, Changes(other=document != before)
    shared, settled = items.shared, dict(dict.items(items))  # raw values: no copy on access
    added, changed, removed = [], [], []
    for key in sorted(items.touched, key=_natural):
        value, old = settled.get(key, _MISSING), shared.get(key, _MISSING)
        if value is _MISSING:
            if old is not _MISSING:
                removed.append(key)
        elif value is not old:
            if old is not _MISSING and value == old:
                settled[key] = old  # looked at, not changed
            else:
                settled[key] = through_json(value)
                (changed if old is not _MISSING else added).append(key)
    top = {key: through_json(value) for key, value in working.items() if key != "items"}
    document = {key: settled if key == "items" else top[key] for key in working}
    other = top != {key: value for key, value in before.items() if key != "items"} or list(working) != list(before)
    return document, Changes(tuple(added), tuple(changed), tuple(removed), other, records=True)


def _natural(key):
    text = str(key)
    return (0, int(text), "") if text.isascii() and text.isdigit() else (1, 0, text)
