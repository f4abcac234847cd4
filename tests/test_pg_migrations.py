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
