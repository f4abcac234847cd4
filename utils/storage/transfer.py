"""Moving a production between backends (SPEC §5, §7): ``export-data DIR`` writes the JSON files the
file backend keeps (``<name>.json`` per collection or document, ``<log>.jsonl`` per event log);
``import-data DIR`` loads such a directory into the app's storage, which must hold nothing yet.

Records keep their ids and each collection its last id handed out (``seq``), so ids are never
reused after a move; events keep their ids and order. What goes in comes out identical: the files
of a round trip JSON -> PostgreSQL -> JSON are the same bytes.

The app's generated secrets (``.secrets``) do not count as data: a fresh target already has its
own, and the imported ones replace them, so tokens issued before the move stay valid.
"""
import contextlib
import json
import os

from utils.durable import fsync, fsync_dir, private
from utils.serialise import dumps, loads
from utils.storage import durability
from utils.storage.journal import VERSION_KEY, with_version

SECRETS = ".secrets"


class TransferError(Exception):
    """A move that cannot be done (the message says what to fix); nothing was written."""


def export_data(storage, directory):
    """Write everything ``storage`` holds into the empty (or new) ``directory``; return the counts."""
    directory = os.path.abspath(directory)
    if os.path.exists(directory) and (not os.path.isdir(directory) or os.listdir(directory)):
        raise TransferError(f"{directory} is not an empty directory; export into a new or empty one")
    os.makedirs(directory, mode=0o700, exist_ok=True)
    os.chmod(directory, 0o700)  # some files hold password hashes and secrets (SPEC §5)
    return _copy(side_of(storage), FileSide(directory))


def import_data(storage, directory):
    """Load the files of ``directory`` into ``storage``, which must hold no data; return the counts."""
    directory = os.path.abspath(directory)
    if not os.path.isdir(directory):
        raise TransferError(f"{directory} is not a directory")
    target = side_of(storage)
    held = sorted(name for name in target.stored() if name != SECRETS)
    if held:
        raise TransferError(f"the target already holds data ({', '.join(held[:5])}{'...' if len(held) > 5 else ''}); "
                            "import into an empty data directory or database")
    source = FileSide(directory)
    if not source.stored():
        raise TransferError(f"{directory} holds no Prodsight data files")
    return _copy(source, target)


def side_of(storage):
    from utils.storage.postgres.backend import PostgresStorage

    if isinstance(storage, PostgresStorage):
        return PgSide(storage)
    return FileSide(storage.data_dir, storage)


def _copy(source, target):
    counts = {"documents": 0, "records": 0, "events": 0}
    stored = source.stored()
    dumped = {name: source.dump(name) if kind != "log" else source.events(name) for name, kind in stored.items()}
    for name, kind in stored.items():  # everything read (and checked) before anything is written
        if kind == "log":
            target.load_events(name, dumped[name])
            counts["events"] += len(dumped[name])
        else:
            version, value = dumped[name]
            target.load(name, kind, version, value)
            counts["documents"] += 1
            counts["records"] += len(value["items"]) if kind == "records" else 0
    return counts


def _is_collection(value):
    return type(value) is dict and type(value.get("seq")) is int and type(value.get("items")) is dict


class FileSide:
    """A data directory of the file backend, read and written as the file backend does: each file
    ``{"#version": N, ...}`` (its version first), written durably (temp file, fsync, rename)."""

    def __init__(self, directory, store=None):
        self.directory = directory
        self.store = store  # the running app's file store, whose locks a write takes

    def stored(self):
        kinds = {}
        for entry in sorted(os.listdir(self.directory)):
            path = os.path.join(self.directory, entry)
            if not os.path.isfile(path):
                continue
            if entry.endswith(".json"):
                kinds[entry[:-5]] = "records" if _is_collection(self.dump(entry[:-5])[1]) else "document"
            elif entry.endswith(".jsonl"):
                kinds[entry[:-6]] = "log"
        return kinds

    def dump(self, name):
        """(version, value): a file no store wrote (no version) counts as version 1."""
        path = os.path.join(self.directory, f"{name}.json")
        with open(path, "rb") as handle:
            raw = handle.read()
        try:
            value = loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise TransferError(f"{path} is not valid JSON ({exc}); fix it first (check-data)") from None
        if not isinstance(value, dict):
            raise TransferError(f"{path} is not a JSON object; fix it first (check-data)")
        version = value.pop(VERSION_KEY, 1)
        return (version if type(version) is int and version > 0 else 1), value

    def events(self, name):
        path = os.path.join(self.directory, f"{name}.jsonl")
        events = []
        with open(path, "rb") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    event = loads(line)
                except ValueError:
                    event = None
                if not (line.endswith(b"\n") and isinstance(event, dict) and event.get("id") == f"{number:012d}"):
                    raise TransferError(f"{path} line {number} is not the event with id {number:012d}; "
                                        "fix it first (check-data)")
                events.append(event)
        return events

    def load(self, name, kind, version, value):
        filename = f"{name}.json"
        with self.store.lock(name) if self.store else contextlib.nullcontext():
            if self.store and os.path.exists(os.path.join(self.directory, filename)):
                version = max(version, self.store.version(name) + 1)  # versions never step back
            durability.replace(self.directory, filename, with_version(dumps(value), version))
            fsync_dir(self.directory)

    def load_events(self, name, events):
        """Write the log's lines as ``utils.eventlog`` does, in one go (the log is new)."""
        path = os.path.join(self.directory, f"{name}.jsonl")
        if os.path.exists(path) and os.path.getsize(path):
            raise TransferError(f"{path} already holds events")
        payload = "".join(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n" for event in events)
        fd = private(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        try:
            view = memoryview(payload.encode("utf-8"))
            while view:
                view = view[os.write(fd, view):]
            fsync(fd)
        finally:
            os.close(fd)
        fsync_dir(self.directory)


class PgSide:
    def __init__(self, storage):
        self.storage = storage

    def stored(self):
        return self.storage.stored()

    def dump(self, name):
        return self.storage.dump(name)

    def events(self, name):
        events = list(self.storage.log(name).newest_first())
        events.reverse()
        return events

    def load(self, name, kind, version, value):
        self.storage.load(name, kind, version, value)

    def load_events(self, name, events):
        self.storage.load_events(name, events)
