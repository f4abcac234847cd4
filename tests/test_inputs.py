"""What the frontend sends, field by field (SPEC §2): timestamps for dates, "" for no reference,
sizes with units, and derived fields echoed back. One rule each in the shared validator, checked
here on every domain field that has it."""
import pytest

TIMESTAMPS = [
    ("2026-11-25", "2026-11-25"),
    ("2026-11-25T17:04:28Z", "2026-11-25"),
    ("2026-11-25T17:04:28.123Z", "2026-11-25"),  # JavaScript's toISOString()
    ("2025-01-05T23:30:00-05:00", "2025-01-06"),  # 04:30 UTC the next day
    ("2025-01-06T01:15:00+02:00", "2025-01-05"),  # 23:15 UTC the day before
    ("2025-01-06T01:15:00+0200", "2025-01-05"),
    ("2026-11-25T17:04Z", "2026-11-25"),
]
ZONELESS = "2026-11-25T17:04:28"


def create_shot(client, auth, **fields):
    answer = client.post("/api/vfx", json={"shotName": "SH010", **fields}, headers=auth.headers("producer"))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["data"]


# Each date field of a body: (method, url builder, body builder, field, where it is in the answer)
def _task(client, auth, value):
    return client.post("/api/tasks", json={"title": "t", "dueDate": value}, headers=auth.headers("producer"))


def _task_update(client, auth, value):
    task = client.post("/api/tasks", json={"title": "t"}, headers=auth.headers("producer")).get_json()["data"]
    return client.put(f"/api/tasks/{task['id']}", json={"dueDate": value}, headers=auth.headers("producer"))


def _shot(client, auth, value):
    return client.post("/api/vfx", json={"shotName": "S1", "dueDate": value}, headers=auth.headers("producer"))


def _version(client, auth, value):
    shot = create_shot(client, auth)
    return client.put(f"/api/vfx/version/{shot['id']}", json={"date": value}, headers=auth.headers("vfx"))


DATE_FIELDS = {
    "task dueDate": (_task, lambda data: data["dueDate"], "dueDate"),
    "task dueDate on update": (_task_update, lambda data: data["dueDate"], "dueDate"),
    "shot dueDate": (_shot, lambda data: data["dueDate"], "dueDate"),
    "version date": (_version, lambda data: data["versions"][-1]["date"], "date"),
}


@pytest.mark.parametrize("sent, stored", TIMESTAMPS)
@pytest.mark.parametrize("where", DATE_FIELDS)
def test_a_date_field_takes_a_date_or_a_timestamp_with_a_zone(client, auth, where, sent, stored):
    send, read, _field = DATE_FIELDS[where]
    answer = send(client, auth, sent)
    assert answer.status_code in (200, 201), answer.get_json()
    assert read(answer.get_json()["data"]) == stored


@pytest.mark.parametrize("where", DATE_FIELDS)
@pytest.mark.parametrize("sent", [ZONELESS, "2026-11-25T17:04:28.123", "2026-02-30T10:00:00Z", "2026-11-25T"])
def test_a_timestamp_without_a_zone_or_not_a_real_instant_is_a_400_naming_the_field(client, auth, where, sent):
    send, _read, field = DATE_FIELDS[where]
    answer = send(client, auth, sent)
    assert answer.status_code == 400
    assert field in answer.get_json()["errors"]


def test_the_zoneless_message_says_what_to_send(client, auth):
    answer = _task(client, auth, ZONELESS)
    assert answer.get_json()["errors"]["dueDate"] == (
        "must be a date YYYY-MM-DD or a timestamp with Z or an offset, e.g. 2026-11-25T17:04:28Z")


# -- "" for an optional reference means null --------------------------------------------------
def test_empty_assignee_on_task_create_and_update(client, auth, users):
    headers = auth.headers("producer")
    task = client.post("/api/tasks", json={"title": "t", "assigneeId": ""}, headers=headers).get_json()["data"]
    assert task["assigneeId"] is None
    client.put(f"/api/tasks/{task['id']}", json={"assigneeId": users["crew"]["id"]}, headers=headers)
    updated = client.put(f"/api/tasks/{task['id']}", json={"assigneeId": ""}, headers=headers)
    assert updated.status_code == 200 and updated.get_json()["data"]["assigneeId"] is None


@pytest.mark.parametrize("field", ["assigneeId", "sceneId"])
def test_empty_reference_on_shot_create_and_update(client, auth, users, field):
    headers = auth.headers("producer")
    shot = create_shot(client, auth, **{field: ""})
    assert shot[field] is None
    if field == "assigneeId":
        client.put(f"/api/vfx/{shot['id']}", json={field: users["vfx"]["id"]}, headers=headers)
    updated = client.put(f"/api/vfx/{shot['id']}", json={field: ""}, headers=headers)
    assert updated.status_code == 200 and updated.get_json()["data"][field] is None


def test_empty_asset_on_a_version_means_no_asset(client, auth):
    shot = create_shot(client, auth)
    answer = client.put(f"/api/vfx/version/{shot['id']}", json={"assetId": ""}, headers=auth.headers("vfx"))
    assert answer.status_code == 201 and answer.get_json()["data"]["versions"][0]["assetId"] is None


def test_a_blank_reference_is_still_a_400(client, auth):
    answer = client.post("/api/tasks", json={"title": "t", "assigneeId": "  "}, headers=auth.headers("producer"))
    assert answer.status_code == 400 and answer.get_json()["errors"]["assigneeId"] == "is required"


# -- fileSize: integer bytes or a size with a unit (1 KB = 1024 B) -----------------------------
@pytest.mark.parametrize("sent, stored", [
    (1048576, 1048576),
    ("2.1 GB", 2254857830),  # 2.1 × 1073741824 = 2254857830.4
    ("512 KB", 524288),  # 512 × 1024
    ("3 mb", 3145728),  # 3 × 1048576
    ("640 B", 640),
    ("1 TB", 1099511627776),  # 1024⁴
    ("1.5 KB", 1536),
    ("0.5 B", 1),  # half a byte rounds up
    ("0.0001 KB", 0),  # 0.1024 B rounds down
    ("10GB", 10737418240),
])
def test_file_size_is_stored_as_integer_bytes(client, auth, sent, stored):
    shot = create_shot(client, auth)
    answer = client.put(f"/api/vfx/version/{shot['id']}", json={"fileSize": sent}, headers=auth.headers("vfx"))
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["data"]["versions"][0]["fileSize"] == stored


@pytest.mark.parametrize("sent", ["lots", -5, "2.1 XB", "", "GB", "-1 KB", True, 1.5, [1], "1e3 KB", 10**16])
def test_a_file_size_that_is_not_a_size_is_a_400_naming_it(client, auth, sent):
    shot = create_shot(client, auth)
    answer = client.put(f"/api/vfx/version/{shot['id']}", json={"fileSize": sent}, headers=auth.headers("vfx"))
    assert answer.status_code == 400
    assert "fileSize" in answer.get_json()["errors"]


# -- derived fields echoed back are ignored ---------------------------------------------------
def test_an_echoed_assignee_name_is_ignored_on_tasks(client, auth, users):
    headers = auth.headers("producer")
    task = client.post("/api/tasks", json={"title": "t", "assigneeId": users["crew"]["id"], "assignee": "Nobody"},
                       headers=headers).get_json()["data"]
    assert task["assignee"] == "Crew"
    echoed = client.put(f"/api/tasks/{task['id']}", json={**task, "assignee": "Renamed", "title": "t2"}, headers=headers)
    assert echoed.status_code == 200 and echoed.get_json()["data"]["assignee"] == "Crew"


def test_the_assignee_may_echo_the_whole_task_with_a_new_status(client, auth, users):
    task = client.post("/api/tasks", json={"title": "t", "assigneeId": users["crew"]["id"]},
                       headers=auth.headers("producer")).get_json()["data"]
    echoed = client.put(f"/api/tasks/{task['id']}", json={**task, "status": "done", "assignee": "x"},
                        headers=auth.headers("crew"))
    assert echoed.status_code == 200 and echoed.get_json()["data"]["status"] == "done"


def test_an_echoed_shot_is_accepted_with_its_derived_fields(client, auth, users):
    shot = create_shot(client, auth, assigneeId=users["vfx"]["id"])
    echoed = client.put(f"/api/vfx/{shot['id']}", json={**shot, "assignee": "Other", "status": "in_progress"},
                        headers=auth.headers("vfx"))
    assert echoed.status_code == 200, echoed.get_json()
    assert (echoed.get_json()["data"]["status"], echoed.get_json()["data"]["assignee"]) == ("in_progress", "Vfx")


def test_echoed_permissions_are_ignored_on_users(client, auth, users):
    me = client.get("/api/auth/me", headers=auth.headers("crew")).get_json()["data"]
    answer = client.put(f"/api/users/{me['id']}", json={"name": "Carla", "permissions": ["budget:write"],
                                                        "createdAt": "x", "updatedAt": "y"},
                        headers=auth.headers("crew"))
    assert answer.status_code == 200
    assert "budget:write" not in answer.get_json()["data"]["permissions"]
