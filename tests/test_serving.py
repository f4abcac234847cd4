"""End-to-end durability with real servers (issue 11): gunicorn with 3 workers on 127.0.0.1,
started by the tests from this venv in their own process group, on their own data directory.

Marked ``serving`` so they can be deselected locally (``-m "not serving"``); CI runs them.
"""
import contextlib
import http.client
import json
import random
import re
import threading
import time
from pathlib import Path

import pytest

from bench.server import Gunicorn, login, send
from bench.slowclients import SlowClients

pytestmark = pytest.mark.serving

SECRET = "serving-test-secret-key-long-enough-0123456789"
PASSWORD = "serving-test-password"


@pytest.fixture
def environment(tmp_path):
    """What a gunicorn needs to serve ``tmp_path`` (the demo seeds itself on the first request)."""
    return {
        "PRODSIGHT_DATA_DIR": str(tmp_path / "data"),
        "PRODSIGHT_UPLOAD_DIR": str(tmp_path / "uploads"),
        "SECRET_KEY": SECRET,
        "JWT_SECRET_KEY": SECRET,
        "PRODSIGHT_DEMO_PASSWORD": PASSWORD,
        "PRODSIGHT_ENV": "development",
    }


@pytest.fixture
def serve(environment, tmp_path):
    """Start servers on the test's data; every one still running is killed, group and all, at the end."""
    started = []

    def start():
        server = Gunicorn(environment, workers=3, log_path=str(tmp_path / "gunicorn.log"))
        started.append(server)
        return server.wait_ready()

    yield start
    for server in started:
        server.kill()


def in_parallel(count, work):
    """Run ``work(n)`` in ``count`` threads at once; return their results in order."""
    results, errors = [None] * count, []
    go = threading.Barrier(count)

    def run(n):
        try:
            go.wait()
            results[n] = work(n)
        except Exception as exc:  # reported below, with the thread's number
            errors.append((n, exc))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def connection(server):
    """A keep-alive connection, closed when the ``with`` block ends."""
    return contextlib.closing(http.client.HTTPConnection("127.0.0.1", server.port, timeout=30))


def all_tasks(server, headers):
    status, body, _ = server.request("GET", "/api/tasks", headers=headers)
    assert status == 200, body
    return {task["id"]: task for task in body["data"]}


def test_eight_clients_creating_fifty_tasks_each_get_exactly_400_distinct_tasks(serve):
    server = serve()
    headers = login(server, "producer", PASSWORD)
    before = all_tasks(server, headers)

    def client(n):
        created = []
        with connection(server) as link:
            for i in range(50):
                status, body, _ = send(link, "POST", "/api/tasks", {"title": f"client {n} task {i}"}, headers)
                created.append((status, body["data"]["id"] if status == 201 else body, f"client {n} task {i}"))
        return created

    created = [entry for entries in in_parallel(8, client) for entry in entries]

    assert [status for status, _, _ in created] == [201] * 400
    ids = [task_id for _, task_id, _ in created]
    assert len(set(ids)) == 400
    after = all_tasks(server, headers)
    assert set(after) - set(before) == set(ids)
    assert {task_id: after[task_id]["title"] for _, task_id, _ in created} == {
        task_id: title for _, task_id, title in created}


def test_concurrent_partial_updates_of_different_fields_of_one_task_are_all_kept(serve):
    server = serve()
    headers = login(server, "producer", PASSWORD)
    status, body, _ = server.request("POST", "/api/tasks", {"title": "Shared task"}, headers)
    assert status == 201
    path = f"/api/tasks/{body['data']['id']}"
    values = {  # each client sets one field, 15 times; the last value of each must survive
        "title": lambda i: f"Title {i}",
        "description": lambda i: f"Description {i}",
        "category": lambda i: f"Category {i}",
        "dueDate": lambda i: f"2027-01-{i + 1:02d}",
        "estimatedHours": lambda i: i + 1,
        "priority": lambda i: ("low", "medium", "high")[i % 3],
        "status": lambda i: ("todo", "in_progress", "done")[i % 3],
    }
    fields = list(values)

    def client(n):
        statuses = []
        with connection(server) as link:
            for i in range(15):
                status, _, _ = send(link, "PUT", path, {fields[n]: values[fields[n]](i)}, headers)
                statuses.append(status)
        return statuses

    statuses = in_parallel(len(fields), client)

    assert statuses == [[200] * 15] * len(fields)
    status, body, _ = server.request("GET", path, headers=headers)
    assert status == 200
    assert {field: body["data"][field] for field in fields} == {
        "title": "Title 14", "description": "Description 14", "category": "Category 14",
        "dueDate": "2027-01-15", "estimatedHours": 15, "priority": "high", "status": "done"}


def answering_pids(log_path, request_line):
    """{pid: statuses} of the workers that logged ``request_line`` (gunicorn.conf.py logs the pid)."""
    seen = {}
    with open(log_path) as log:
        for line in log:
            match = re.search(r'<(\d+)> "' + re.escape(request_line) + r' HTTP/1\.1" (\d{3})', line)
            if match:
                seen.setdefault(int(match.group(1)), set()).add(int(match.group(2)))
    return seen


def test_a_revoked_token_is_refused_by_every_worker_and_after_a_restart(serve, tmp_path):
    server = serve()
    tokens = login(server, "producer", PASSWORD)
    status, _, _ = server.request("GET", "/api/auth/me", headers=tokens)
    assert status == 200  # valid before the logout
    status, body, _ = server.request("POST", "/api/auth/logout", headers=tokens)
    assert status == 200, body

    workers = set(server.worker_pids())
    assert len(workers) == 3
    probe = "/api/auth/me?probe=revoked"
    deadline = time.monotonic() + 20
    while True:  # fresh connections from 8 clients at once, until all three workers have answered
        statuses = in_parallel(8, lambda n: [server.request("GET", probe, headers=tokens)[0] for _ in range(5)])
        assert statuses == [[401] * 5] * 8
        time.sleep(0.2)  # let the access log catch up
        answered = answering_pids(tmp_path / "gunicorn.log", "GET " + probe)
        if set(answered) >= workers or time.monotonic() > deadline:
            break
    assert set(answered) == workers
    assert all(seen == {401} for seen in answered.values())

    server.stop()
    restarted = serve()
    status, body, _ = restarted.request("GET", "/api/auth/me", headers=tokens)
    assert (status, body["message"]) == (401, "Token has been revoked: log in again")
    status, _, _ = restarted.request("GET", "/api/auth/me", headers=login(restarted, "producer", PASSWORD))
    assert status == 200


def test_sigkill_in_the_middle_of_writes_keeps_every_file_parseable_and_every_acknowledged_write(
        serve, environment):
    rng = random.Random(11)  # when each of the three kills falls: the same on every run
    data_dir = environment["PRODSIGHT_DATA_DIR"]
    server = serve()
    headers = login(server, "producer", PASSWORD)
    status, body, _ = server.request("POST", "/api/tasks", {"title": "Edited while killed"}, headers)
    edited = f"/api/tasks/{body['data']['id']}"
    created, descriptions = {}, []  # acknowledged: task id -> title; descriptions in order
    for round_number in range(3):
        def creator(n):
            with connection(server) as link:
                for i in range(10_000):
                    title = f"round {round_number} writer {n} #{i}"
                    try:
                        status, body, _ = send(link, "POST", "/api/tasks", {"title": title}, headers)
                    except (OSError, http.client.HTTPException):
                        return  # the server is gone
                    assert status == 201, body
                    created[body["data"]["id"]] = title

        def editor(_n):
            with connection(server) as link:
                for i in range(10_000):
                    text = f"round {round_number} edit {i}"
                    try:
                        status, _, _ = send(link, "PUT", edited, {"description": text}, headers)
                    except (OSError, http.client.HTTPException):
                        return
                    assert status == 200
                    descriptions.append(text)

        clients = [threading.Thread(target=creator, args=(n,)) for n in range(4)]
        clients.append(threading.Thread(target=editor, args=(0,)))
        acknowledged, edits = len(created), len(descriptions)
        for client in clients:
            client.start()
        time.sleep(rng.uniform(0.5, 1.5))
        server.kill()  # SIGKILL, master and workers, mid-stream
        for client in clients:
            client.join(timeout=60)
        assert len(created) > acknowledged, f"round {round_number} acknowledged no write before the kill"

        files = sorted(Path(data_dir).glob("*.json"))
        assert {"users.json", "tasks.json"} <= {path.name for path in files}
        for path in files:  # every file parses, as json.tool would
            json.loads(path.read_bytes())
        server = serve()  # restarted on the same data: the same token still works
        stored = all_tasks(server, headers)
        assert {task_id: stored[task_id]["title"] for task_id in created} == created
        # the last acknowledged edit, or the one in flight when the server died
        first = f"round {round_number} edit 0"
        possible = {descriptions[-1], _next_edit(descriptions[-1])} if len(descriptions) > edits else {first}
        assert stored[edited.rsplit("/", 1)[1]]["description"] in possible | ({descriptions[-1]} if descriptions else set())
    assert len(created) >= 30


def _next_edit(text):
    """The edit sent after ``text``: it may have landed without being acknowledged."""
    head, number = text.rsplit(" ", 1)
    return f"{head} {int(number) + 1}"


def closed_by_server(sock, timeout):
    """True once the server has closed ``sock`` (EOF or reset) within ``timeout`` seconds."""
    sock.settimeout(timeout)
    try:
        while sock.recv(4096):
            pass  # an error page before the close is fine
        return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def test_health_keeps_answering_while_200_slow_header_and_50_slow_body_clients_are_connected(serve):
    server = serve()
    headers = login(server, "producer", PASSWORD)
    slow = SlowClients(server.port, header=200, body=50)  # each has sent its first byte(s)
    try:
        assert (slow.opened, slow.refused) == (250, 0)
        answers = [server.request("GET", "/api/health", timeout=10)[0] for _ in range(10)]
        answers.append(server.request("POST", "/api/tasks", {"title": "While slow clients wait"}, headers,
                                      timeout=10)[0])
        # a client that never finishes its headers is closed by the server (gunicorn.conf.py keepalive)
        header_closed = closed_by_server(slow.sockets[0][0], timeout=30)
    finally:
        slow.close()
    assert answers == [200] * 10 + [201]
    assert header_closed
