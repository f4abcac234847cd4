"""VFX shots and versions (SPEC §3 VFX, §4 VFX row)."""
import pytest

from utils import clock

ROLES = ("producer", "director", "pm", "crew", "vfx", "distribution")
READERS = {"producer", "pm", "director", "vfx"}
WRITERS = {"producer", "vfx"}


@pytest.fixture
def make_shot(client, auth):
    def make(**fields):
        body = {"shotName": f"SH{make.count:03d}", **fields}
        make.count += 10
        response = client.post("/api/vfx", json=body, headers=auth.headers("producer"))
        assert response.status_code == 201, response.get_json()
        return response.get_json()["data"]

    make.count = 10
    return make


def test_create_fills_defaults_and_ignores_server_fields(client, auth, users):
    response = client.post("/api/vfx", headers=auth.headers("vfx"), json={
        "shotName": "SH010_sky", "assigneeId": users["vfx"]["id"], "versions": [], "id": "77", "assignee": "X",
    })
    assert response.status_code == 201
    assert response.get_json()["message"] == "VFX shot created"
    shot = response.get_json()["data"]
    assert shot["id"] == "1" and shot["assignee"] == "Vfx"
    assert (shot["status"], shot["priority"], shot["complexity"]) == ("todo", "medium", "medium")
    assert (shot["versions"], shot["sceneId"], shot["description"]) == ([], None, "")
    assert shot["createdAt"].endswith("Z") and shot["updatedAt"].endswith("Z")
    assert response.headers["ETag"]


def test_crud_round_trip(client, auth, make_shot):
    shot = make_shot()
    headers = auth.headers("producer")
    got = client.get(f"/api/vfx/{shot['id']}", headers=headers)
    assert got.status_code == 200 and got.get_json()["data"]["shotName"] == shot["shotName"]
    updated = client.put(f"/api/vfx/{shot['id']}", json={"status": "in_review", "complexity": "high"}, headers=headers)
    assert updated.status_code == 200
    assert (updated.get_json()["data"]["status"], updated.get_json()["data"]["complexity"]) == ("in_review", "high")
    assert client.delete(f"/api/vfx/{shot['id']}", headers=headers).status_code == 200
    assert client.get(f"/api/vfx/{shot['id']}", headers=headers).status_code == 404


@pytest.mark.parametrize("body, field, message", [
    ({}, "shotName", "is required"),
    ({"shotName": "x" * 101}, "shotName", "must be at most 100 characters"),
    ({"shotName": "s", "status": "review"}, "status", "must be one of: todo, in_progress, in_review, done"),
    ({"shotName": "s", "complexity": "extreme"}, "complexity", "must be one of: low, medium, high"),
    ({"shotName": "s", "priority": "HIGH"}, "priority", "must be one of: low, medium, high"),
    ({"shotName": "s", "assigneeId": "404"}, "assigneeId", "no user with id 404"),
    ({"shotName": "s", "sceneId": "1"}, "sceneId", "no scene with id 1 in the script"),
    ({"shotName": "s", "dueDate": "tomorrow"}, "dueDate", "must be a date YYYY-MM-DD"),
    ({"shotName": "s", "estimatedHours": 10001}, "estimatedHours", "must be at most 10000"),
    ({"shotName": "s", "versions": [{"version": "v001"}]}, "versions", None),
    ({"shotName": "s", "frameRange": "1001-1100"}, "frameRange", "unknown field"),
])
def test_create_rejects_invalid_fields_naming_them(client, auth, body, field, message):
    response = client.post("/api/vfx", json=body, headers=auth.headers("producer"))
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert field in errors
    if message:
        assert errors[field] == message


def test_scene_id_null_is_valid_before_the_script_has_scenes(client, auth):
    response = client.post("/api/vfx", json={"shotName": "SH1", "sceneId": None}, headers=auth.headers("producer"))
    assert response.status_code == 201


def test_shot_name_is_unique(client, auth, make_shot):
    make_shot(shotName="SH010")
    duplicate = client.post("/api/vfx", json={"shotName": "sh010"}, headers=auth.headers("producer"))
    assert duplicate.status_code == 409
    assert duplicate.get_json()["errors"] == {"shotName": "already exists"}
    other = make_shot(shotName="SH020")
    renamed = client.put(f"/api/vfx/{other['id']}", json={"shotName": "SH010"}, headers=auth.headers("producer"))
    assert renamed.status_code == 409
    same = client.put(f"/api/vfx/{other['id']}", json={"shotName": "SH020"}, headers=auth.headers("producer"))
    assert same.status_code == 200


def test_versions_cannot_be_rewritten_through_put(client, auth, make_shot):
    shot = make_shot()
    headers = auth.headers("producer")
    client.put(f"/api/vfx/version/{shot['id']}", json={}, headers=headers)
    current = client.get(f"/api/vfx/{shot['id']}", headers=headers).get_json()["data"]
    forged = client.put(f"/api/vfx/{shot['id']}", json={"versions": []}, headers=headers)
    assert forged.status_code == 400 and "versions" in forged.get_json()["errors"]
    echoed = client.put(f"/api/vfx/{shot['id']}", json={**current, "status": "done"}, headers=headers)
    assert echoed.status_code == 200 and len(echoed.get_json()["data"]["versions"]) == 1


# -- versions ----------------------------------------------------------------------------------
def test_versions_are_labelled_by_the_server(client, auth, users, make_shot):
    shot = make_shot()
    headers = auth.headers("vfx")
    first = client.put(f"/api/vfx/version/{shot['id']}", json={"notes": "first pass", "fileSize": 1024,
                                                              "version": "v999"}, headers=headers)
    assert first.status_code == 201
    assert first.get_json()["message"] == "Version added"
    version = first.get_json()["data"]["versions"][0]
    assert version["version"] == "v001"
    assert (version["status"], version["notes"], version["fileSize"]) == ("review", "first pass", 1024)
    assert version["createdBy"] == users["vfx"]["id"] and len(version["date"]) == 10
    second = client.put(f"/api/vfx/version/{shot['id']}", json={"status": "approved", "date": "2026-12-01"},
                        headers=headers)
    labels = [v["version"] for v in second.get_json()["data"]["versions"]]
    assert labels == ["v001", "v002"]
    assert second.get_json()["data"]["versions"][1]["date"] == "2026-12-01"


def test_version_labels_go_past_nine(client, auth, make_shot):
    shot = make_shot()
    for _ in range(10):
        response = client.put(f"/api/vfx/version/{shot['id']}", json={}, headers=auth.headers("producer"))
    assert response.get_json()["data"]["versions"][-1]["version"] == "v010"


@pytest.mark.parametrize("body, field", [
    ({"status": "done"}, "status"),
    ({"fileSize": -1}, "fileSize"),
    ({"fileSize": 1.5}, "fileSize"),
    ({"assetId": "1"}, "assetId"),
    ({"date": "2026-13-01"}, "date"),
    ({"reviewer": "me"}, "reviewer"),
])
def test_invalid_version_is_400_and_adds_nothing(client, auth, make_shot, body, field):
    shot = make_shot()
    response = client.put(f"/api/vfx/version/{shot['id']}", json=body, headers=auth.headers("producer"))
    assert response.status_code == 400 and field in response.get_json()["errors"]
    assert client.get(f"/api/vfx/{shot['id']}", headers=auth.headers("producer")).get_json()["data"]["versions"] == []


def test_version_of_unknown_shot_is_404(client, auth):
    assert client.put("/api/vfx/version/99", json={}, headers=auth.headers("producer")).status_code == 404


def test_version_needs_a_json_body(client, auth, make_shot):
    shot = make_shot()
    response = client.put(f"/api/vfx/version/{shot['id']}", data="notes", content_type="text/plain",
                          headers=auth.headers("producer"))
    assert response.status_code == 415


# -- the VFX row of SPEC §4 --------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_read_permission(client, auth, users, make_shot, role):
    shot = make_shot()
    expected = 200 if role in READERS else 403
    headers = auth.headers(role)
    assert client.get("/api/vfx", headers=headers).status_code == expected
    assert client.get(f"/api/vfx/{shot['id']}", headers=headers).status_code == expected
    assert client.get(f"/api/vfx/assignee/{users['vfx']['id']}", headers=headers).status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_write_permission(client, auth, make_shot, role):
    shot = make_shot()
    expected = {"create": 201, "update": 200, "version": 201, "delete": 200} if role in WRITERS else dict.fromkeys(
        ("create", "update", "version", "delete"), 403)
    headers = auth.headers(role)
    assert client.post("/api/vfx", json={"shotName": f"new-{role}"}, headers=headers).status_code == expected["create"]
    assert client.put(f"/api/vfx/{shot['id']}", json={"status": "done"}, headers=headers).status_code == expected["update"]
    assert client.put(f"/api/vfx/version/{shot['id']}", json={}, headers=headers).status_code == expected["version"]
    assert client.delete(f"/api/vfx/{shot['id']}", headers=headers).status_code == expected["delete"]


def test_shots_by_assignee(client, auth, users, make_shot):
    make_shot(assigneeId=users["vfx"]["id"], shotName="A")
    make_shot(assigneeId=users["producer"]["id"], shotName="B")
    make_shot(shotName="C")
    response = client.get(f"/api/vfx/assignee/{users['vfx']['id']}", headers=auth.headers("director"))
    assert [shot["shotName"] for shot in response.get_json()["data"]] == ["A"]
    assert response.headers["X-Total-Count"] == "1"
    assert client.get("/api/vfx/assignee/999", headers=auth.headers("director")).status_code == 404


def test_list_filters_sort_and_paging(client, auth, users, make_shot):
    make_shot(shotName="SH030", status="done", complexity="high", description="Explosion")
    make_shot(shotName="SH010", status="todo", complexity="low", assigneeId=users["vfx"]["id"])
    make_shot(shotName="SH020", status="todo", complexity="high")
    headers = auth.headers("producer")

    def names(query):
        return [shot["shotName"] for shot in client.get(f"/api/vfx?{query}", headers=headers).get_json()["data"]]

    assert names("status=todo") == ["SH010", "SH020"]
    assert names("complexity=high&sort=-shotName") == ["SH030", "SH020"]
    assert names("q=explo") == ["SH030"]
    assert names(f"assigneeId={users['vfx']['id']}") == ["SH010"]
    assert names("sort=shotName&page=2&per_page=2") == ["SH030"]
    assert client.get("/api/vfx?status=TODO", headers=headers).status_code == 400


def test_stale_if_match_on_a_shot_is_412(client, auth, make_shot):
    shot = make_shot()
    headers = auth.headers("producer")
    etag = client.get(f"/api/vfx/{shot['id']}", headers=headers).headers["ETag"]
    client.put(f"/api/vfx/version/{shot['id']}", json={}, headers=headers)
    assert client.put(f"/api/vfx/{shot['id']}", json={"status": "done"},
                      headers={**headers, "If-Match": etag}).status_code == 412


def test_deleting_a_user_unassigns_their_shots(client, auth, users, make_shot):
    shot = make_shot(assigneeId=users["vfx"]["id"])
    headers = auth.headers("producer")
    assert client.delete(f"/api/users/{users['vfx']['id']}", headers=headers).status_code == 200
    data = client.get(f"/api/vfx/{shot['id']}", headers=headers).get_json()["data"]
    assert (data["assigneeId"], data["assignee"]) == (None, None)


def test_a_version_without_a_date_is_dated_today_utc(client, auth, make_shot, monkeypatch):
    shot = make_shot()
    monkeypatch.setattr(clock, "today", lambda: "2030-01-02")
    answer = client.put(f"/api/vfx/version/{shot['id']}", json={"notes": "first comp"}, headers=auth.headers("vfx"))
    assert answer.status_code == 201 and answer.get_json()["data"]["versions"][0]["date"] == "2030-01-02"
