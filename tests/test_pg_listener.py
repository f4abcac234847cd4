"""The listener (utils/storage/postgres/listener.py): a process learns of other servers' commits from
notifications instead of asking the database on every request, and asks again whenever the listener
is not live. Two backend instances on one database stand for two servers."""
import time

import psycopg
import pytest

from utils.storage.postgres import listener as listener_module
from utils.storage.postgres.backend import PostgresStorage


def server(url, freshness="notify"):
    storage = PostgresStorage(url, pool_size=4, freshness=freshness)
    storage.register("tasks")
    storage.register("budget", lambda: {"currency": "USD"})
    return storage


@pytest.fixture
def servers(pg_url):
    made = []

    def make(freshness="notify"):
        made.append(server(pg_url, freshness))
        return made[-1]

    yield make
    for storage in made:
        storage.close()


def until(condition, timeout=10):
    """Wait for a state of the listener thread (it connects and reconnects on its own)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def live(storage):
    storage.listener.start()
    until(lambda: storage.listener.live() is not None)
    return storage


def read(storage, record_id):
    with storage.request_scope():
        return storage.get("tasks", record_id)


def write(storage, record_id=None, **fields):
    with storage.transaction("tasks") as transaction:
        records = transaction.records("tasks")
        if record_id is None:
            return records.insert(fields)["id"]
        return records.update(record_id, fields)


def asking_forbidden(storage, monkeypatch):
    """Any round trip of ``storage`` outside its listener fails the test."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("asked the database")

    monkeypatch.setattr(storage, "_session", refuse)


def test_a_request_trusts_its_cache_while_the_listener_is_live(servers, monkeypatch):
    one, two = live(servers()), servers()
    task = write(two, title="Storyboard")
    assert one.listener.sync()
    assert read(one, task)["title"] == "Storyboard"  # loaded once
    asking_forbidden(one, monkeypatch)
    for _ in range(3):
        assert read(one, task)["title"] == "Storyboard"  # no query: the listener says it is current


def test_another_servers_write_is_seen_once_its_notification_arrived(servers):
    one, two = live(servers()), servers()
    task = write(two, title="Storyboard")
    assert read(one, task)["title"] == "Storyboard"
    write(two, task, title="Storyboard v2")
    assert one.listener.sync()  # every commit before this call has been heard of
    assert read(one, task)["title"] == "Storyboard v2"
    assert one.listener.live()["tasks"] == two.version("tasks")


def test_strict_freshness_sees_another_servers_acknowledged_write_at_once(servers):
    one, two = live(servers("strict")), servers()
    task = write(two, title="Storyboard")
    assert read(one, task)["title"] == "Storyboard"
    for number in range(20):  # no sync() of the test's own: each request waits for the listener's round trip
        write(two, task, title=f"Storyboard v{number}")
        assert read(one, task)["title"] == f"Storyboard v{number}"


def test_a_listener_down_means_every_request_asks_the_database(servers, monkeypatch, pg_url):
    one, two = live(servers()), servers()
    task = write(two, title="Storyboard")
    assert read(one, task)["title"] == "Storyboard"
    monkeypatch.setattr(listener_module, "RETRY", (60.0, 60.0))  # stays down for this test
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (one.listener.backend_pid,))
    until(lambda: one.listener.live() is None)
    write(two, task, title="Storyboard v2")  # no listener hears of it
    assert read(one, task)["title"] == "Storyboard v2"  # the per-request check did


def test_a_listener_that_stops_answering_is_not_trusted_after_its_liveness(servers, monkeypatch):
    one = live(servers())
    assert one.listener.live() is not None
    monkeypatch.setattr(listener_module, "LIVENESS", 0.0)  # as if its last round trip were too long ago
    assert one.listener.live() is None  # silent that long (a dead link): the database is asked
    assert not one.listener.sync(timeout=1)


def test_the_listener_reconnects_and_catches_up_on_what_it_missed(servers, monkeypatch, pg_url):
    one, two = live(servers()), servers()
    task = write(two, title="Storyboard")
    assert read(one, task)["title"] == "Storyboard"
    first_pid = one.listener.backend_pid
    monkeypatch.setattr(listener_module, "RETRY", (0.5, 0.5))
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (first_pid,))
    until(lambda: one.listener.live() is None or one.listener.backend_pid != first_pid)
    write(two, task, title="written while it was down")
    until(lambda: one.listener.live() is not None and one.listener.backend_pid != first_pid)
    assert one.listener.live()["tasks"] == two.version("tasks")  # read on reconnection
    assert read(one, task)["title"] == "written while it was down"


def test_a_write_of_this_process_is_trusted_before_its_own_notification(servers, monkeypatch):
    one = live(servers())
    task = write(one, title="Storyboard")
    asking_forbidden(one, monkeypatch)
    assert read(one, task)["title"] == "Storyboard"  # published at commit; newer than heard of is ours


def test_closing_stops_the_listener(servers):
    one = live(servers())
    thread = one.listener._thread
    one.close()
    assert not thread.is_alive()
    assert one.listener.live() is None
