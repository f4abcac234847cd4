"""Past one machine (issue 19): two gunicorn servers on different ports, one PostgreSQL database and
one shared uploads directory, each with its own (unused) data directory, as two machines would be.

Marked ``serving`` like tests/test_serving.py (deselect locally with ``-m "not serving"``).
"""
import random
import threading
import time

import pytest

from bench.server import Gunicorn, login, send
from tests.test_serving import all_tasks, connection, in_parallel

pytestmark = pytest.mark.serving

SECRET = "two-servers-secret-key-long-enough-0123456789"
PASSWORD = "two-servers-password"


@pytest.fixture
def serve(pg_url, tmp_path):
    """``serve(name)`` starts a gunicorn (2 workers) on the test database; all are killed at the end.
    The tests read on one server what they just wrote on the other, so the servers run with strict
    freshness, the default (each request waits for its listener's own round trip: no window), unless told."""
    started = []

    def start(name, freshness="strict"):
        environment = {
            "PRODSIGHT_DATABASE_FRESHNESS": freshness,
            "PRODSIGHT_DATABASE_URL": pg_url,
            "PRODSIGHT_DATA_DIR": str(tmp_path / f"data-{name}"),
            "PRODSIGHT_UPLOAD_DIR": str(tmp_path / "uploads"),  # shared, as one mounted directory
            "SECRET_KEY": SECRET,
            "JWT_SECRET_KEY": SECRET,
            "PRODSIGHT_DEMO_PASSWORD": PASSWORD,
            "PRODSIGHT_ENV": "development",
        }
        server = Gunicorn(environment, workers=2, log_path=str(tmp_path / f"gunicorn-{name}.log"))
        started.append(server)
        return server.wait_ready()

    yield start
    for server in started:
        server.kill()


def test_eight_clients_over_two_servers_create_exactly_400_tasks_with_unique_ids(serve):
    servers = [serve("a"), serve("b")]
    headers = login(servers[0], "producer", PASSWORD)
    before = all_tasks(servers[1], headers)

    def client(n):
        created = []
        links = [connection(server) for server in servers]
        with links[0] as first, links[1] as second:
            for i in range(50):
                link = (first, second)[(n + i) % 2]  # every client alternates between the servers
                status, body, _ = send(link, "POST", "/api/tasks", {"title": f"client {n} task {i}"}, headers)
                created.append((status, body["data"]["id"] if status == 201 else body))
        return created

    created = [entry for entries in in_parallel(8, client) for entry in entries]
    assert [status for status, _ in created] == [201] * 400
    ids = {task_id for _, task_id in created}
    assert len(ids) == 400
    for server in servers:
        assert set(all_tasks(server, headers)) - set(before) == ids


def test_partial_updates_of_one_task_through_both_servers_are_all_kept(serve):
    servers = [serve("a"), serve("b")]
    headers = login(servers[0], "producer", PASSWORD)
    status, body, _ = servers[0].request("POST", "/api/tasks", {"title": "Shared task"}, headers)
    path = f"/api/tasks/{body['data']['id']}"
    values = {
        "title": lambda i: f"Title {i}",
        "description": lambda i: f"Description {i}",
        "category": lambda i: f"Category {i}",
        "estimatedHours": lambda i: i + 1,
    }
    fields = list(values)

    def client(n):
        statuses = []
        with connection(servers[n % 2]) as link:
            for i in range(15):
                statuses.append(send(link, "PUT", path, {fields[n]: values[fields[n]](i)}, headers)[0])
        return statuses

    assert in_parallel(len(fields), client) == [[200] * 15] * len(fields)
    for server in servers:
        status, body, _ = server.request("GET", path, headers=headers)
        assert {field: body["data"][field] for field in fields} == {
            "title": "Title 14", "description": "Description 14", "category": "Category 14", "estimatedHours": 15}


def test_a_token_revoked_on_one_server_is_refused_by_the_other(serve):
    one, two = serve("a"), serve("b")
    tokens = login(one, "producer", PASSWORD)
    assert two.request("GET", "/api/auth/me", headers=tokens)[0] == 200
    assert one.request("POST", "/api/auth/logout", headers=tokens)[0] == 200
    status, body, _ = two.request("GET", "/api/auth/me", headers=tokens)
    assert (status, body["message"]) == (401, "Token has been revoked: log in again")


def test_activity_ids_increase_across_both_servers(serve):
    servers = [serve("a"), serve("b")]
    headers = login(servers[0], "producer", PASSWORD)

    def client(n):
        with connection(servers[n % 2]) as link:
            return [send(link, "POST", "/api/tasks", {"title": f"logged {n}.{i}"}, headers)[0] for i in range(10)]

    assert in_parallel(4, client) == [[201] * 10] * 4
    status, body, _ = servers[1].request("GET", "/api/activity?per_page=100", headers=headers)
    assert status == 200
    ids = [event["id"] for event in body["data"]]  # newest first
    assert len(ids) == 40
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 40
    assert [int(event_id) for event_id in ids] == list(range(int(ids[0]), int(ids[0]) - 40, -1))


def test_a_server_killed_mid_stream_and_restarted_loses_no_acknowledged_write(serve):
    rng = random.Random(19)
    doomed, survivor = serve("a"), serve("b")
    headers = login(survivor, "producer", PASSWORD)
    acknowledged, stop = {}, threading.Event()

    def writer(n):
        with connection(doomed) as link:
            for i in range(10_000):
                if stop.is_set():
                    return
                title = f"writer {n} #{i}"
                try:
                    status, body, _ = send(link, "POST", "/api/tasks", {"title": title}, headers)
                except OSError:
                    return  # the server died under this request: not acknowledged
                if status == 201:
                    acknowledged[body["data"]["id"]] = title

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1 + rng.random())
    doomed.kill()  # SIGKILL to the whole group, mid-stream
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert len(acknowledged) > 10
    restarted = serve("a")
    for server in (survivor, restarted):
        stored = all_tasks(server, headers)
        assert {task_id: stored[task_id]["title"] for task_id in acknowledged} == acknowledged


def test_with_notify_a_write_on_one_server_reaches_the_other_within_the_notification_window(serve):
    """The "notify" freshness: a request asks the database nothing while its listener is
    live, so a write acknowledged by one server is seen by the other once the notification arrived
    (README, "Caches across servers"): this measures that window, it does not assume it is zero."""
    one, two = serve("a", "notify"), serve("b", "notify")
    headers = login(one, "producer", PASSWORD)
    path = f"/api/tasks/{one.request('POST', '/api/tasks', {'title': 'Notified'}, headers)[1]['data']['id']}"
    for title in ("Notified v2", "Notified v3"):
        assert one.request("PUT", path, {"title": title}, headers)[0] == 200
        acknowledged, deadline = time.monotonic(), time.monotonic() + 10
        while two.request("GET", path, headers=headers)[1]["data"]["title"] != title:
            assert time.monotonic() < deadline, "the other server never heard of the write"
            time.sleep(0.005)
        window = time.monotonic() - acknowledged
        assert window < 10
