"""Versioned migrations (utils/storage/postgres/migrate.py) against the throwaway PostgreSQL."""
import threading

import psycopg
import pytest

from utils.storage.postgres import migrate


def tables(url):
    with psycopg.connect(url) as connection:
        return {row[0] for row in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def test_first_run_applies_every_migration_and_records_it(pg_url):
    applied = migrate.migrate(pg_url)
    assert applied == [migration.number for migration in migrate.migrations()]
    assert applied[0] == 1
    assert {"schema_version", "storage_names", "records", "documents", "events"} <= tables(pg_url)
    with psycopg.connect(pg_url) as connection:
        rows = connection.execute("SELECT version, name FROM schema_version ORDER BY version").fetchall()
    assert rows[0] == (1, "initial")
    assert len(rows) == len(applied)


def test_running_again_applies_nothing_and_changes_nothing(pg_url):
    migrate.migrate(pg_url)
    with psycopg.connect(pg_url) as connection:
        connection.execute("INSERT INTO storage_names (name, kind, version) VALUES ('tasks', 'records', 7)")
    assert migrate.migrate(pg_url) == []
    assert migrate.migrate(pg_url) == []
    with psycopg.connect(pg_url) as connection:
        assert connection.execute("SELECT version FROM storage_names WHERE name = 'tasks'").fetchone()[0] == 7


def test_servers_starting_at_once_migrate_once(pg_url):
    results, errors = [], []
    start = threading.Barrier(8)

    def server():
        start.wait()
        try:
            results.append(migrate.migrate(pg_url))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=server) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    everything = [migration.number for migration in migrate.migrations()]
    assert sorted(results, key=len, reverse=True) == [everything] + [[]] * 7
    with psycopg.connect(pg_url) as connection:
        assert connection.execute("SELECT count(*) FROM schema_version").fetchone()[0] == len(everything)


def test_a_schema_newer_than_the_code_is_refused_with_both_versions_named(pg_url):
    migrate.migrate(pg_url)
    newer = migrate.latest() + 1
    with psycopg.connect(pg_url) as connection:
        connection.execute("INSERT INTO schema_version (version, name) VALUES (%s, 'from_the_future')", (newer,))
    with pytest.raises(migrate.SchemaTooNew) as raised:
        migrate.migrate(pg_url)
    assert f"version {newer}" in str(raised.value)
    assert f"this code's {migrate.latest()}" in str(raised.value)


def test_keyed_entries_kept_as_documents_by_schema_1_move_to_rows(pg_url, monkeypatch):
    from utils.storage.interface import new_entries
    from utils.storage.postgres.backend import PostgresStorage

    first = migrate.migrations()[:1]
    monkeypatch.setattr(migrate, "migrations", lambda: first)
    migrate.migrate(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as connection:  # what schema 1 kept: one document each
        connection.execute("INSERT INTO storage_names (name, kind, version) VALUES"
                           " ('revoked_tokens', 'document', 3), ('login_attempts', 'document', 2)")
        connection.execute("INSERT INTO documents (name, body) VALUES ('revoked_tokens', %s), ('login_attempts', %s)",
                           ('{"j1": {"type": "access", "expires": 2000000000},'
                            ' "s1": {"type": "session", "next": 2, "expires": 2000000001.5}}',
                            '{"crew": [1700000000.5]}'))
    monkeypatch.undo()
    assert migrate.migrate(pg_url) == [migration.number for migration in migrate.migrations()[1:]]
    storage = PostgresStorage(pg_url, pool_size=2)
    try:
        for name in ("revoked_tokens", "login_attempts"):
            storage.register(name, new_entries)
        assert storage.read("revoked_tokens") == {"j1": {"type": "access", "expires": 2000000000},
                                                  "s1": {"type": "session", "next": 2, "expires": 2000000001.5}}
        assert list(storage.read("revoked_tokens")) == ["j1", "s1"]
        assert storage.entry("revoked_tokens", "s1")["next"] == 2
        assert storage.read("login_attempts") == {}  # a bare list of failures (schema 1's shape) is dropped
    finally:
        storage.close()
    with psycopg.connect(pg_url) as connection:
        assert connection.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
        assert dict(connection.execute("SELECT name, kind FROM storage_names").fetchall()) == {
            "revoked_tokens": "entries", "login_attempts": "entries"}
