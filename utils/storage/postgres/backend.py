"""The storage interface (``utils.storage.interface``) on PostgreSQL: several app servers, one database.

Where the JSON files hold a collection in one file under one ``flock``, here:
- every registered name has a row in ``storage_names`` with its committed version. A transaction
  locks the rows of the names it lists (``SELECT ... FOR UPDATE``, in sorted order) for the whole
  block, so writers of a name go one at a time across every server: no lost update;
- records are rows ``(collection, id, version, body)``; a commit writes only the records the block
  added, changed or removed (a delete leaves a tombstone), so a write costs the same at 100 and at
  1,000,000 records; ids come from one sequence per collection, never rolled back, never reused;
- documents are rows ``(name, body)``; event logs are rows ``(log, id, body)``, ids handed out under
  the log's row lock, so they are dense and increase across servers;
- keyed entries (revoked tokens, login attempts) are rows ``(name, key, expires, body)``: a write is
  one row, expired rows are deleted. A process caches the entries it looked up, per version of the
  name, so an authenticated request's revocation check asks the database only after a change.

Each process caches one snapshot per name with its version (never mutated); caches keyed on
``version()`` (encoded lists, ETags) follow it. A request (``request_scope``) trusts a cached snapshot
when it is at the newest version the process's listener heard of (``listener.py``: a trigger
notifies every version a commit moves), with no round trip; a stale one is brought up to date with
the rows written since its version (one indexed query). While the listener is not live (not yet
connected, reconnecting, silent), each request asks the database for the versions instead, once.
``freshness="strict"`` (the default) waits, per request, for a round trip of the listener's
connection (shared by concurrent requests): every write committed before the request arrived has
then been heard of, so another server's acknowledged write is seen before the answer.
``"notify"`` skips that wait and leaves a window: a write acknowledged by another process is seen
once its notification has reached this process's listener, which races with the client's next
request. ``"check"`` asks the database every request.
Reads outside a request, and every transaction (under the row lock), always ask the database.
"""
import contextlib
import logging
import math
import sys
import threading
from typing import NamedTuple

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool, PoolTimeout

from utils.durable import OUTCOMES, StorageError
from utils.eventlog import format_id
from utils.serialise import dumps, loads, through_json
from utils.storage.interface import Changes, new_entries
from utils.storage.postgres import migrate
from utils.storage.postgres.listener import Listener

log = logging.getLogger("prodsight")

_MISSING = object()
_CHECKED = object()  # in a request's ``seen``: every cached version was checked
_GONE = None  # a removed record in a snapshot's recent changes
EVENTS_PAGE = 500
ENTRY_CACHE_LIMIT = 10_000  # keyed entries looked up and kept per name and version
# How a request knows its cached snapshots are current (README, "Caches across servers"): "notify",
# the listener's versions (no round trip; a window of one notification's delivery); "strict", after
# a round trip of the listener's own connection shared by concurrent requests (no window); "check",
# a query per request, as before the listener.
FRESHNESS = ("notify", "strict", "check")


class DatabaseUnavailable(StorageError):
    """The database cannot be reached (down, restarting, refused): a 503, nothing acknowledged."""

    def __init__(self, detail, saved=False):
        Exception.__init__(self, f"The database is unavailable ({detail}): {OUTCOMES[saved]}")
        self.step, self.errno, self.saved, self.status = "the database", None, saved, 503
        self.detail = detail


class Snapshot(NamedTuple):
    version: int
    value: object  # a Records view for a collection, else the document; shared: never mutate


class Records:
    """An immutable view of a collection: a big ``base`` dict and a small dict of ``recent``
    changes (``_GONE`` for a removed record). Publishing a write copies only ``recent``, and it is
    folded into a new ``base`` once it outgrows about sqrt(size) entries: a write costs about
    sqrt(n) dict entries, under a millisecond at a million records, instead of copying them all."""

    __slots__ = ("base", "recent", "size")

    def __init__(self, base=None, recent=None, size=None):
        self.base = base if base is not None else {}
        self.recent = recent or {}
        self.size = len(self.base) if size is None else size

    def get(self, record_id):
        value = self.recent.get(record_id, _MISSING)
        if value is not _MISSING:
            return value
        return self.base.get(record_id)

    def __contains__(self, record_id):
        return self.get(record_id) is not None

    def __len__(self):
        return self.size

    def values(self):
        recent, base = self.recent, self.base
        if not recent:
            yield from base.values()
            return
        for key, value in base.items():
            newer = recent.get(key, _MISSING)
            if newer is _MISSING:
                yield value
            elif newer is not _GONE:
                yield newer
        for key in sorted((key for key in recent if key not in base), key=natural):
            if recent[key] is not _GONE:
                yield recent[key]

    def changed(self, rows):
        """A new view with ``rows`` ({id: record or None}) applied; self is untouched."""
        size = self.size
        for key, value in rows.items():
            size += (value is not None) - (self.get(key) is not None)
        recent = {**self.recent, **rows}
        if len(recent) <= max(64, math.isqrt(len(self.base))):
            return Records(self.base, recent, size)
        base = dict(self.base)
        added = sorted((key for key in recent if key not in base), key=natural)
        ordered = not added or not base or natural(added[0]) > natural(next(reversed(base)))
        for key, value in recent.items():
            if value is _GONE:
                base.pop(key, None)
            elif key in base:
                base[key] = value
        for key in added:
            if recent[key] is not _GONE:
                base[key] = recent[key]
        if not ordered:
            base = {key: base[key] for key in sorted(base, key=natural)}
        return Records(base, None, size)


def natural(key):
    text = str(key)
    return (0, len(text), text) if text.isascii() and text.isdigit() else (1, 0, text)


def is_collection_default(default):
    from utils import store as file_store

    return default is None or default is getattr(file_store, "new_collection", _MISSING)


class PostgresStorage:
    """``utils.storage.interface.Storage`` on the database at ``url`` (migrated on creation)."""

    def __init__(self, url, pool_size=20, connect_timeout=5, pool_timeout=10, freshness="strict"):
        if freshness not in FRESHNESS:
            raise ValueError(f"freshness must be one of {', '.join(FRESHNESS)}, not {freshness!r}")
        self.url = url
        self.freshness = freshness
        self.connect_timeout = connect_timeout
        try:
            migrate.migrate(url, connect_timeout=connect_timeout)
        except psycopg.Error as exc:
            raise DatabaseUnavailable(_reason(exc)) from None
        self.pool = ConnectionPool(url, min_size=1, max_size=pool_size, timeout=pool_timeout, open=True,
                                   kwargs={"connect_timeout": connect_timeout, "autocommit": True},
                                   name="prodsight")
        self._defaults = {}
        self._collections = set()
        self._entries = set()
        self._cache = {}  # name -> Snapshot
        self._known = set()  # names whose storage_names row exists
        self._sequences = set()  # collections whose id sequence exists
        self._guard = threading.Lock()
        self._local = threading.local()
        self.listener = Listener(url, connect_timeout, on_connect=self._forget_newer)

    def close(self):
        self.listener.stop()
        self.pool.close()

    # -- registry -------------------------------------------------------------------------
    def register(self, name, default=None):
        self._defaults[name] = default
        self._collections.discard(name)
        self._entries.discard(name)
        if is_collection_default(default):
            self._collections.add(name)
        elif default is new_entries:
            self._entries.add(name)

    @property
    def names(self):
        return sorted(self._defaults)

    def is_collection(self, name):
        return name in self._collections

    def filename(self, name):
        """How messages (check-data, errors) name the data: the file export-data writes for it."""
        return f"{name}.json"

    def default(self, name):
        if self.is_collection(name):
            return Records()
        return self._defaults[name]()

    # -- connections ------------------------------------------------------------------------
    @contextlib.contextmanager
    def _session(self, first, transactional=True):
        """Yield ``(connection, first(connection))``: a pooled connection in a transaction, whose
        first statements ran. Connections the database dropped (it restarted) fail on those first
        statements, before any work: they are replaced and tried once more. A database that cannot
        be reached is a ``DatabaseUnavailable`` (a 503): nothing of the block is committed."""
        for attempt in (1, 2):
            stack = contextlib.ExitStack()
            try:
                if attempt == 1:
                    connection = stack.enter_context(self.pool.connection())
                else:  # the pool may still be waiting to reconnect (it backs off): a connection of our own
                    connection = stack.enter_context(psycopg.connect(
                        self.url, autocommit=True, connect_timeout=self.connect_timeout))
                if transactional:
                    stack.enter_context(connection.transaction())
                result = first(connection)
                break
            except psycopg.OperationalError as exc:  # PoolTimeout is one too
                with contextlib.suppress(Exception):
                    stack.__exit__(type(exc), exc, exc.__traceback__)
                if attempt == 2:
                    raise DatabaseUnavailable(_reason(exc)) from None
                if not isinstance(exc, PoolTimeout):
                    self.pool.check()  # drop every pooled connection a restart broke
            except BaseException:
                if not stack.__exit__(*sys.exc_info()):
                    raise
                return
        committing = False
        try:
            with stack:
                yield connection, result
                committing = True
        except psycopg.OperationalError as exc:
            # Lost before the commit: nothing saved. Lost during it: the server may have committed.
            raise DatabaseUnavailable(_reason(exc), saved=None if committing else False) from None

    # -- reading ----------------------------------------------------------------------------
    def snapshot(self, name):
        """The current ``Snapshot`` of ``name``, refreshed from the database when it moved on.
        Inside a request scope (``request_scope``), the versions of every registered name are
        read at once on the first read, and each name is checked once per request."""
        seen = getattr(self._local, "seen", None)
        if seen is not None:
            snapshot = seen.get(name)
            if snapshot is not None:
                return snapshot
            if not seen.get(_CHECKED):
                self._check_all(seen)
                snapshot = seen.get(name)
                if snapshot is not None:
                    return snapshot
        with self._session(lambda connection: self._current(connection, name), transactional=False) as (_c, snapshot):
            if seen is not None:
                seen[name] = snapshot
            return snapshot

    def _check_all(self, seen):
        """The cached snapshots still current go straight into ``seen``; the others are refreshed
        when first read. Current by the listener's versions while it is live (no round trip; in
        ``strict`` freshness after one shared round trip of the listener), else by one query for
        the versions of every cached name."""
        seen[_CHECKED] = True
        names = [name for name in self._defaults if name in self._cache]
        if not names:
            return
        heard = self._heard()
        if heard is not None:
            for name in names:
                cached = self._cache.get(name)
                # newer than heard of: this process's own write, published before its notification came
                if cached is not None and cached.version >= heard.get(name, 0):
                    seen[name] = cached
            return
        with self._session(lambda connection: connection.execute(
                "SELECT name, version FROM storage_names WHERE name = ANY(%s)", (names,)).fetchall(),
                transactional=False) as (_connection, rows):
            versions = dict(rows)
        for name in names:
            cached = self._cache.get(name)
            if cached is not None and cached.version == versions.get(name, 0):
                seen[name] = cached

    def _heard(self):
        """The listener's versions if it can be trusted now, else None."""
        if self.freshness == "check":
            return None
        if self.freshness == "strict" and not self.listener.sync():
            return None
        self.listener.catch_up()
        return self.listener.live()

    def _forget_newer(self, versions):
        """On each listener (re)connection: drop a snapshot newer than the database's version of it
        (a database restored from an older backup), which the listener could not tell from this
        process's own unannounced write."""
        with self._guard:
            for name, cached in list(self._cache.items()):
                if cached.version > versions.get(name, 0):
                    del self._cache[name]

    @contextlib.contextmanager
    def request_scope(self):
        """Within the block (one HTTP request), each name's version is asked once: a request reads
        one consistent state, and its own writes (published as they commit) are seen at once."""
        if self.freshness != "check":
            self.listener.start()
        self._local.seen = {}
        try:
            yield
        finally:
            self._local.seen = None

    def _current(self, connection, name, locked_version=None):
        """The snapshot at the database's current version (``locked_version`` when the caller holds
        the row lock and already read it)."""
        cached = self._cache.get(name)
        since = cached.version if cached is not None else 0
        if self.is_collection(name):
            if locked_version is None:
                rows = connection.execute(
                    "SELECT n.version, r.id, r.body::text FROM storage_names n"
                    " LEFT JOIN records r ON r.collection = n.name AND r.version > %s"
                    " WHERE n.name = %s", (since, name)).fetchall()
                version = rows[0][0] if rows else 0
                rows = [row[1:] for row in rows if row[1] is not None]
            else:
                version = locked_version
                rows = [] if version == since else connection.execute(
                    "SELECT id, body::text FROM records WHERE collection = %s AND version > %s",
                    (name, since)).fetchall()
            if cached is not None and version == cached.version:
                return cached
            if version < since:  # a database restored from an older backup: start over
                return self._remember(name, self._fresh(connection, name, version), replace=True)
            base = cached.value if cached is not None else Records()
            changes = {row[0]: (loads(row[1]) if row[1] is not None else _GONE)
                       for row in sorted(rows, key=lambda row: natural(row[0]))}
            return self._remember(name, Snapshot(version, base.changed(changes)))
        if locked_version is None:
            row = connection.execute(
                "SELECT n.version, CASE WHEN n.version <> %s THEN d.body::text END FROM storage_names n"
                " LEFT JOIN documents d ON d.name = n.name WHERE n.name = %s", (since, name)).fetchone()
            version, body = row if row else (0, None)
        else:
            version = locked_version
            body = None if version == since else _scalar(connection.execute(
                "SELECT body::text FROM documents WHERE name = %s", (name,)))
        if cached is not None and version == cached.version:
            return cached
        value = loads(body) if body is not None else self._defaults[name]()
        return self._remember(name, Snapshot(version, value), replace=version < since)

    def _fresh(self, connection, name, version):
        rows = connection.execute("SELECT id, body::text FROM records WHERE collection = %s AND body IS NOT NULL",
                                  (name,)).fetchall()
        rows.sort(key=lambda row: natural(row[0]))
        return Snapshot(version, Records({key: loads(body) for key, body in rows}))

    def _remember(self, name, snapshot, replace=False):
        with self._guard:
            cached = self._cache.get(name)
            if replace or cached is None or cached.version <= snapshot.version:
                self._cache[name] = snapshot
        return snapshot

    def version(self, name):
        return self.snapshot(name).version

    def exists(self, name):
        return self.version(name) > 0

    def get(self, name, record_id):
        return self.snapshot(name).value.get(record_id)

    def has(self, name, record_id):
        return record_id in self.snapshot(name).value

    def scan(self, name):
        return self.snapshot(name).value.values()

    def document(self, name):
        return self.snapshot(name).value

    def entry(self, name, key):
        """One keyed entry. The snapshot of an entries name is the dict of entries looked up at its
        version: a key is asked of the database once per version (a later commit only makes the
        answer fresher, never staler)."""
        looked_up = self.snapshot(name).value
        if key not in looked_up:
            if len(looked_up) >= ENTRY_CACHE_LIMIT:  # tokens nobody revoked, by the thousand: start over
                looked_up.clear()
            with self._session(lambda connection: _scalar(connection.execute(
                    "SELECT body::text FROM entries WHERE name = %s AND key = %s", (name, key))),
                    transactional=False) as (_connection, body):
                looked_up[key] = loads(body) if body is not None else None
        return looked_up[key]

    def read(self, name):
        """The file backend's shape of ``name`` (``{"seq", "items"}`` for a collection), for the
        callers that still read it whole (check-data, tests); shared: never mutate."""
        if name in self._entries:
            with self._session(lambda connection: _all_entries(connection, name), transactional=False) as (_c, entries):
                return entries
        value = self.snapshot(name).value
        if not isinstance(value, Records):
            return value
        items = {record["id"]: record for record in value.values()}
        return {"seq": max((int(key) for key in items if key.isdigit()), default=0), "items": items}

    # -- housekeeping the file backend needs and a database does not -------------------------------
    def remove_temp_files(self):
        return []  # a transaction that dies leaves nothing behind

    def broken_files(self):
        return {}  # the database checks every JSON value on the way in

    # -- writing ----------------------------------------------------------------------------
    def kind(self, name):
        if name in self._entries:
            return "entries"
        return "records" if self.is_collection(name) else "document"

    def _ensure_names(self, connection, names, kind=None):
        """Give every name its row in ``storage_names`` (once per process)."""
        missing = [name for name in names if name not in self._known]
        if missing:
            connection.execute(
                "INSERT INTO storage_names (name, kind) SELECT * FROM unnest(%s::text[], %s::text[])"
                " ON CONFLICT (name) DO UPDATE SET kind = excluded.kind"
                " WHERE storage_names.kind = 'lock' AND excluded.kind <> 'lock'",
                (missing, [kind or self.kind(name) for name in missing]))

    @contextlib.contextmanager
    def transaction(self, *names):
        names = sorted(set(names))
        for name in names:
            if name not in self._defaults:
                raise KeyError(f"{name} is not a registered name")
        done = {}

        def lock(connection):
            self._ensure_names(connection, names)
            locked = dict(connection.execute(
                "SELECT name, version FROM storage_names WHERE name = ANY(%s) ORDER BY name FOR UPDATE",
                (names,)).fetchall())
            return {name: self._current(connection, name, locked[name]) for name in names}

        with self._session(lock) as (connection, snapshots):
            transaction = PgTransaction(self, connection, snapshots)
            yield transaction
            published = self._write(connection, transaction, snapshots, done)
        self._known.update(names)
        for name, snapshot in published.items():
            self._remember(name, snapshot)
        seen = getattr(self._local, "seen", None)
        if seen is not None:
            seen.update(snapshots)  # the versions read under the lock...
            seen.update(published)  # ...and what this block made of them
        self._local.changes = done

    def _write(self, connection, transaction, snapshots, done):
        """Write what the block changed, row by row; return the snapshots to publish once committed."""
        published = {}
        for name in snapshots:
            before = snapshots[name]
            version = before.version + 1
            if name in self._entries:
                entries = transaction.open_entries.get(name)
                if entries is None or not entries.write():
                    done[name] = Changes()
                    continue
                connection.execute("UPDATE storage_names SET version = %s WHERE name = %s", (version, name))
                changes = Changes(other=True)
                published[name] = Snapshot(version, {})
            elif self.is_collection(name):
                record_set = transaction.open_records.get(name)
                if record_set is None:
                    done[name] = Changes(records=True)
                    continue
                rows, changes = record_set.settle()
                if changes.empty:
                    done[name] = changes
                    continue
                connection.execute(
                    "WITH written AS (INSERT INTO records (collection, id, version, body)"
                    " SELECT %(name)s, key, %(version)s, body::json FROM unnest(%(keys)s::text[], %(bodies)s::text[]) AS r(key, body)"
                    " ON CONFLICT (collection, id) DO UPDATE SET version = excluded.version, body = excluded.body)"
                    " UPDATE storage_names SET version = %(version)s WHERE name = %(name)s",
                    {"name": name, "version": version, "keys": list(rows),
                     "bodies": [None if value is None else dumps(value).decode() for value in rows.values()]})
                published[name] = Snapshot(version, before.value.changed(rows))
            else:
                if name not in transaction.working:
                    done[name] = Changes()
                    continue
                value = through_json(transaction.working[name])
                if value == before.value and before.version > 0:
                    done[name] = Changes()
                    continue
                connection.execute(
                    "WITH written AS (INSERT INTO documents (name, body) VALUES (%(name)s, %(body)s::json)"
                    " ON CONFLICT (name) DO UPDATE SET body = excluded.body)"
                    " UPDATE storage_names SET version = %(version)s WHERE name = %(name)s",
                    {"name": name, "version": version, "body": dumps(value).decode()})
                changes = Changes(other=True)
                published[name] = Snapshot(version, value)
            done[name] = changes
        return published

    def next_id(self, connection, name):
        """The next id of the collection, from its own sequence: never rolled back, never reused."""
        if name not in self._sequences:
            # Created outside the block's transaction, so a block that fails cannot take it back.
            with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as own:
                own.execute(sql.SQL("CREATE SEQUENCE IF NOT EXISTS {}").format(sql.Identifier(sequence_name(name))))
            self._sequences.add(name)
        return str(connection.execute("SELECT nextval(%s::regclass)", (sequence_regclass(name),)).fetchone()[0])

    def last_changes(self):
        return getattr(self._local, "changes", None)

    @contextlib.contextmanager
    def edit(self, name):
        """A one-name transaction yielding the file backend's shape (``{"seq", "items"}`` for a
        collection) to change in place: for tests and tools, never for services."""
        with self.transaction(name) as transaction:
            if name in self._entries:
                yield from self._edit_entries(transaction, name)
                return
            if not self.is_collection(name):
                yield transaction.document(name)
                return
            records = transaction.records(name)
            before = [record["id"] for record in records.scan()]
            seq = max([0, *(int(key) for key in before if key.isdigit())])
            shape = {"seq": seq, "items": {key: records.get(key) for key in before}}
            yield shape
            for key in before:
                if key not in shape["items"]:
                    records.delete(key)
            for key, record in shape["items"].items():
                records.put(key, record)
            if shape["seq"] > seq:
                self.next_id(transaction.connection, name)  # the sequence exists
                transaction.connection.execute("SELECT setval(%s::regclass, %s)",
                                               (sequence_regclass(name), shape["seq"]))

    def _edit_entries(self, transaction, name):
        before = _all_entries(transaction.connection, name)
        shape = through_json(before)
        yield shape
        entries = transaction.entries(name)
        for key in before.keys() - shape.keys():
            entries.delete(key)
        for key, entry in shape.items():
            if before.get(key) != entry:
                entries.put(key, entry)

    # -- locks and logs -----------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, name):
        """The row lock of ``name`` in ``storage_names`` (the same lock a transaction takes), held
        for the block in a transaction of its own."""
        def take(connection):
            self._ensure_names(connection, [name], "lock")
            connection.execute("SELECT version FROM storage_names WHERE name = %s FOR UPDATE", (name,))

        with self._session(take):
            self._known.add(name)
            yield

    def log(self, name):
        return PgEventLog(self, name)

    # -- moving a production (utils/storage/transfer.py) ----------------------------------------
    def stored(self):
        """{name: kind} of everything ever written: records, documents and logs."""
        with self._session(lambda connection: connection.execute(
                "SELECT name, kind FROM storage_names WHERE version > 0 AND kind <> 'lock' ORDER BY name"
        ).fetchall(), transactional=False) as (_connection, rows):
            return dict(rows)

    def dump(self, name):
        """(version, value): a collection in the file backend's shape ``{"seq", "items"}`` (``seq``:
        the last id its sequence handed out), or a document's value."""
        def read(connection):
            kind, version = connection.execute("SELECT kind, version FROM storage_names WHERE name = %s",
                                               (name,)).fetchone()
            return version, read_value(connection, kind)

        def read_value(connection, kind):
            if kind == "document":
                return loads(_scalar(connection.execute("SELECT body::text FROM documents WHERE name = %s", (name,))))
            if kind == "entries":
                return _all_entries(connection, name)
            rows = connection.execute("SELECT id, body::text FROM records WHERE collection = %s AND body IS NOT NULL",
                                      (name,)).fetchall()
            rows.sort(key=lambda row: natural(row[0]))
            exists = _scalar(connection.execute("SELECT to_regclass(%s)", (sequence_regclass(name),)))
            seq = 0
            if exists:
                last, called = connection.execute(
                    sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(sequence_name(name)))).fetchone()
                seq = last if called else last - 1
            return {"seq": seq, "items": {key: loads(body) for key, body in rows}}

        with self._session(read) as (_connection, value):
            return value

    def load(self, name, kind, version, value):
        """Store ``value`` (as ``dump`` gives it) under ``name`` at ``version`` (or the next one, if
        the name is further along already), replacing what is there: import only."""
        if name in self._entries:
            kind = "entries"  # the file backend keeps them as a document

        def write(connection):
            nonlocal version
            connection.execute("INSERT INTO storage_names (name, kind) VALUES (%s, %s)"
                               " ON CONFLICT (name) DO UPDATE SET kind = excluded.kind", (name, kind))
            current = connection.execute("SELECT version FROM storage_names WHERE name = %s FOR UPDATE",
                                         (name,)).fetchone()[0]
            version = max(version, current + 1)  # versions never step back: caches key on them
            if kind == "document":
                connection.execute("INSERT INTO documents (name, body) VALUES (%s, %s::json) ON CONFLICT (name)"
                                   " DO UPDATE SET body = excluded.body", (name, dumps(value).decode()))
            elif kind == "entries":
                connection.execute("DELETE FROM entries WHERE name = %s", (name,))
                with connection.cursor() as cursor:
                    cursor.executemany("INSERT INTO entries (name, key, expires, body) VALUES (%s, %s, %s, %s::json)",
                                       [(name, key, _expires(entry), dumps(entry).decode())
                                        for key, entry in value.items()])
            else:
                connection.execute("DELETE FROM records WHERE collection = %s", (name,))
                with connection.cursor() as cursor:
                    cursor.executemany("INSERT INTO records (collection, id, version, body) VALUES (%s, %s, %s, %s::json)",
                                       [(name, key, version, dumps(record).decode())
                                        for key, record in value["items"].items()])
                sequence = sql.Identifier(sequence_name(name))
                connection.execute(sql.SQL("CREATE SEQUENCE IF NOT EXISTS {}").format(sequence))
                seq = max([value["seq"], *(int(key) for key in value["items"] if key.isdigit())])
                if seq > 0:
                    connection.execute("SELECT setval(%s::regclass, %s)", (sequence_regclass(name), seq))
            connection.execute("UPDATE storage_names SET version = %s WHERE name = %s", (version, name))

        with self._session(write):
            pass
        with self._guard:
            self._cache.pop(name, None)

    def load_events(self, name, events):
        """Append ``events`` (oldest first, ids 1, 2, 3...) to an empty log in one transaction."""
        def write(connection):
            connection.execute("INSERT INTO storage_names (name, kind) VALUES (%s, 'log')"
                               " ON CONFLICT (name) DO NOTHING", (name,))
            last = connection.execute("SELECT version FROM storage_names WHERE name = %s FOR UPDATE",
                                      (name,)).fetchone()[0]
            with connection.cursor() as cursor:
                cursor.executemany("INSERT INTO events (log, id, body) VALUES (%s, %s, %s::json)",
                                   [(name, last + number, dumps(event).decode())
                                    for number, event in enumerate(events, start=1)])
            connection.execute("UPDATE storage_names SET version = %s WHERE name = %s", (last + len(events), name))

        with self._session(write):
            pass


class PgTransaction:
    """``utils.storage.interface.Transaction`` over the locked names."""

    def __init__(self, storage, connection, snapshots):
        self.storage = storage
        self.connection = connection
        self.snapshots = snapshots
        self.open_records = {}
        self.open_entries = {}
        self.working = {}

    def _listed(self, name):
        if name not in self.snapshots:
            raise KeyError(f"{name} is not one of this transaction's names")
        return self.snapshots[name]

    def records(self, name):
        snapshot = self._listed(name)
        if not self.storage.is_collection(name):
            raise KeyError(f"{name} is a document, not a record collection")
        if name not in self.open_records:
            self.open_records[name] = PgRecordSet(self, name, snapshot.value)
        return self.open_records[name]

    def document(self, name):
        snapshot = self._listed(name)
        if self.storage.is_collection(name):
            raise KeyError(f"{name} is a record collection, not a document")
        if name not in self.working:
            self.working[name] = through_json(snapshot.value)
        return self.working[name]

    def replace(self, name, value):
        self.document(name)
        self.working[name] = value

    def entries(self, name):
        self._listed(name)
        if name not in self.storage._entries:
            raise KeyError(f"{name} does not hold keyed entries")
        if name not in self.open_entries:
            self.open_entries[name] = PgEntries(self.connection, name)
        return self.open_entries[name]


class PgEntries:
    """``utils.storage.interface.Entries`` as rows of ``entries``, read under the name's row lock;
    writes are kept until the commit, then one statement each."""

    def __init__(self, connection, name):
        self.connection = connection
        self.name = name
        self.pending = {}  # key -> entry, or None (deleted)
        self.pruned_before = None

    def get(self, key):
        if key in self.pending:
            return self.pending[key]
        body = _scalar(self.connection.execute("SELECT body::text FROM entries WHERE name = %s AND key = %s",
                                               (self.name, key)))
        entry = loads(body) if body is not None else None
        if entry is not None and self.pruned_before is not None and _expires(entry) < self.pruned_before:
            return None
        return entry

    def put(self, key, entry):
        self.pending[key] = through_json(entry)

    def delete(self, key):
        self.pending[key] = None

    def prune(self, moment):
        self.pruned_before = max(moment, self.pruned_before or moment)

    def write(self):
        """Commit-time: prune, then the pending writes. True if any row changed."""
        changed = 0
        with self.connection.cursor() as cursor:
            if self.pruned_before is not None:
                cursor.execute("DELETE FROM entries WHERE name = %s AND expires < %s", (self.name, self.pruned_before))
                changed += cursor.rowcount
            for key, entry in self.pending.items():
                if entry is None:
                    cursor.execute("DELETE FROM entries WHERE name = %s AND key = %s", (self.name, key))
                else:
                    cursor.execute("INSERT INTO entries (name, key, expires, body) VALUES (%s, %s, %s, %s::json)"
                                   " ON CONFLICT (name, key) DO UPDATE SET expires = excluded.expires, body = excluded.body",
                                   (self.name, key, _expires(entry), dumps(entry).decode()))
                changed += cursor.rowcount
        return changed > 0


class PgRecordSet:
    """``utils.storage.interface.RecordSet``: the committed records, each copied when first handed
    out; at commit the copies are compared with what was read, so only real changes are written."""

    def __init__(self, transaction, name, shared):
        self.transaction = transaction
        self.name = name
        self.shared = shared
        self.own = {}  # id -> the private copy handed out (or inserted)
        self.removed = set()
        self.inserted = []
        self._next = None

    def get(self, record_id):
        if record_id in self.own:
            return self.own[record_id]
        if record_id in self.removed:
            return None
        value = self.shared.get(record_id)
        if value is None:
            return None
        self.own[record_id] = copy = through_json(value)
        return copy

    def __contains__(self, record_id):
        return record_id in self.own or (record_id not in self.removed and record_id in self.shared)

    def __len__(self):
        return len(self.shared) + sum(1 for key in self.own if key not in self.shared) - \
            sum(1 for key in self.removed if key in self.shared)

    def scan(self):
        for record in list(self.shared.values()):
            if record["id"] in self:
                yield self.get(record["id"])
        for key in list(self.inserted):
            if key in self.own:
                yield self.own[key]

    def next_id(self):
        if self._next is None:
            self._next = self.transaction.storage.next_id(self.transaction.connection, self.name)
        return self._next

    def insert(self, fields):
        record_id = self.next_id()
        self._next = None
        record = {"id": record_id, **{key: value for key, value in fields.items() if key != "id"}}
        self.own[record_id] = record
        self.removed.discard(record_id)
        self.inserted.append(record_id)
        return record

    def put(self, record_id, record):
        """Make ``record`` the record with this id (``edit`` only)."""
        if record_id not in self.shared and record_id not in self.own:
            self.inserted.append(record_id)
        self.removed.discard(record_id)
        self.own[record_id] = record

    def update(self, record_id, changes):
        record = self.get(record_id)
        if record is not None:
            record.update(changes)
        return record

    def delete(self, record_id):
        record = self.get(record_id)
        if record is None:
            return None
        del self.own[record_id]
        self.removed.add(record_id)
        return record

    def settle(self):
        """({id: record or None (removed)} to write, ``Changes``)."""
        rows, added, changed, removed = {}, [], [], []
        for key in sorted(set(self.own) | self.removed, key=natural):
            old = self.shared.get(key)
            if key in self.own:
                value = through_json(self.own[key])
                if old is None:
                    added.append(key)
                elif value != old:
                    changed.append(key)
                else:
                    continue
                rows[key] = value
            elif old is not None:
                removed.append(key)
                rows[key] = None
        return rows, Changes(tuple(added), tuple(changed), tuple(removed), records=True)


class PgEventLog:
    """``utils.storage.interface.EventLog`` as rows of ``events``; the log's row in
    ``storage_names`` is its lock and holds its last id."""

    def __init__(self, storage, name):
        self.storage = storage
        self.name = name
        self.filename = f"the {name} log (PostgreSQL table events)"

    def append(self, make_event):
        def take(connection):
            self.storage._ensure_names(connection, [self.name], "log")
            return connection.execute(
                "SELECT n.version, e.body::text FROM storage_names n"
                " LEFT JOIN events e ON e.log = n.name AND e.id = n.version"
                " WHERE n.name = %s FOR UPDATE OF n", (self.name,)).fetchone()

        with self.storage._session(take) as (connection, (last, body)):
            event = make_event(format_id(last + 1), loads(body).get("at") if body else None)
            connection.execute("WITH written AS (INSERT INTO events (log, id, body) VALUES (%(log)s, %(id)s, %(body)s::json))"
                               " UPDATE storage_names SET version = %(id)s WHERE name = %(log)s",
                               {"log": self.name, "id": last + 1, "body": dumps(event).decode()})
        self.storage._known.add(self.name)
        return event

    def newest_first(self):
        below = None
        while True:
            with self.storage._session(lambda connection: None, transactional=False) as (connection, _nothing):
                rows = connection.execute(
                    "SELECT id, body::text FROM events WHERE log = %s AND (%s::bigint IS NULL OR id < %s)"
                    " ORDER BY id DESC LIMIT %s", (self.name, below, below, EVENTS_PAGE)).fetchall()
            for _id, body in rows:
                yield loads(body)
            if len(rows) < EVENTS_PAGE:
                return
            below = rows[-1][0]

    def last(self):
        return next(self.newest_first(), None)

    def repair(self):
        return False  # an append is one SQL transaction: nothing is ever torn

    def damaged_lines(self):
        return []


def _all_entries(connection, name):
    """{key: entry} of every entry of ``name``, in the order their keys were first written."""
    return {key: loads(body) for key, body in connection.execute(
        "SELECT key, body::text FROM entries WHERE name = %s ORDER BY position", (name,))}


def _expires(entry):
    """An entry's expiry as stored (one without a number, written by an older version, has expired)."""
    expires = entry.get("expires") if isinstance(entry, dict) else None
    return expires if isinstance(expires, (int, float)) and not isinstance(expires, bool) else 0


def _scalar(cursor):
    row = cursor.fetchone()
    return row[0] if row else None


def sequence_name(name):
    """The id sequence of a collection (a quoted identifier: any name fits)."""
    return f"ids:{name}"


def sequence_regclass(name):
    return '"' + sequence_name(name).replace('"', '""') + '"'


def _reason(exc):
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
