"""Cached list responses (utils/responses.cached): same answers, no rebuild of an unchanged list,
ETag / If-None-Match, and the cache never crosses visibility or misses a rename."""
import threading
import time

import pytest

from services import tasks as tasks_service
from utils.responses import ResponseCache


@pytest.fixture
def board(client, auth, users):
    """Two tasks for crew, one for vfx, one unassigned."""
    producer = auth.headers("producer")
    for title, assignee in (("Rig", "crew"), ("Light", "crew"), ("Comp", "vfx"), ("Wardrobe", None)):
        body = {"title": title, "assigneeId": users[assignee]["id"] if assignee else None}
        assert client.post("/api/tasks", json=body, headers=producer).status_code == 201
    return producer


@pytest.fixture
def builds(monkeypatch):
    """How many times a task list was really built."""
    calls, real = [], tasks_service.list_tasks
    monkeypatch.setattr(tasks_service, "list_tasks", lambda actor, args: calls.append(1) or real(actor, args))
    return calls


def test_an_unchanged_list_is_built_once_and_answers_the_same(client, board, builds):
    first = client.get("/api/tasks", headers=board)
    second = client.get("/api/tasks", headers=board)

    assert len(builds) == 1
    assert first.status_code == second.status_code == 200
    assert first.get_data() == second.get_data()
    assert second.get_json()["message"] == "4 tasks"
    assert second.headers["X-Total-Count"] == "4"
    assert [task["title"] for task in second.get_json()["data"]] == ["Rig", "Light", "Comp", "Wardrobe"]


def test_a_write_shows_up_in_the_next_list(client, board, builds):
    client.get("/api/tasks", headers=board)
    assert client.put("/api/tasks/1", json={"status": "done"}, headers=board).status_code == 200

    listed = client.get("/api/tasks?status=done", headers=board)
    assert [task["id"] for task in listed.get_json()["data"]] == ["1"]
    assert client.get("/api/tasks", headers=board).get_json()["data"][0]["status"] == "done"
    assert len(builds) == 3  # each query once per collection version


def test_each_query_is_its_own_entry_with_paging_kept(client, board):
    paged = client.get("/api/tasks?page=2&per_page=3", headers=board).get_json()
    assert [task["title"] for task in paged["data"]] == ["Wardrobe"]
    assert paged["meta"] == {"page": 2, "per_page": 3, "total": 4}
    assert client.get("/api/tasks?q=light", headers=board).get_json()["message"] == "1 task"


def test_list_etag_and_if_none_match_answer_304_until_the_list_changes(client, board):
    listed = client.get("/api/tasks", headers=board)
    etag = listed.headers["ETag"]

    unchanged = client.get("/api/tasks", headers={**board, "If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.get_data() == b"" and unchanged.headers["ETag"] == etag

    client.put("/api/tasks/2", json={"priority": "high"}, headers=board)
    changed = client.get("/api/tasks", headers={**board, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.get_json()["data"][1]["priority"] == "high"


def test_a_cached_list_is_never_served_across_visibility(client, auth, board, users):
    assert client.get("/api/tasks", headers=board).get_json()["message"] == "4 tasks"  # cached for "all"

    crew = client.get("/api/tasks", headers=auth.headers("crew")).get_json()
    vfx = client.get("/api/tasks", headers=auth.headers("vfx")).get_json()
    director = client.get("/api/tasks", headers=auth.headers("director")).get_json()

    assert [task["title"] for task in crew["data"]] == ["Rig", "Light"]
    assert [task["title"] for task in vfx["data"]] == ["Comp"]
    assert director["message"] == "4 tasks"
    mine = client.get(f"/api/tasks/assignee/{users['crew']['id']}", headers=auth.headers("crew"))
    assert mine.get_json()["message"] == "2 tasks"
    theirs = client.get(f"/api/tasks/assignee/{users['crew']['id']}", headers=auth.headers("vfx"))
    assert theirs.status_code == 403


def test_a_user_rename_shows_in_the_cached_list(client, auth, board, users):
    assert client.get("/api/tasks", headers=board).get_json()["data"][0]["assignee"] == "Crew"

    renamed = client.put(f"/api/users/{users['crew']['id']}", json={"name": "Carla Crew"}, headers=board)
    assert renamed.status_code == 200

    assert client.get("/api/tasks", headers=board).get_json()["data"][0]["assignee"] == "Carla Crew"


def test_a_refused_query_is_not_cached(client, board, builds):
    for _ in range(2):
        refused = client.get("/api/tasks?status=DONE", headers=board)
        assert refused.status_code == 400
        assert refused.get_json()["errors"] == {"status": "must be one of: todo, in_progress, done"}
    assert len(builds) == 2


def test_the_cache_keeps_within_its_byte_budget_dropping_the_least_recently_used():
    cache = ResponseCache(limit=10)
    cache.put("a", (b"1234", {}, '"a"'))
    cache.put("b", (b"1234", {}, '"b"'))
    cache.get("a")  # a is now the most recently used
    cache.put("c", (b"1234", {}, '"c"'))
    cache.put("huge", (b"x" * 11, {}, '"h"'))  # bigger than the whole budget: never kept

    assert cache.get("b") is None and cache.get("huge") is None
    assert cache.get("a") and cache.get("c")
    assert cache.size == 8


def test_pollers_arriving_together_wait_for_one_build(app, board, monkeypatch):
    calls, real = [], tasks_service.list_tasks
    cache = app.extensions.setdefault("prodsight.responses", ResponseCache())
    all_four_waiting = threading.Event()

    def waiting():  # how many pollers the build in progress stands for (itself included)
        return sum(slot[1] for slot in list(cache._building.values()))

    def slow_build(actor, args):
        calls.append(1)
        # the build goes on only once every poller has arrived and waits for it: no time window
        deadline = time.monotonic() + 30
        while waiting() < 4 and time.monotonic() < deadline:
            all_four_waiting.wait(0.001)
        return real(actor, args)

    monkeypatch.setattr(tasks_service, "list_tasks", slow_build)
    answers = []

    def poll():
        answers.append(app.test_client().get("/api/tasks", headers=board).get_json()["message"])

    pollers = [threading.Thread(target=poll) for _ in range(4)]
    for poller in pollers:
        poller.start()
    for poller in pollers:
        poller.join(timeout=30)

    assert answers == ["4 tasks"] * 4
    assert len(calls) == 1  # without the shared build each poller builds: 4 calls, none sees 4 waiting


def test_a_cached_task_keeps_its_etag_for_if_match_and_its_visibility(client, auth, board, monkeypatch):
    calls, real = [], tasks_service.get_task
    monkeypatch.setattr(tasks_service, "get_task", lambda task_id, actor: calls.append(1) or real(task_id, actor))
    first = client.get("/api/tasks/3", headers=board)
    second = client.get("/api/tasks/3", headers=board)
    assert len(calls) == 1 and first.get_data() == second.get_data()
    assert second.get_json()["message"] == "Task 3"
    assert client.get("/api/tasks/3", headers={**board, "If-None-Match": second.headers["ETag"]}).status_code == 304

    assert client.get("/api/tasks/3", headers=auth.headers("crew")).status_code == 403  # vfx's task
    assert client.get("/api/tasks/1", headers=auth.headers("crew")).get_json()["data"]["title"] == "Rig"

    updated = client.put("/api/tasks/3", json={"title": "Comp v2"}, headers={**board, "If-Match": second.headers["ETag"]})
    assert updated.status_code == 200
    assert client.get("/api/tasks/3", headers=board).get_json()["data"]["title"] == "Comp v2"
    stale = client.put("/api/tasks/3", json={"title": "Comp v3"}, headers={**board, "If-Match": second.headers["ETag"]})
    assert stale.status_code == 412
