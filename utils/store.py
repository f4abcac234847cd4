"""The locked JSON store: one file per collection, safe across threads, processes and crashes.

Every write is a read-modify-write under an exclusive ``fcntl.flock`` on a sidecar lock file
(``.locks/<name>.lock``), opened per operation, so it spans gunicorn workers. The lock is on a
sidecar because ``os.replace`` swaps the data file's inode. The new content is serialised first,
written to a temp file in the same directory, flushed, fsynced, renamed over the old file, and
the directory is fsynced before the write is acknowledged.

Readers take no lock: a rename is atomic, so they see the old or the new file, never half of one.
Each process keeps the parsed content of every file with the file's stat and reuses it until the
stat changes. A transaction always re-reads the file under the lock, so a write never starts
from a stale cache even when two writes land in the same clock tick.
"""
import contextlib
import fcntl
import json
import os
import tempfile
import threading
import time

from utils.eventlog import EventLog

TEMP_SUFFIX = ".tmp"


class StoreCorruptError(Exception):
    """A data file exists but does not parse; it is left untouched for a person to fix."""

    def __init__(self, filename, reason):
        super().__init__(f"Data file {filename} is broken ({reason}); fix or restore it by hand")
        self.filename = filename


def new_collection():
    """The empty shape of a record collection: records by id, and the last id handed out."""
    return {"seq": 0, "items": {}}


class Store:
    def __init__(self, data_dir):
        self.data_dir = os.path.abspath(data_dir)
        self.lock_dir = os.path.join(self.data_dir, ".locks")
        os.makedirs(self.lock_dir, exist_ok=True)
        self._defaults = {}
        self._cache = {}  # name -> (stat signature, parsed document)
        self._cache_guard = threading.Lock()

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
        path = self.path(name)
        try:
            signature = _signature(os.stat(path))
        except FileNotFoundError:
            return self._defaults[name]()
        with self._cache_guard:
            cached = self._cache.get(name)
        if cached and cached[0] == signature:
            return cached[1]
        return self._load(name)

    def exists(self, name):
        return os.path.exists(self.path(name))

    def _load(self, name):
        """Parse the file from disk and remember it with the stat it had when opened."""
        signature, document = self._parse(name)
        if signature is not None:
            with self._cache_guard:
                self._cache[name] = (signature, document)
        return document

    def _parse(self, name):
        """(stat signature, parsed document) read fresh from disk; (None, default) when absent."""
        try:
            with open(self.path(name), "rb") as handle:
                signature = _signature(os.fstat(handle.fileno()))
                raw = handle.read()
        except FileNotFoundError:
            return None, self._defaults[name]()
        try:
            document = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise StoreCorruptError(self.filename(name), f"not valid JSON: {exc}") from None
        problem = _shape_problem(document, self._defaults[name]())
        if problem:
            raise StoreCorruptError(self.filename(name), problem)
        return signature, document

    # -- writing ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, name):
        """Hold the exclusive cross-process lock of one document."""
        with open(os.path.join(self.lock_dir, f"{name}.lock"), "a+") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    @contextlib.contextmanager
    def transaction(self, name):
        """Yield a private copy of the document; write it back atomically if the block succeeds.

        The lock is held for the whole cycle (id generation included). An exception inside the
        block leaves the file exactly as it was.
        """
        with self.lock(name):
            _, document = self._parse(name)  # a fresh parse: private, and never a stale cache
            yield document
            self._write(name, document)

    def _write(self, name, document):
        # Compact on purpose: json's C encoder is used only without indent (3x faster on big files).
        payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        # Readers trust a cached copy while (inode, size, mtime, ctime) is unchanged. The new file
        # often reuses the inode of the version before the last one, and the kernel stamps files
        # with a coarse clock, so two same-sized writes in one tick could look identical to a reader
        # that cached the older one. A strictly increasing mtime makes every version distinct.
        try:
            previous_mtime = os.stat(self.path(name)).st_mtime_ns
        except FileNotFoundError:
            previous_mtime = 0
        mtime = max(time.time_ns(), previous_mtime + 1)
        fd, temp_path = tempfile.mkstemp(dir=self.data_dir, prefix=f".{name}.json.", suffix=TEMP_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.utime(handle.fileno(), ns=(mtime, mtime))
                os.fsync(handle.fileno())
            os.replace(temp_path, self.path(name))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_path)
            raise
        _fsync_dir(self.data_dir)
        with self._cache_guard:
            # The caller still holds ``document`` and may change it: the next read re-parses.
            self._cache.pop(name, None)

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


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def get_store():
    """The store of the running app (set up by ``init_app``)."""
    from flask import current_app

    return current_app.extensions["prodsight.store"]


def init_app(app):
    store = Store(app.config["DATA_DIR"])
    app.extensions["prodsight.store"] = store
    return store
