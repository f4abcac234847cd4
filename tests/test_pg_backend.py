"""The PostgreSQL backend's own guarantees, beyond the shared contract suite: several servers (here
several backend instances, each with its own pool and caches) on one database."""
import threading

import psycopg
import pytest

from utils.settings import ConfigError
from utils.storage.postgres.backend import DatabaseUnavailable, PostgresStorage
from utils.storage.registry import open_storage, redacted


def server(url):
    storage = PostgresStorage(url, pool_size=4)
    storage.register("tasks")
    storage.register("users")
    storage.register("budget", lambda: {"currency": "USD"})
    return storage


@pytest.fixture
def servers(pg_url):
    made = [server(pg_url), server(pg_url)]
    yield made
    for storage in made:
        storage.close()


def test_a_write_on_one_server_is_seen_by_the_next_read_on_the_other(servers):
    one, two = servers
    assert list(two.scan("tasks")) == [] and two.version("tasks") == 0
    with one.transaction("tasks") as transaction:
        transaction.records("tasks").insert({"title": "Storyboard"})
    assert two.get("tasks", "1") == {"id": "1", "title": "Storyboard"}
    with two.transaction("tasks") as transaction:
        transaction.records("tasks").update("1", {"title": "Storyboard v2"})
        transaction.records("tasks").insert({"title": "Recce"})
    assert [record["title"] for record in one.scan("tasks")] == ["Storyboard v2", "Recce"]
    with one.transaction("tasks") as transaction:
        transaction.records("tasks").delete("1")
    assert not two.has("tasks", "1") and [record["id"] for record in two.scan("tasks")] == ["2"]
    assert one.version("tasks") == two.version("tasks") == 3
    with one.transaction("budget") as transaction:
        transaction.document("budget")["currency"] = "EUR"
    assert two.document("budget") == {"currency": "EUR"}


def test_no_update_is_lost_across_servers_and_threads(servers):
    with servers[0].transaction("tasks") as transaction:
        transaction.records("tasks").insert({"count": 0})

    def add(storage):
        for _ in range(25):
            with storage.transaction("tasks") as transaction:
                record = transaction.records("tasks").get("1")
                record["count"] += 1

    threads = [threading.Thread(target=add, args=(storage,)) for storage in servers for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert servers[0].get("tasks", "1")["count"] == 2 * 3 * 25
    assert servers[1].get("tasks", "1")["count"] == 150


def test_ids_are_unique_across_servers_and_never_reused_after_a_delete_or_a_failed_block(servers):
    one, two = servers
    ids = []

    def create(storage):
        for _ in range(20):
            with storage.transaction("tasks") as transaction:
                ids.append(transaction.records("tasks").insert({})["id"])

    threads = [threading.Thread(target=create, args=(storage,)) for storage in servers for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(ids, key=int) == [str(number) for number in range(1, 81)]
    with pytest.raises(RuntimeError):
        with one.transaction("tasks") as transaction:
            assert transaction.records("tasks").insert({})["id"] == "81"
            raise RuntimeError("refused")
    with two.transaction("tasks") as transaction:
        transaction.records("tasks").delete("80")
    with two.transaction("tasks") as transaction:
        assert transaction.records("tasks").insert({})["id"] == "82"
    assert not one.has("tasks", "81") and not one.has("tasks", "80") and len(list(one.scan("tasks"))) == 80


def test_a_transaction_spanning_collections_commits_all_or_nothing(servers):
    one, two = servers
    with pytest.raises(RuntimeError):
        with one.transaction("tasks", "users", "budget") as transaction:
            transaction.records("tasks").insert({"title": "half"})
            transaction.records("users").insert({"name": "half"})
            transaction.document("budget")["currency"] = "GBP"
            raise RuntimeError("refused")
    assert list(two.scan("tasks")) == [] and list(two.scan("users")) == []
    assert two.document("budget") == {"currency": "USD"}
    assert [two.version(name) for name in ("tasks", "users", "budget")] == [0, 0, 0]
    with one.transaction("tasks", "users") as transaction:
        transaction.records("tasks").insert({"title": "whole"})
        transaction.records("users").insert({"name": "whole"})
    # the failed block's ids stay taken
    assert one.last_changes()["tasks"].added == ("2",) and one.last_changes()["users"].added == ("2",)
    assert two.get("tasks", "2")["title"] == two.get("users", "2")["name"] == "whole"


def test_a_write_writes_only_the_rows_it_changed(pg_url, servers):
    one, _ = servers
    with one.transaction("tasks") as transaction:
        for number in range(50):
            transaction.records("tasks").insert({"n": number})
    with one.transaction("tasks") as transaction:
        records = transaction.records("tasks")
        list(records.scan())  # every record looked at...
        records.update("7", {"n": "seven"})  # ...one changed
    assert one.last_changes()["tasks"].changed == ("7",)
    with psycopg.connect(pg_url) as connection:
        written = connection.execute(
            "SELECT id FROM records WHERE collection = 'tasks' AND version = 2").fetchall()
    assert written == [("7",)]


def test_the_activity_log_ids_increase_across_servers_with_no_gap(servers):
    def append(storage):
        for _ in range(15):
            storage.log("activity").append(lambda event_id, last_at: {"id": event_id, "at": last_at})

    threads = [threading.Thread(target=append, args=(storage,)) for storage in servers for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    events = list(servers[1].log("activity").newest_first())
    assert [event["id"] for event in events] == [f"{number:012d}" for number in range(60, 0, -1)]
    assert servers[0].log("activity").last()["id"] == "000000000060"


def test_a_named_lock_is_held_across_servers(servers):
    one, two = servers
    order = []
    with one.lock("seed"):
        waiter = threading.Thread(target=lambda: (two.lock("seed").__enter__(), order.append("two")))
        waiter.start()
        waiter.join(timeout=0.5)
        order.append("one")
    waiter.join()
    assert order == ["one", "two"]


def test_registry_picks_files_without_a_url_and_postgres_with_one(tmp_path, pg_url):
    from utils.store import Store

    assert isinstance(open_storage({"DATABASE_URL": None, "DATA_DIR": str(tmp_path)}), Store)
    storage = open_storage({"DATABASE_URL": pg_url, "DATA_DIR": str(tmp_path)})
    try:
        assert isinstance(storage, PostgresStorage)
    finally:
        storage.close()


@pytest.mark.parametrize("url, message", [
    ("mysql://db/prodsight", "must be a postgresql:// URL"),
    ("postgresql://nobody:s3cret@127.0.0.1:1/prodsight?connect_timeout=2", "cannot reach the database"),
])
def test_a_wrong_url_stops_startup_with_a_message_naming_the_variable(tmp_path, url, message):
    with pytest.raises(ConfigError) as raised:
        open_storage({"DATABASE_URL": url, "DATA_DIR": str(tmp_path)})
    assert "PRODSIGHT_DATABASE_URL" in str(raised.value) and message in str(raised.value)
    assert "s3cret" not in str(raised.value)


def test_redacted_hides_the_password():
    assert redacted("postgresql://app:pw@db:5432/p") == "postgresql://app:***@db:5432/p"
    assert redacted("postgresql://db/p") == "postgresql://db/p"


def test_a_database_going_away_is_a_503_error_and_a_fresh_connection_serves_again(pg_url, servers):
    one, _ = servers
    with one.transaction("tasks") as transaction:
        transaction.records("tasks").insert({"title": "kept"})
    with psycopg.connect(pg_url, autocommit=True) as admin:  # every server connection dropped
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                      " WHERE datname = current_database() AND pid <> pg_backend_pid()")
    assert one.get("tasks", "1")["title"] == "kept"  # a dropped connection is replaced once
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                      " WHERE datname = current_database() AND pid <> pg_backend_pid()")
    with one.transaction("tasks") as transaction:
        transaction.records("tasks").insert({"title": "after"})
    assert one.get("tasks", "2")["title"] == "after"


def test_a_connection_lost_inside_a_block_is_database_unavailable_and_nothing_is_written(pg_url, servers):
    one, two = servers
    with pytest.raises(DatabaseUnavailable) as raised:
        with one.transaction("tasks") as transaction:
            transaction.records("tasks").insert({"title": "lost"})
            with psycopg.connect(pg_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                              " WHERE datname = current_database() AND pid <> pg_backend_pid()")
    assert raised.value.status == 503 and "not saved" in str(raised.value)
    assert list(two.scan("tasks")) == []


def test_a_keyed_entry_write_rewrites_one_row_not_all_of_them(pg_url):
    from utils.storage.interface import new_entries

    storage = PostgresStorage(pg_url, pool_size=2)
    storage.register("revoked_tokens", new_entries)
    try:
        with storage.transaction("revoked_tokens") as transaction:
            for number in range(50):
                transaction.entries("revoked_tokens").put(f"jti-{number}", {"expires": 4_000_000_000})

        def row_versions():  # xmin: the transaction that wrote each row's current version
            with psycopg.connect(pg_url) as connection:
                return dict(connection.execute("SELECT key, xmin::text FROM entries").fetchall())

        before = row_versions()
        with storage.transaction("revoked_tokens") as transaction:
            transaction.entries("revoked_tokens").prune(1_000)  # nothing has expired
            transaction.entries("revoked_tokens").put("one-more", {"expires": 4_000_000_000})
        after = row_versions()
        assert {key: after[key] for key in before} == before and len(after) == 51
    finally:
        storage.close()
