"""List conventions (SPEC §2) through the tasks list: filters, search, sort, paging, ETag/If-Match,
and partial updates that keep concurrent changes."""
import multiprocessing

import pytest

from tests.conftest import PASSWORD, SECRET


@pytest.fixture
def board(client, auth, users):
    """Five tasks with known fields; returns the producer's headers."""
    headers = auth.headers("producer")
    crew, vfx = users["crew"]["id"], users["vfx"]["id"]
    for body in (
        {"title": "Paint flats", "status": "todo", "priority": "low", "category": "Art", "assigneeId": crew,
         "dueDate": "2026-12-05", "estimatedHours": 8},
        {"title": "Book crane", "status": "in_progress", "priority": "high", "category": "Camera",
         "assigneeId": vfx, "dueDate": "2026-12-01", "estimatedHours": 2},
        {"title": "Dress the diner", "status": "done", "priority": "medium", "category": "Art",
         "description": "Neon SIGNS and stools", "dueDate": "2026-11-20"},
        {"title": "Crane safety brief", "status": "todo", "priority": "high", "category": "Safety",
         "assigneeId": crew},
        {"title": "Wrap party", "status": "todo", "priority": "medium", "category": "Production",
         "dueDate": "2026-12-20", "estimatedHours": 40},
    ):
        assert client.post("/api/tasks", json=body, headers=headers).status_code == 201
    return headers


def titles(response):
    assert response.status_code == 200, response.get_json()
    return [task["title"] for task in response.get_json()["data"]]


@pytest.mark.parametrize("query, expected", [
    ("status=todo", ["Paint flats", "Crane safety brief", "Wrap party"]),
    ("priority=high", ["Book crane", "Crane safety brief"]),
    ("category=Art", ["Paint flats", "Dress the diner"]),
    ("assigneeId=4", ["Paint flats", "Crane safety brief"]),
    ("q=crane", ["Book crane", "Crane safety brief"]),
    ("q=neon%20signs", ["Dress the diner"]),  # description, case-insensitive
    ("q=CREW", ["Paint flats", "Crane safety brief"]),  # the derived assignee name
    ("status=todo&priority=high", ["Crane safety brief"]),
])
def test_filters(client, board, query, expected):
    assert titles(client.get(f"/api/tasks?{query}", headers=board)) == expected


@pytest.mark.parametrize("query, expected", [
    ("sort=dueDate", ["Dress the diner", "Book crane", "Paint flats", "Wrap party", "Crane safety brief"]),
    ("sort=-dueDate", ["Wrap party", "Paint flats", "Book crane", "Dress the diner", "Crane safety brief"]),
    ("sort=title", ["Book crane", "Crane safety brief", "Dress the diner", "Paint flats", "Wrap party"]),
    ("sort=-estimatedHours", ["Wrap party", "Paint flats", "Book crane", "Dress the diner", "Crane safety brief"]),
    # enums sort in their natural order, not alphabetically; ties keep creation order
    ("sort=-priority", ["Book crane", "Crane safety brief", "Dress the diner", "Wrap party", "Paint flats"]),
    ("sort=status", ["Paint flats", "Crane safety brief", "Wrap party", "Book crane", "Dress the diner"]),
])
def test_sort_puts_missing_values_last(client, board, query, expected):
    assert titles(client.get(f"/api/tasks?{query}", headers=board)) == expected


def test_unpaged_list_is_an_array_with_total_header_and_no_meta(client, board):
    response = client.get("/api/tasks", headers=board)
    body = response.get_json()
    assert isinstance(body["data"], list) and len(body["data"]) == 5
    assert "meta" not in body
    assert response.headers["X-Total-Count"] == "5"


def test_paging_adds_meta_and_slices(client, board):
    response = client.get("/api/tasks?page=2&per_page=2&sort=title", headers=board)
    assert titles(response) == ["Dress the diner", "Paint flats"]
    assert response.get_json()["meta"] == {"page": 2, "per_page": 2, "total": 5}
    assert response.headers["X-Total-Count"] == "5"
    beyond = client.get("/api/tasks?page=9&per_page=2", headers=board)
    assert titles(beyond) == [] and beyond.get_json()["meta"]["total"] == 5


def test_filtered_paging_counts_the_filtered_total(client, board):
    response = client.get("/api/tasks?status=todo&page=1&per_page=1", headers=board)
    assert response.get_json()["meta"] == {"page": 1, "per_page": 1, "total": 3}
    assert response.headers["X-Total-Count"] == "3"


@pytest.mark.parametrize("query, field, message", [
    ("status=DONE", "status", "must be one of: todo, in_progress, done"),
    ("priority=urgent", "priority", "must be one of: low, medium, high"),
    ("sort=colour", "sort", None),
    ("page=0", "page", "must be a whole number of at least 1"),
    ("page=abc", "page", "must be a whole number of at least 1"),
    ("per_page=501", "per_page", "must be at most 500"),
    ("per_page=-3", "per_page", "must be a whole number of at least 1"),
])
def test_bad_query_values_are_400_naming_the_parameter(client, board, query, field, message):
    response = client.get(f"/api/tasks?{query}", headers=board)
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert field in errors
    if message:
        assert errors[field] == message


def test_per_page_500_is_allowed(client, board):
    assert client.get("/api/tasks?per_page=500", headers=board).get_json()["meta"]["per_page"] == 500


# -- ETag and If-Match -------------------------------------------------------------------------
def test_etag_changes_with_the_resource(client, board):
    first = client.get("/api/tasks/1", headers=board)
    again = client.get("/api/tasks/1", headers=board)
    assert first.headers["ETag"] == again.headers["ETag"]
    updated = client.put("/api/tasks/1", json={"priority": "high"}, headers=board)
    assert updated.headers["ETag"] != first.headers["ETag"]
    assert client.get("/api/tasks/1", headers=board).headers["ETag"] == updated.headers["ETag"]


def test_stale_if_match_is_412_and_changes_nothing(client, board):
    etag = client.get("/api/tasks/1", headers=board).headers["ETag"]
    client.put("/api/tasks/1", json={"title": "Someone else's edit"}, headers=board)
    stale = client.put("/api/tasks/1", json={"priority": "high"}, headers={**board, "If-Match": etag})
    assert stale.status_code == 412
    assert stale.get_json()["success"] is False
    current = client.get("/api/tasks/1", headers=board).get_json()["data"]
    assert (current["title"], current["priority"]) == ("Someone else's edit", "low")
    assert client.delete("/api/tasks/1", headers={**board, "If-Match": etag}).status_code == 412


def test_fresh_if_match_succeeds(client, board):
    etag = client.get("/api/tasks/1", headers=board).headers["ETag"]
    response = client.put("/api/tasks/1", json={"priority": "high"}, headers={**board, "If-Match": etag})
    assert response.status_code == 200
    assert client.delete("/api/tasks/1", headers={**board, "If-Match": response.headers["ETag"]}).status_code == 200


def test_if_match_star_and_weak_tags_match(client, board):
    etag = client.get("/api/tasks/2", headers=board).headers["ETag"]
    assert client.put("/api/tasks/2", json={"priority": "low"}, headers={**board, "If-Match": "*"}).status_code == 200
    etag = client.get("/api/tasks/2", headers=board).headers["ETag"]
    weak = {**board, "If-Match": f'"other", W/{etag}'}
    assert client.put("/api/tasks/2", json={"priority": "high"}, headers=weak).status_code == 200


def test_partial_updates_keep_each_others_fields(client, board):
    # Client A read the task before client B changed the title; A then changes only the priority.
    client.get("/api/tasks/1", headers=board)
    client.put("/api/tasks/1", json={"title": "B's title"}, headers=board)
    client.put("/api/tasks/1", json={"priority": "high"}, headers=board)
    task = client.get("/api/tasks/1", headers=board).get_json()["data"]
    assert (task["title"], task["priority"]) == ("B's title", "high")


def _update_field_repeatedly(data_dir, field, values, database_url=None):
    """One 'client' in its own process, with its own app, hammering one field of task 1."""
    from app import create_app

    app = create_app({"DATA_DIR": data_dir, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "JWT_SECRET_KEY": SECRET, "AUTO_SEED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    client = app.test_client()
    token = client.post("/api/auth/login", json={"username": "producer", "password": PASSWORD})
    headers = {"Authorization": "Bearer " + token.get_json()["data"]["access_token"]}
    for value in values:
        assert client.put("/api/tasks/1", json={field: value}, headers=headers).status_code == 200


def test_concurrent_partial_updates_of_different_fields_are_both_kept(app, board):
    context = multiprocessing.get_context("spawn")
    rounds = 30
    workers = [
        context.Process(target=_update_field_repeatedly,
                        args=(app.config["DATA_DIR"], "title", [f"title {n}" for n in range(rounds)],
                              app.config["DATABASE_URL"])),
        context.Process(target=_update_field_repeatedly,
                        args=(app.config["DATA_DIR"], "estimatedHours", list(range(1, rounds + 1)),
                              app.config["DATABASE_URL"])),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    with app.app_context():
        from services import tasks

        task = tasks.records.get("1")
    assert (task["title"], task["estimatedHours"]) == (f"title {rounds - 1}", rounds)


def test_a_list_spec_order_applies_only_when_no_sort_is_asked():
    from utils.listing import ListSpec, query

    spec = ListSpec(sortable=("date",), order=("-date", "-id"))
    records = [{"id": "1", "date": "2026-11-01"}, {"id": "2", "date": "2026-11-03"},
               {"id": "10", "date": "2026-11-03"}, {"id": "3", "date": None}]
    assert [r["id"] for r in query(records, {}, spec).items] == ["10", "2", "1", "3"]
    assert [r["id"] for r in query(records, {"sort": "date"}, spec).items] == ["1", "2", "10", "3"]
