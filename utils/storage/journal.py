"""Versions and the journal: how a process knows its cached copy of a file is current, and
catches up with another process's write without parsing the whole file again.

Every file carries its version number, written with the data as its first key
(``{"#version": 12, ...}``; the store strips it on read, services never see it): one more for every
write, so it changes whenever the content does (``first_version`` for a new file). Nothing trusts a
file's timestamps (coarse on some network and container mounts): a reader learns the version
from the first bytes of the file, and a transaction checks it under the lock.

Other processes learn a collection's new version from a journal (``.locks/<name>.journal``, one
JSON line per write: the versions it went from and to, and the records it set and removed), so a
worker applies another worker's write to its snapshot instead of parsing the whole file again.
The journal is only a shortcut: when it is missing, torn or does not lead to the file's version,
the file itself is parsed.
"""
import contextlib
import os
import re
import time
from typing import NamedTuple

from utils.durable import private
from utils.serialise import dumps, loads
from utils.storage.changes import is_collection

JOURNAL_LIMIT = 4 * 1024 * 1024  # the journal starts over once it is this long
VERSION_KEY = "#version"  # no username, token id or field name starts with "#"
HEAD = 64  # bytes read to learn a file's version
_VERSION_AT_START = re.compile(rb'\{"#version":(\d+)[,}]')


class Snapshot(NamedTuple):
    version: int | tuple | None  # the file's version; None: no file yet; (0, stat...) a file no store wrote
    document: object  # shared: never mutate


class Journal:
    """The journals of one data directory's record collections."""

    def __init__(self, lock_dir):
        self.lock_dir = lock_dir
        self._read = {}  # name -> bytes of its journal already read

    def path(self, name):
        return os.path.join(self.lock_dir, f"{name}.journal")

    def reset(self, name):
        """Start the journal of ``name`` over (under its lock, before a first write)."""
        with contextlib.suppress(FileNotFoundError):
            os.truncate(self.path(name), 0)

    def catch_up(self, name, cached, wanted):
        """The snapshot at version ``wanted`` built from ``cached`` and the journal, or None."""
        if cached is None or type(wanted) is not int or type(cached.version) is not int or cached.version > wanted \
                or not is_collection(cached.document):
            return None
        try:
            with open(self.path(name), "rb") as handle:
                start = self._read.get(name, 0)
                if os.fstat(handle.fileno()).st_size < start:
                    start = 0  # it started over
                handle.seek(start)
                tail = handle.read()
        except FileNotFoundError:
            return None
        complete = tail.rfind(b"\n") + 1  # a line still being appended is left for later
        self._read[name] = start + complete
        version, document = cached.version, cached.document
        for line in tail[:complete].splitlines():
            if not line.startswith(_journal_prefix(version)):
                continue  # another transition (or a line torn by a crash)
            try:
                entry = loads(line)
            except ValueError:
                continue
            document = _apply(document, entry)
            version = entry["to"]
        return Snapshot(version, document) if version == wanted else None

    def append(self, name, before, after, document, changes):
        entry = {
            "from": before,
            "to": after,
            "top": {key: value for key, value in document.items() if key != "items"},
            "set": {key: document["items"][key] for key in changes.added + changes.changed},
            "removed": list(changes.removed),
        }
        with contextlib.suppress(OSError):  # only a shortcut: the write itself is already done
            with open(self.path(name), "ab", opener=private) as handle:
                if handle.tell() > JOURNAL_LIMIT:
                    handle.truncate(0)
                handle.write(dumps(entry) + b"\n")


def version_in(head):
    """The version a file written by the store starts with, or 0 (a file no store wrote)."""
    match = _VERSION_AT_START.match(head)
    return int(match.group(1)) if match else 0


def legacy_version(stat):
    """A file without a version (written by hand, or by an older release): known by its stat, only
    until the store writes it (then it gets version 1)."""
    return (0, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def first_version():
    """The version of a file's first write: the clock in microseconds, so a file deleted by hand and
    made again starts above every version the earlier one reached (no cache or journal line about
    the earlier file can match the new one). After that, versions count writes, under the lock."""
    return time.time_ns() // 1000


def with_version(payload, version):
    """The serialised document with its version as the first key (every document is an object)."""
    head = b'{"' + VERSION_KEY.encode() + b'":' + str(version).encode()
    return head + (b"}" if payload == b"{}" else b"," + payload[1:])


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
