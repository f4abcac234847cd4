"""The locked JSON store: one file per collection, safe across threads, processes and crashes.

Every write is a read-modify-write under an exclusive ``fcntl.flock`` on a sidecar lock file
(``.locks/<name>.lock``), opened per operation, so it spans gunicorn workers and threads. The
lock is on a sidecar because ``os.replace`` swaps the data file's inode. The new content is
serialised first, written to a temp file in the same directory, flushed, fsynced, renamed over
the old file, and the directory is fsynced before the write is acknowledged.

Readers take no lock: a rename is atomic, so they see the old or the new file, never half of one.
Each process keeps one parsed snapshot per document with the file's stat signature, and shares
it with every reader until the signature changes: a read of an unchanged document costs one
``stat``. Snapshots are never mutated, so a reader holding one is never disturbed.

A transaction starts from the current snapshot under the lock (no parse when this process holds
the file's current version) and yields a working copy the caller may change in place:
- a record collection (``{"seq", "items"}``) is copied on access: its ``items`` hand out a private
  copy of a record the first time it is looked up, so a write pays only for the records it
  touches, and the records it added, changed and removed are known exactly (``last_changes()``);
- any other document is a private deep copy.
The new snapshot is published to this process only once the file is on disk; a block that
raises leaves the file, the snapshot and every cache as they were.

Other processes learn a collection's new version from a journal (``.locks/<name>.journal``, one
JSON line per write: the versions it went from and to, and the records it set and removed), so a
worker applies another worker's write to its snapshot instead of parsing the whole file again.
The journal is only a shortcut: when it is missing, torn or does not lead to the file's version,
the file itself is parsed.
"""
import contextlib
import fcntl
import itertools
import os
import tempfile
import threading
import time
from typing import NamedTuple

from utils.serialise import dumps, loads, through_json

from utils.durable import OWNER_ONLY, fsync, fsync_dir, lock_exclusive, make_private, private, storage_step
from utils.eventlog import EventLog
from utils.storage.interface import Changes  # noqa: F401  (part of this module's API)

TEMP_SUFFIX = ".tmp"
JOURNAL_LIMIT = 4 * 1024 * 1024  # the journal starts over once it is this long
GROUP_ROUNDS = 1  # writes one process makes in a row before it lets the lock go (measured: 1 is best)
GROUP_WAIT = 0.005  # seconds a write waits at most for blocks already on their way into it
_MISSING = object()


class StoreCorruptError(Exception):
    """A data file exists but does not parse; it is left untouched for a person to fix."""

    def __init__(self, filename, reason):
        super().__init__(f"Data file {filename} is broken ({reason}); fix or restore it by hand")
        self.filename = filename


class Snapshot(NamedTuple):
    version: tuple | None  # opaque; changes whenever the document does; None: no file yet
    document: object  # shared: never mutate


def new_collection():
    """The empty shape of a record collection: records by id, and the last id handed out."""
    return {"seq": 0, "items": {}}


class Store:
    def __init__(self, data_dir):
        self.data_dir = os.path.abspath(data_dir)
        self.lock_dir = os.path.join(self.data_dir, ".locks")
        os.makedirs(self.lock_dir, mode=OWNER_ONLY, exist_ok=True)
        make_private(self.data_dir)  # files an older version made readable by others (SPEC §5)
        self._defaults = {}
        self._cache = {}  # name -> Snapshot of the file's version
        self._journal_read = {}  # name -> bytes of its journal already read
        self._cache_guard = threading.Lock()
        self._local = threading.local()
        self._groups = {}  # name -> _Group: this process's writers of that document

    # -- registry -------------------------------------------------------------------------
    def register(self, name, default=new_collection):
        """Declare a document and the factory of its content when the file does not exist."""
        self._defaults[name] = default

    @property
    def names(self):
        return sorted(self._defaults)

    def path(self, name):
        return os.path.join(self.data_dir, f"{name}.json")

    def filename(self, name):
        return f"{name}.json"

    def log(self, name):
        """The append-only JSON Lines log ``<name>.jsonl`` (``utils.eventlog``), under this store's lock."""
        return EventLog(os.path.join(self.data_dir, f"{name}.jsonl"), lambda: self.lock(name))

    # -- reading ----------------------------------------------------------------------------
    def read(self, name):
        """The current document. Shared with other readers of this process: do not mutate it."""
        return self.snapshot(name).document

    def snapshot(self, name):
        """The current ``Snapshot(version, document)``: the version names this exact content, so a
        cache keyed on it (an encoded response) is valid as long as the version is current."""
        try:
            signature = _signature(os.stat(self.path(name)))
        except FileNotFoundError:
            return Snapshot(None, self._defaults[name]())
        cached = self._cache.get(name)
        if cached is not None and cached.version == signature:
            return cached
        snapshot = self._from_journal(name, cached, signature) or self._parse(name)
        self._remember(name, snapshot)
        return snapshot

    def exists(self, name):
        return os.path.exists(self.path(name))

    def _parse(self, name):
        """The document read fresh from disk, with the stat it had when opened."""
        try:
            with open(self.path(name), "rb") as handle:
                signature = _signature(os.fstat(handle.fileno()))
                raw = handle.read()
        except FileNotFoundError:
            return Snapshot(None, self._defaults[name]())
        try:
            document = loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise StoreCorruptError(self.filename(name), f"not valid JSON: {exc}") from None
        problem = _shape_problem(document, self._defaults[name]())
        if problem:
            raise StoreCorruptError(self.filename(name), problem)
        return Snapshot(signature, document)

    def _remember(self, name, snapshot):
        if snapshot.version is None:
            return
        with self._cache_guard:
            cached = self._cache.get(name)
            # mtimes strictly increase from one version to the next: never step back to an older one
            if cached is None or cached.version[2] <= snapshot.version[2]:
                self._cache[name] = snapshot

    # -- the journal: other processes' writes, applied instead of a full parse --------------
    def _journal_path(self, name):
        return os.path.join(self.lock_dir, f"{name}.journal")

    def _from_journal(self, name, cached, signature):
        """The snapshot at ``signature`` built from ``cached`` and the journal, or None."""
        if cached is None or not _is_collection(cached.document):
            return None
        try:
            with open(self._journal_path(name), "rb") as handle:
                start = self._journal_read.get(name, 0)
                if os.fstat(handle.fileno()).st_size < start:
                    start = 0  # it started over
                handle.seek(start)
                tail = handle.read()
        except FileNotFoundError:
            return None
        complete = tail.rfind(b"\n") + 1  # a line still being appended is left for later
        self._journal_read[name] = start + complete
        version, document = list(cached.version), cached.document
        for line in tail[:complete].splitlines():
            if not line.startswith(_journal_prefix(version)):
                continue  # another transition (or a line torn by a crash)
            try:
                entry = loads(line)
            except ValueError:
                continue
            document = _apply(document, entry)
            version = entry["to"]
        return Snapshot(tuple(version), document) if tuple(version) == signature else None

    def _append_journal(self, name, before, after, document, changes):
        entry = {
            "from": list(before),
            "to": list(after),
            "top": {key: value for key, value in document.items() if key != "items"},
            "set": {key: document["items"][key] for key in changes.added + changes.changed},
            "removed": list(changes.removed),
        }
        with contextlib.suppress(OSError):  # only a shortcut: the write itself is already done
            with open(self._journal_path(name), "ab", opener=private) as handle:
                if handle.tell() > JOURNAL_LIMIT:
                    handle.truncate(0)
                handle.write(dumps(entry) + b"\n")

    # -- writing ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, name):
        """Hold the exclusive cross-process lock of one document."""
        with open(os.path.join(self.lock_dir, f"{name}.lock"), "a+", opener=private) as handle:
            lock_exclusive(handle.fileno())
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    # -- the storage interface (utils.storage.interface) -----------------------------------
    def get(self, name, record_id):
        return self.read(name)["items"].get(record_id)

    def has(self, name, record_id):
        return record_id in self.read(name)["items"]

    def scan(self, name):
        return self.read(name)["items"].values()

    def document(self, name):
        return self.read(name)

    def version(self, name):
        return self.snapshot(name).version

    @contextlib.contextmanager
    def transaction(self, *names):
        """Hold the locks of every listed name (taken in sorted order, so two transactions never
        wait on each other) and yield a ``Transaction`` over their working copies. When the block
        returns, each document is written (one after another, every lock still held); when it
        raises, none is."""
        done = {}
        with contextlib.ExitStack() as stack:
            working = {}
            for name in sorted(set(names)):
                working[name] = stack.enter_context(self._edit(name, done))
            yield FileTransaction(working)
        self._local.changes = done

    @contextlib.contextmanager
    def edit(self, name):
        """A one-document transaction yielding the stored shape itself (``{seq, items}`` for a
        collection): for this backend's own tests and tools, never for services."""
        done = {}
        with self._edit(name, done) as working:
            yield working
        self._local.changes = done

    def last_changes(self):
        """The ``Changes`` of this thread's last committed transaction, by name."""
        return getattr(self._local, "changes", None)

    @contextlib.contextmanager
    def _edit(self, name, done):
        """Yield a working copy of the document, free to change in place; write it back atomically
        if the block succeeds, and return only once it is on disk. The lock is held for the whole
        cycle (id generation included). An exception inside the block leaves the file, and what
        every reader sees, exactly as it was.

        Threads of one process writing the same document at once share one write (group commit):
        their blocks run one at a time, each on the state the previous one left, while the write
        before them is being fsynced; then one write makes all of them durable together.
        """
        group = self._group(name)
        with group.admit:
            while group.draining:  # let another process have the lock before this one retakes it
                group.admit.wait()
            group.arriving += 1
        with group.mutex:
            group.arriving -= 1
            if group.handle is None:
                group.handle = self._acquire(name)
                try:
                    group.base = self.snapshot(name)  # under the lock: the file's current version
                except BaseException:  # a broken file: nothing to write on
                    self._release(group)
                    raise
                group.pending, group.changes = group.base.document, []
            working = _working_copy(group.pending)
            try:
                yield working
                document, changes = _settle(group.pending, working)
            except BaseException:
                if not (group.tickets or group.writing):
                    self._release(group)  # nothing else stands on the lock
                raise
            group.pending = document
            group.changes.append(changes)
            ticket = _Ticket()
            group.tickets.append(ticket)
        self._flush_or_wait(name, group, ticket)
        done[name] = changes

    def _group(self, name):
        with self._cache_guard:
            return self._groups.setdefault(name, _Group())

    def _acquire(self, name):
        handle = open(os.path.join(self.lock_dir, f"{name}.lock"), "a+", opener=private)
        try:
            lock_exclusive(handle.fileno())
        except BaseException:
            handle.close()
            raise
        return handle

    @staticmethod
    def _release(group):
        group.handle.close()  # closing the last descriptor releases the flock
        group.handle = group.base = group.pending = None

    def _flush_or_wait(self, name, group, ticket):
        """Become the thread that writes the pending blocks, or wait for the one that does."""
        with group.flush_done:
            while group.flushing and not ticket.done:
                group.flush_done.wait()
            lead = not ticket.done
            group.flushing = group.flushing or lead
        if lead:
            try:
                self._flush(name, group)
            finally:
                with group.admit:
                    group.draining = False
                    group.admit.notify_all()
                with group.flush_done:
                    group.flushing = False
                    group.flush_done.notify_all()
        ticket.result()

    def _flush(self, name, group):
        """Write what the blocks left, again while more blocks joined meanwhile; then let go of the lock."""
        for rounds in itertools.count(1):
            _wait_for(lambda: group.arriving == 0, GROUP_WAIT)  # blocks about to join come along
            with group.mutex:
                group.writing = False
                tickets, changes, group.tickets, group.changes = group.tickets, group.changes, [], []
                if not tickets:
                    self._release(group)
                    return
                group.writing = True
                pending = group.pending
            if rounds == GROUP_ROUNDS:
                with group.admit:
                    group.draining = True  # others wait, so this process lets the lock go soon
            try:
                group.base = self._commit(name, group.base, pending, changes)
            except BaseException as exc:
                with group.mutex:  # blocks built on the failed write fail with it
                    group.writing = False
                    tickets += group.tickets
                    group.tickets, group.changes = [], []
                    self._release(group)
                self._finish(group, tickets, exc)
                return
            self._finish(group, tickets, None)

    @staticmethod
    def _finish(group, tickets, error):
        with group.flush_done:
            for ticket in tickets:
                ticket.finish(error)
            group.flush_done.notify_all()

    def _commit(self, name, base, document, changes):
        """Write ``document`` (``base`` with the blocks' ``changes`` applied); return it as the
        Snapshot now on disk, published to this process's readers only now."""
        merged = _merge(changes, base.document, document)
        if merged.empty and base.version is not None:
            return base  # nothing to write
        payload = dumps(document)
        with storage_step(self.filename(name)):  # a full or failing disk: a 507/503, nothing acknowledged
            version = self._replace(name, payload)
        if base.version is not None and merged.records:
            self._append_journal(name, base.version, version, document, merged)
        with storage_step(self.filename(name), saved=None):  # renamed already: durable only once this is done
            fsync_dir(self.data_dir)
        snapshot = Snapshot(version, document)
        self._remember(name, snapshot)
        return snapshot

    def _replace(self, name, payload):
        """Write ``payload`` durably over the document's file; return the new file's signature."""
        # Readers trust a cached copy while (inode, size, mtime, ctime) is unchanged. The new file
        # often reuses the inode of the version before the last one, and the kernel stamps files
        # with a coarse clock, so two same-sized writes in one tick could look identical to a reader
        # that cached the older one. A strictly increasing mtime makes every version distinct.
        try:
            previous_mtime = os.stat(self.path(name)).st_mtime_ns
        except FileNotFoundError:
            previous_mtime = 0
        mtime = max(time.time_ns(), previous_mtime + 1)
        # mkstemp creates the file mode 600, like every file the store makes (utils.durable).
        fd, temp_path = tempfile.mkstemp(dir=self.data_dir, prefix=f".{name}.json.", suffix=TEMP_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.utime(handle.fileno(), ns=(mtime, mtime))
                fsync(handle.fileno())
            os.replace(temp_path, self.path(name))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_path)
            raise
        return _signature(os.stat(self.path(name)))  # we hold the lock: nobody replaced it since

    # -- housekeeping ---------------------------------------------------------------------
    def remove_temp_files(self):
        """Delete temp files left by interrupted writes; each under its document's lock, so a
        write in flight in another worker is never disturbed. Returns the names removed."""
        removed = []
        for entry in sorted(os.listdir(self.data_dir)):
            if not (entry.startswith(".") and entry.endswith(TEMP_SUFFIX) and ".json." in entry):
                continue
            name = entry[1:].split(".json.", 1)[0]
            with self.lock(name):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(self.data_dir, entry))
                    removed.append(entry)
        return removed

    def broken_files(self):
        """Names of the registered files that exist but do not parse, with the reason."""
        broken = {}
        for name in self.names:
            try:
                self.read(name)
            except StoreCorruptError as exc:
                broken[exc.filename] = str(exc)
        return broken


# -- record collections ---------------------------------------------------------------------
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
    is never touched. Every key handed out, set or removed is noted for ``_settle``."""

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


class _Group:
    """One process's writers of one document: who holds the lock, and the blocks not yet written."""

    def __init__(self):
        self.mutex = threading.Lock()  # one block at a time; guards the fields below
        self.handle = None  # the open lock file while this process holds the lock
        self.base = None  # the Snapshot on disk that the pending blocks started from
        self.pending = None  # the document with every pending block applied
        self.changes = []  # their Changes, in order
        self.tickets = []  # their threads, waiting for the write
        self.writing = False  # a write of taken blocks is under way (the lock must stay held)
        self.flushing = False  # a thread is writing, or about to: the others wait for it
        self.flush_done = threading.Condition()
        self.draining = False
        self.admit = threading.Condition()
        self.arriving = 0  # threads past ``admit`` whose block has not joined yet


class _Ticket:
    def __init__(self):
        self.done, self.error = False, None

    def finish(self, error):
        self.done, self.error = True, error

    def result(self):
        if self.error is not None:
            raise self.error


def _wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.0002)


def _merge(changes, before, after):
    """One ``Changes`` from ``before`` to ``after`` for the blocks applied in between."""
    if not all(change.records for change in changes):
        return Changes(other=any(not change.empty for change in changes))
    old, new = before["items"], after["items"]
    keys = dict.fromkeys(key for change in changes for key in change.added + change.changed + change.removed)
    return Changes(tuple(key for key in keys if key in new and key not in old),
                   tuple(key for key in keys if key in new and key in old and new[key] is not old[key]),
                   tuple(key for key in keys if key not in new and key in old),
                   any(change.other for change in changes), records=True)


def _is_collection(document):
    return type(document) is dict and type(document.get("items")) is dict and "seq" in document


def _working_copy(document):
    if not _is_collection(document):
        return through_json(document)
    items = document["items"]
    return {key: RecordItems(items) if value is items else through_json(value) for key, value in document.items()}


def _settle(before, working):
    """(the document to store, its ``Changes``). The stored document shares every untouched
    record with ``before`` and holds private copies of the rest, so the caller, who may keep
    changing what the block returned, can never reach into a published snapshot."""
    items = working.get("items") if type(working) is dict else None
    if not (type(items) is RecordItems and _is_collection(before) and items.shared is before["items"]):
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


def _apply(document, entry):
    """A collection snapshot with one journal entry applied; ``document`` itself is untouched."""
    items = dict(document["items"])
    for key in entry["removed"]:
        items.pop(key, None)
    items.update(entry["set"])
    applied = {**document, **entry["top"]}
    applied["items"] = items
    return applied


def _journal_prefix(version):
    """How the journal line of the write that started from ``version`` begins (see ``_append_journal``)."""
    return dumps({"from": version})[:-1] + b","


def _natural(key):
    text = str(key)
    return (0, int(text), "") if text.isascii() and text.isdigit() else (1, 0, text)


def _shape_problem(document, default):
    """What is wrong with the document's top level, compared with its default shape, or None."""
    if type(document) is not type(default):
        return f"expected a JSON {'object' if isinstance(default, dict) else 'array'}"
    if isinstance(default, dict):
        for key, value in default.items():
            if type(document.get(key)) is not type(value):
                return f"expected {key!r} to be a JSON {type(value).__name__}"
    return None


def _signature(stat):
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def get_store():
    """The store of the running app (set up by ``init_app``)."""
    from flask import current_app

    return current_app.extensions["prodsight.store"]


def init_app(app):
    from utils.storage.registry import open_storage  # the JSON files, or PostgreSQL (PRODSIGHT_DATABASE_URL)

    store = open_storage(app.config)
    if hasattr(store, "request_scope"):  # PostgreSQL: each name's version asked once per request
        _scope_requests(app, store)
    app.extensions["prodsight.store"] = store
    return store


def _scope_requests(app, store):
    from flask import g

    @app.before_request
    def open_scope():
        g._storage_scope = store.request_scope()
        g._storage_scope.__enter__()

    @app.teardown_request
    def close_scope(_error):
        scope = g.pop("_storage_scope", None)
        if scope is not None:
            scope.__exit__(None, None, None)
