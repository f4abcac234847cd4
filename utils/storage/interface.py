"""The storage interface (SPEC §5): what every backend guarantees, and all a service may use.

Four kinds of named data, each registered once at startup (``Storage.register``):
- **collections of records**: JSON objects with a string ``id`` the backend hands out, unique in
  the collection and never reused, even after a delete (tasks, users, VFX shots, assets...);
- **single documents**: one JSON value each (the budget settings, the script header, schedule
  settings);
- **keyed entries** (revoked tokens, login attempts): JSON objects by key, each with an ``expires``
  time, read one key at a time (``Storage.entry``) and written through ``Transaction.entries``; a
  write costs one entry, whatever the number of others (PostgreSQL: one row each; the JSON files: one
  document, rewritten whole like any other). Registered with ``new_entries`` as their default;
- **append-only event logs** (the activity log): ``Storage.log(name)``;
- **named locks**: ``Storage.lock(name)``, for work that must run one at a time across every
  process and server (seeding, an upload checked against another collection...).

Reads outside a transaction return shared values: never mutate them. Every change happens inside
``Storage.transaction(*names)``, which sees the current state of every name it lists, and writes
all of them or none. A backend keeps a version number per name that increases with every committed
change; caches key on it (never on a clock or a file's timestamps).

A JSON value here is what ``json`` round-trips: dict, list, str, int, float, bool, None.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple, Protocol, runtime_checkable


class Changes(NamedTuple):
    """What a committed transaction did to one name. For a record collection (``records``): the
    ids it added, changed and removed, and ``other`` when anything besides records changed; for a
    document, ``other`` says whether it changed at all."""

    added: tuple = ()
    changed: tuple = ()
    removed: tuple = ()
    other: bool = False
    records: bool = False

    @property
    def empty(self):
        return not (self.added or self.changed or self.removed or self.other)


@runtime_checkable
class RecordSet(Protocol):
    """One record collection inside a transaction.

    Every record it hands out (``get``, ``scan``, ``insert``) is the transaction's private copy:
    change it in place and the change is written at commit; the backend compares each handed-out
    record with what it read, so the set of changed records is known exactly (``Changes``)."""

    def get(self, record_id: str) -> dict | None:
        """The record with this id, or None."""

    def __contains__(self, record_id: object) -> bool:
        """Whether a record has this id (no copy is made)."""

    def __len__(self) -> int:
        """How many records the collection holds."""

    def scan(self) -> Iterator[dict]:
        """Every record, in the order of their ids (oldest first)."""

    def insert(self, fields: Mapping) -> dict:
        """Store ``{"id": <fresh id>, **fields}`` and return it. The id is a string of digits
        greater than every id of a record this collection ever committed, across every process
        and server: ids are never reused after a delete. (An id taken in a block that then failed
        was never seen by anyone; a backend may hand it out again or skip it.)"""

    def next_id(self) -> str:
        """The id the next ``insert`` of this transaction will give (for values derived from it)."""

    def update(self, record_id: str, changes: Mapping) -> dict | None:
        """Apply ``changes`` to the record (a shallow merge) and return it; None if there is none."""

    def delete(self, record_id: str) -> dict | None:
        """Remove the record and return it; None if there is none."""


def new_entries():
    """The default of a name holding keyed entries (``Storage.register(name, new_entries)``)."""
    return {}


@runtime_checkable
class Entries(Protocol):
    """Keyed entries inside a transaction: JSON objects with an ``expires`` (seconds since the epoch)."""

    def get(self, key: str) -> dict | None:
        """The entry under ``key`` as this transaction sees it (its own writes included), or None."""

    def put(self, key: str, entry: dict) -> None:
        """Store ``entry`` (which holds ``expires``) under ``key``, replacing any other."""

    def delete(self, key: str) -> None:
        """Remove the entry under ``key``, if any."""

    def prune(self, moment: float) -> None:
        """Remove every entry whose ``expires`` is before ``moment``."""


@runtime_checkable
class Transaction(Protocol):
    """The working state of the names a transaction listed."""

    def records(self, name: str) -> RecordSet:
        """The record collection ``name`` (it must be one of the listed names)."""

    def document(self, name: str) -> object:
        """A private working copy of the document ``name`` (listed): change it in place, or
        ``replace`` it; it is written at commit if it differs from what was read."""

    def replace(self, name: str, value: object) -> None:
        """Make ``value`` the new content of the document ``name``."""

    def entries(self, name: str) -> Entries:
        """The keyed entries ``name`` (listed)."""


@runtime_checkable
class EventLog(Protocol):
    """An append-only log of JSON objects with ids that increase as numbers and as strings
    (zero-padded), across every process, server and restart; an event is never changed or removed."""

    filename: str  # how a person finds it (a file name, or the table it lives in)

    def append(self, make_event: Callable[[str, str | None], dict]) -> dict:
        """Append ``make_event(id, last_at)`` (``last_at``: the previous event's ``at``, or None)
        and return it. Appends are serialised: ``make_event`` runs under the log's lock, so ids are
        dense and ``at`` can be kept from going backwards. Durable before it returns."""

    def newest_first(self) -> Iterator[dict]:
        """Every event, newest first; a caller paging or reading ``after`` an id stops when it
        has what it needs, and pays only for what it read."""

    def last(self) -> dict | None:
        """The newest event, or None."""

    def repair(self) -> bool:
        """Remove a torn event left by a crash mid-append (startup); True if one was removed."""

    def damaged_lines(self) -> list:
        """Events that cannot be read (for ``check-data``); empty when the log is sound."""


@runtime_checkable
class Storage(Protocol):
    """A backend: the JSON files (``utils.store.Store``) or PostgreSQL."""

    def register(self, name: str, default: Callable[[], object] | None = None) -> None:
        """Declare ``name`` at startup: a record collection when ``default`` is None (or the
        collection factory), else a document whose content, until first written, is ``default()``."""

    @property
    def names(self) -> list[str]:
        """Every registered name, sorted."""

    def exists(self, name: str) -> bool:
        """Whether ``name`` was ever written (a fresh data directory has nothing)."""

    def version(self, name: str) -> int:
        """The committed version of ``name``: 0 before its first write, then strictly increasing
        with every commit that changed it, in every process. Equal versions mean equal content."""

    # -- reads: current committed state, shared values (never mutate) -------------------------
    def get(self, name: str, record_id: str) -> dict | None:
        """One record of a collection, or None."""

    def has(self, name: str, record_id: str) -> bool:
        """Whether the collection holds a record with this id (existence checks across domains)."""

    def scan(self, name: str) -> Iterable[dict]:
        """Every record of a collection, in id order."""

    def document(self, name: str) -> object:
        """The current content of a document."""

    def entry(self, name: str, key: str) -> dict | None:
        """The committed entry under ``key`` of the keyed entries ``name``, or None."""

    # -- writes ----------------------------------------------------------------------------
    def transaction(self, *names: str) -> AbstractContextManager[Transaction]:
        """Hold every listed name exclusively (across threads, processes and servers) for the
        whole block and yield their current state. When the block returns, every change is
        written durably and atomically (all of them or none) before ``transaction`` returns;
        when it raises, nothing is written, no id it took is reused, and readers see no trace.
        No update is lost: two transactions on a name never both start from the same version."""

    def last_changes(self) -> Mapping[str, Changes]:
        """What this thread's last committed transaction changed, by name."""

    def log(self, name: str) -> EventLog:
        """The append-only event log ``name``."""

    def lock(self, name: str) -> AbstractContextManager[None]:
        """An exclusive lock across threads, processes and servers, held for the block. A name a
        transaction also lists is the same lock: don't take both in one thread."""
