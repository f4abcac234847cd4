"""The throwaway PostgreSQL of tests/pg.py: a server of the test's own, a fresh database per test."""
import psycopg


def test_each_test_gets_a_fresh_empty_database_on_a_local_server(pg_url, pg_cluster):
    with psycopg.connect(pg_url) as connection:
        tables = connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
        assert tables == 0
        connection.execute("CREATE TABLE scratch (id int)")
    other, drop = pg_cluster.database()
    try:
        assert other != pg_url
        with psycopg.connect(other) as connection:
            assert connection.execute("SELECT to_regclass('scratch')").fetchone()[0] is None
    finally:
        drop()
    if pg_cluster.local:  # started here: listening on 127.0.0.1 only
        assert "@127.0.0.1:" in pg_url
