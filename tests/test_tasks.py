"""Tasks (SPEC §3 Tasks, §4 tasks row): CRUD, validation, visibility and the assignee rule."""
import pytest

ROLES = ("producer", "director", "pm", "crew", "vfx", "distribution")
READ_ALL = {"producer", "director", "pm"}
WRITERS = {"producer", "pm"}


@pytest.fixture
def make_task(client, auth):
    def make(**fields):
        body = {"title": "Build the set", **fields}
        response = client.post("/api/tasks", json=body, headers=auth.headers("producer"))
        assert response.status_code == 201, response.get_json()
        return response.get_json()["data"]

    return make


def test_create_answers_201_with_defaults_and_server_fields(client, auth, users):
    response = client.post("/api/tasks", headers=auth.headers("pm"), json={
        "title": "  Rig lights  ", "assigneeId": users["crew"]["id"], "dueDate": "2026-12-01",
        "id": "999", "createdAt": "1999-01-01T00:00:00Z", "createdBy": "6", "assignee": "Someone Else",
    })
    assert response.status_code == 201
    body = response.get_json()
    assert body["success"] is True and body["message"] == "Task created"
    task = body["data"]
    assert task["id"] != "999" and task["createdBy"] == users["pm"]["id"]
    assert task["title"] == "Rig lights"
    assert (task["status"], task["priority"], task["category"], task["description"]) == ("todo", "medium", "", "")
    assert task["assignee"] == "Crew" and task["assigneeId"] == users["crew"]["id"]
    assert task["createdAt"].endswith("Z") and task["createdAt"] != "1999-01-01T00:00:00Z"
    assert response.headers["ETag"]


def test_get_update_delete_round_trip(client, auth, make_task):
    task = make_task(priority="low")
    headers = auth.headers("producer")
    assert client.get(f"/api/tasks/{task['id']}", headers=headers).get_json()["data"]["priority"] == "low"
    updated = client.put(f"/api/tasks/{task['id']}", json={"priority": "high"}, headers=headers)
    assert updated.status_code == 200
    assert updated.get_json()["data"]["priority"] == "high"
    assert updated.get_json()["data"]["title"] == "Build the set"  # partial: untouched fields stay
    deleted = client.delete(f"/api/tasks/{task['id']}", headers=headers)
    assert deleted.status_code == 200 and deleted.get_json()["success"] is True
    assert client.get(f"/api/tasks/{task['id']}", headers=headers).status_code == 404


def test_ids_are_strings_and_never_reused(client, auth, make_task):
    first, second = make_task(), make_task()
    assert (first["id"], second["id"]) == ("1", "2")
    client.delete(f"/api/tasks/{second['id']}", headers=auth.headers("producer"))
    assert make_task()["id"] == "3"


@pytest.mark.parametrize("body, field, message", [
    ({}, "title", "is required"),
    ({"title": ""}, "title", "is required"),
    ({"title": "x" * 201}, "title", "must be at most 200 characters"),
    ({"title": 5}, "title", "must be a string"),
    ({"title": "t", "status": "DONE"}, "status", "must be one of: todo, in_progress, done"),
    ({"title": "t", "priority": "urgent"}, "priority", "must be one of: low, medium, high"),
    ({"title": "t", "dueDate": "01/12/2026"}, "dueDate", "must be a date YYYY-MM-DD"),
    ({"title": "t", "dueDate": "2026-02-30"}, "dueDate", "must be a real calendar date YYYY-MM-DD"),
    ({"title": "t", "estimatedHours": -1}, "estimatedHours", "must be at least 0"),
    ({"title": "t", "estimatedHours": 10001}, "estimatedHours", "must be at most 10000"),
    ({"title": "t", "estimatedHours": "5"}, "estimatedHours", "must be a number"),
    ({"title": "t", "estimatedHours": True}, "estimatedHours", "must be a number"),
    ({"title": "t", "assigneeId": "999"}, "assigneeId", "no user with id 999"),
    ({"title": "t", "assigneeId": 4}, "assigneeId", "must be a string"),
    ({"title": "t", "colour": "red"}, "colour", "unknown field"),
])
def test_create_rejects_invalid_fields_naming_them(client, auth, body, field, message):
    response = client.post("/api/tasks", json=body, headers=auth.headers("producer"))
    assert response.status_code == 400
    assert response.get_json()["success"] is False
    assert response.get_json()["errors"][field] == message


def test_update_validates_and_writes_nothing_on_error(client, auth, make_task):
    task = make_task()
    headers = auth.headers("producer")
    response = client.put(f"/api/tasks/{task['id']}", json={"title": "New", "status": "nope"}, headers=headers)
    assert response.status_code == 400 and "status" in response.get_json()["errors"]
    assert client.get(f"/api/tasks/{task['id']}", headers=headers).get_json()["data"]["title"] == "Build the set"


def test_null_clears_assignee_and_due_date(client, auth, users, make_task):
    task = make_task(assigneeId=users["crew"]["id"], dueDate="2026-12-01")
    response = client.put(f"/api/tasks/{task['id']}", json={"assigneeId": None, "dueDate": None},
                          headers=auth.headers("producer"))
    data = response.get_json()["data"]
    assert (data["assigneeId"], data["assignee"], data["dueDate"]) == (None, None, None)


def test_unknown_task_is_404(client, auth):
    for method in ("get", "put", "delete"):
        response = getattr(client, method)("/api/tasks/404", json={"title": "x"}, headers=auth.headers("producer"))
        assert response.status_code == 404
        assert response.get_json() == {"success": False, "message": "Task 404 not found"}


# -- the tasks row of SPEC §4 ------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_create_permission(client, auth, role):
    response = client.post("/api/tasks", json={"title": "t"}, headers=auth.headers(role))
    assert response.status_code == (201 if role in WRITERS else 403)


@pytest.mark.parametrize("role", ROLES)
def test_delete_permission(client, auth, make_task, role):
    task = make_task()
    response = client.delete(f"/api/tasks/{task['id']}", headers=auth.headers(role))
    assert response.status_code == (200 if role in WRITERS else 403)


@pytest.mark.parametrize("role", ROLES)
def test_editing_someone_elses_task(client, auth, make_task, role):
    task = make_task()  # unassigned
    response = client.put(f"/api/tasks/{task['id']}", json={"title": "Renamed"}, headers=auth.headers(role))
    assert response.status_code == (200 if role in WRITERS else 403)


@pytest.mark.parametrize("role", ROLES)
def test_reading_an_unassigned_task(client, auth, make_task, role):
    task = make_task()
    assert client.get(f"/api/tasks/{task['id']}", headers=auth.headers(role)).status_code == (
        200 if role in READ_ALL else 403
    )


@pytest.mark.parametrize("role", ROLES)
def test_list_is_filtered_to_own_tasks_for_other_roles(client, auth, users, make_task, role):
    make_task(title="Mine", assigneeId=users[role]["id"])
    make_task(title="Theirs", assigneeId=users["producer" if role != "producer" else "pm"]["id"])
    make_task(title="Nobody's")
    response = client.get("/api/tasks", headers=auth.headers(role))
    titles = sorted(task["title"] for task in response.get_json()["data"])
    assert response.status_code == 200
    assert titles == (["Mine", "Nobody's", "Theirs"] if role in READ_ALL else ["Mine"])
    assert response.headers["X-Total-Count"] == str(len(titles))


@pytest.mark.parametrize("role", ROLES)
def test_tasks_by_assignee(client, auth, users, make_task, role):
    make_task(title="Crew's", assigneeId=users["crew"]["id"])
    make_task(title="Own", assigneeId=users[role]["id"])
    own = client.get(f"/api/tasks/assignee/{users[role]['id']}", headers=auth.headers(role))
    assert own.status_code == 200
    assert "Own" in [task["title"] for task in own.get_json()["data"]]
    if role != "crew":
        other = client.get(f"/api/tasks/assignee/{users['crew']['id']}", headers=auth.headers(role))
        assert other.status_code == (200 if role in READ_ALL else 403)
        if role in READ_ALL:
            assert [task["title"] for task in other.get_json()["data"]] == ["Crew's"]


def test_tasks_of_unknown_user_is_404(client, auth):
    assert client.get("/api/tasks/assignee/999", headers=auth.headers("producer")).status_code == 404


def test_anonymous_is_401(client, make_task):
    assert client.get("/api/tasks").status_code == 401
    assert client.post("/api/tasks", json={"title": "t"}).status_code == 401


# -- ownership edge cases ------------------------------------------------------------------------
def test_crew_cannot_edit_task_title(client, auth, users, make_task):
    task = make_task(assigneeId=users["crew"]["id"])
    response = client.put(f"/api/tasks/{task['id']}", json={"title": "Mine now"}, headers=auth.headers("crew"))
    assert response.status_code == 403
    assert "only the status" in response.get_json()["message"]


def test_crew_moves_its_own_task(client, auth, users, make_task):
    task = make_task(assigneeId=users["crew"]["id"])
    response = client.put(f"/api/tasks/{task['id']}", json={"status": "in_progress"}, headers=auth.headers("crew"))
    assert response.status_code == 200
    assert response.get_json()["data"]["status"] == "in_progress"


def test_assignee_may_echo_the_whole_task_with_a_new_status(client, auth, users, make_task):
    task = make_task(assigneeId=users["vfx"]["id"], dueDate="2026-12-24")
    echoed = {key: value for key, value in task.items()} | {"status": "done"}
    response = client.put(f"/api/tasks/{task['id']}", json=echoed, headers=auth.headers("vfx"))
    assert response.status_code == 200 and response.get_json()["data"]["status"] == "done"


def test_crew_cannot_move_someone_elses_task(client, auth, users, make_task):
    task = make_task(assigneeId=users["vfx"]["id"])
    response = client.put(f"/api/tasks/{task['id']}", json={"status": "done"}, headers=auth.headers("crew"))
    assert response.status_code == 403


def test_crew_cannot_read_someone_elses_task(client, auth, users, make_task):
    task = make_task(assigneeId=users["vfx"]["id"])
    assert client.get(f"/api/tasks/{task['id']}", headers=auth.headers("crew")).status_code == 403


def test_assignee_cannot_reassign_their_task(client, auth, users, make_task):
    task = make_task(assigneeId=users["crew"]["id"])
    response = client.put(f"/api/tasks/{task['id']}", json={"assigneeId": users["vfx"]["id"]},
                          headers=auth.headers("crew"))
    assert response.status_code == 403


# -- deleting a user ---------------------------------------------------------------------------
def test_deleting_a_user_unassigns_their_tasks(client, auth, users, make_task):
    theirs = make_task(assigneeId=users["crew"]["id"])
    other = make_task(assigneeId=users["vfx"]["id"])
    headers = auth.headers("producer")
    assert client.delete(f"/api/users/{users['crew']['id']}", headers=headers).status_code == 200
    unassigned = client.get(f"/api/tasks/{theirs['id']}", headers=headers).get_json()["data"]
    assert (unassigned["assigneeId"], unassigned["assignee"]) == (None, None)
    assert client.get(f"/api/tasks/{other['id']}", headers=headers).get_json()["data"]["assigneeId"] == users["vfx"]["id"]


def test_assignee_name_follows_a_renamed_user(client, auth, users, make_task):
    task = make_task(assigneeId=users["crew"]["id"])
    client.put(f"/api/users/{users['crew']['id']}", json={"name": "Carla Grip"}, headers=auth.headers("producer"))
    data = client.get(f"/api/tasks/{task['id']}", headers=auth.headers("producer")).get_json()["data"]
    assert data["assignee"] == "Carla Grip"
