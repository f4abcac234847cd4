"""The JSON-file backend of the storage interface (``utils.storage.interface``): one file per
name in the data directory, safe across threads, processes and crashes.

Its concerns each live in a module: ``durability`` (locks, durable writes), ``changes`` (working
copies and what a block changed), ``group`` (group commit), ``journal`` (versions and catching up
with other processes). This module ties them together and keeps the per-process cache.

Readers take no lock: a rename is atomic, so they see the old or the new file, never half of one.
Each process keeps one parsed snapshot per name with its version, and shares it with every reader
while the file's version is the same: a read of an unchanged document costs reading the first
bytes of the file. Snapshots are never mutated, so a reader holding one is never disturbed.

A transaction starts from the current snapshot under the lock (no parse when the version in the
file is the one this process holds) and yields working copies the caller may change in place.
The new snapshot is published to this process only once the file is on disk; a block that
raises leaves the file, the snapshot and every cache as they were.
"""
import contextlib
import os
import threading

from utils.durable import OWNER_ONLY, fsync_dir, make_private, storage_step
from utils.eventlog import EventLog
from utils.serialise import dumps, loads
from utils.storage import durability
from utils.storage.changes import FileTransaction, merge, new_collection
from utils.storage.durability import StoreCorruptError
from utils.storage.group import GroupCommit
from utils.storage.journal import (HEAD, VERSION_KEY, Journal, Snapshot, first_version, legacy_version, version_in,
                                   with_version)


class Store(GroupCommit):
    def __init__(self, data_dir):
        self.data_dir = os.path.abspath(data_dir)
        self.lock_dir = os.path.join(self.data_dir, ".locks")
        os.makedirs(self.lock_dir, mode=OWNER_ONLY, exist_ok=True)
        make_private(self.data_dir)  # files an older version made readable by others (SPEC §5)
        self._defaults = {}
        self._cache = {}  # name -> Snapshot of the file's version
        self._journal = Journal(self.lock_dir)
        self._cache_guard = threading.Lock()
        self._local = threading.local()
        self._groups = {}  # name -> Group: this process's writers of that document

    def register(self, name, default=new_collection):
        """Declare a document and the factory of its content when the file does not exist."""
        self._defaults[name] = default or new_collection

    @property
    def names(self):
        return sorted(self._defaults)

    def path(self, name):
        return os.path.join(self.data_dir, f"{name}.json")

    def filename(self, name):
        return f"{name}.json"

    def lock_path(self, name):
        return os.path.join(self.lock_dir, f"{name}.lock")

    def lock(self, name):
        """Hold the exclusive cross-process lock of one name."""
        return durability.held(self.lock_path(name))

    def log(self, name):
        """The append-only JSON Lines log ``<name>.jsonl`` (``utils.eventlog``), under this store's lock."""
        return EventLog(os.path.join(self.data_dir, f"{name}.jsonl"), lambda: self.lock(name))

    def read(self, name):
        """The current document. Shared with other readers of this process: do not mutate it."""
        return self.snapshot(name).document

    def snapshot(self, name):
        """The current ``Snapshot(version, document)``: the version names this exact content, so a
        cache keyed on it (an encoded response) is valid as long as the version is current."""
        try:
            fd = os.open(self.path(name), os.O_RDONLY)  # raw calls: this runs on every read
        except FileNotFoundError:
            return Snapshot(None, self._defaults[name]())
        try:
            head = os.read(fd, HEAD)
            version = version_in(head) or legacy_version(os.fstat(fd))
            cached = self._cache.get(name)
            if cached is not None and cached.version == version:
                return cached
            snapshot = self._journal.catch_up(name, cached, version)
            if snapshot is None:
                with open(fd, "rb", closefd=False) as handle:
                    handle.seek(len(head))
                    snapshot = self._parse(name, handle, head, version)
        finally:
            os.close(fd)
        self._remember(name, snapshot)
        return snapshot

    def exists(self, name):
        return os.path.exists(self.path(name))

    def _parse(self, name, handle, head, version):
        """The document of the open file, whose first bytes ``head`` were read already."""
        raw = head + handle.read()
        try:
            document = loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise StoreCorruptError(self.filename(name), f"not valid JSON: {exc}") from None
        if type(document) is dict:
            document.pop(VERSION_KEY, None)
        problem = _shape_problem(document, self._defaults[name]())
        if problem:
            raise StoreCorruptError(self.filename(name), problem)
        return Snapshot(version, document)

    def _remember(self, name, snapshot):
        if snapshot.version is None:
            return
        # What was on disk last wins, even an older version another thread read meanwhile (the next
        # read catches up from the journal): a file recreated from scratch starts again at 1.
        with self._cache_guard:
            self._cache[name] = snapshot

    def get(self, name, record_id):
        return self.read(name)["items"].get(record_id)

    def has(self, name, record_id):
        return record_id in self.read(name)["items"]

    def scan(self, name):
        return self.read(name)["items"].values()

    def document(self, name):
        return self.read(name)

    def entry(self, name, key):
        return self.read(name).get(key)

    def version(self, name):
        version = self.snapshot(name).version
        return 0 if version is None else version

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

    def _commit(self, name, base, document, changes):
        """Write ``document`` (``base`` with the blocks' ``changes`` applied); return it as the
        Snapshot now on disk, published to this process's readers only now."""
        merged = merge(changes, base.document, document)
        if merged.empty and base.version is not None:
            return base  # nothing to write
        if type(base.version) is int:
            version = base.version + 1
        else:  # a new file (or one no store wrote): see ``journal.first_version``
            version = first_version()
            self._journal.reset(name)  # lines about an earlier file of that name would mislead
        chunks = with_version(dumps(document), version)
        with storage_step(self.filename(name)):  # a full or failing disk: a 507/503, nothing acknowledged
            self._replace(name, chunks)
        if type(base.version) is int and merged.records:
            self._journal.append(name, base.version, version, document, merged)
        with storage_step(self.filename(name), saved=None):  # renamed already: durable only once this is done
            fsync_dir(self.data_dir)
        snapshot = Snapshot(version, document)
        self._remember(name, snapshot)
        return snapshot

    def _replace(self, name, chunks):
        """Write the buffers ``chunks`` durably over the document's file."""
        durability.replace(self.data_dir, self.filename(name), chunks)

    def remove_temp_files(self):
        """Delete temp files left by interrupted writes (startup); returns the entries removed."""
        return durability.remove_temp_files(self.data_dir, self.lock)

    def broken_files(self):
        """Names of the registered files that exist but do not parse, with the reason."""
        broken = {}
        for name in self.names:
            try:
                self.read(name)
            except StoreCorruptError as exc:
                broken[exc.filename] = str(exc)
        return broken


def _shape_problem(document, default):
    """What is wrong with the document's top level, compared with its default shape, or None."""
    if type(document) is not type(default):
        return f"expected a JSON {'object' if isinstance(default, dict) else 'array'}"
    if isinstance(default, dict):
        for key, value in default.items():
            if type(document.get(key)) is not type(value):
                return f"expected {key!r} to be a JSON {type(value).__name__}"
    return None


def get_store():
    """The store of the running app (set up by ``init_app``)."""
    from flask import current_app

    return current_app.extensions["prodsight.store"]


def init_app(app):
    store = Store(app.config["DATA_DIR"])
    app.extensions["prodsight.store"] = store
    return store
