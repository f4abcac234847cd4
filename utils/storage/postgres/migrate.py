"""Versioned schema migrations: numbered SQL files in ``migrations/`` (``0001_initial.sql``...),
applied in order at startup, each in its own transaction, and recorded in ``schema_version``.

Several servers may start at once: the whole check-and-apply runs under a session advisory lock,
so the first applies what is missing and the others find it done. A database whose schema is newer
than this code (a newer version of the app ran against it) is refused with a clear message: the
code cannot know what the newer schema means.
"""
import os
import re
from typing import NamedTuple

import psycopg

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")
LOCK_KEY = 0x70726F64  # "prod": the advisory lock every server takes to migrate


class SchemaTooNew(Exception):
    """The database was migrated by a newer version of the app."""


class Migration(NamedTuple):
    number: int
    name: str
    sql: str


def migrations():
    """Every migration shipped with this code, in order."""
    found = []
    for entry in sorted(os.listdir(MIGRATIONS_DIR)):
        match = re.fullmatch(r"(\d{4})_(\w+)\.sql", entry)
        if match:
            with open(os.path.join(MIGRATIONS_DIR, entry), encoding="utf-8") as handle:
                found.append(Migration(int(match[1]), match[2], handle.read()))
    numbers = [migration.number for migration in found]
    assert numbers == list(range(1, len(found) + 1)), f"migrations must be numbered 1..n without gaps: {numbers}"
    return found


def latest():
    return migrations()[-1].number


def current_version(connection):
    """The schema version the database is at (0: nothing applied yet)."""
    exists = connection.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]
    if not exists:
        return 0
    return connection.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(url, connect_timeout=10):
    """Bring the database at ``url`` to this code's schema; return the numbers applied (often none).
    Raises ``SchemaTooNew`` when the database is ahead of the code."""
    known = migrations()
    with psycopg.connect(url, autocommit=True, connect_timeout=connect_timeout) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        try:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())")
            current = current_version(connection)
            if current > known[-1].number:
                raise SchemaTooNew(
                    f"the database schema is at version {current}, newer than this code's "
                    f"{known[-1].number}: run the newer version of Prodsight, or restore a backup")
            applied = []
            for migration in known[current:]:
                with connection.transaction():
                    connection.execute(migration.sql)
                    connection.execute("INSERT INTO schema_version (version, name) VALUES (%s, %s)",
                                       (migration.number, migration.name))
                applied.append(migration.number)
            return applied
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
