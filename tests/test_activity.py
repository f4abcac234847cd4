"""The activity log (SPEC §3 Activity, §4 activity row): one event per acknowledged write, with
exactly the changed fields, read newest first with filters; append-only and crash-safe."""
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from tests.conftest import SECRET
from utils.eventlog import EventLog

ROOT = Path(__file__).resolve().parents[1]
EVENT_FIELDS = {"id", "at", "actorId", "actor", "action", "entity", "entityId", "summary", "changes"}


def events(client, auth, query="", username="producer"):
    answer = client.get(f"/api/activity{query}", headers=auth.headers(username))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["data"]


def log_path(app):
    return os.path.join(app.config["DATA_DIR"], "activity.jsonl")


@pytest.fixture
def task(client, auth):
    answer = client.post("/api/tasks", json={"title": "Build the set", "priority": "low"}, headers=auth.headers("pm"))
    return answer.get_json()["data"]


# -- one event per write, with the exact fields -----------------------------------------------
def test_creating_a_task_is_one_create_event(client, auth, users, task):
    [event] = events(client, auth)
    assert set(event) == EVENT_FIELDS
    assert event["id"] == "000000000001"
    assert (event["action"], event["entity"], event["entityId"]) == ("create", "task", task["id"])
    assert (event["actorId"], event["actor"]) == (users["pm"]["id"], "Pm")
    assert event["summary"] == f'Pm created task {task["id"]} "Build the set"'
    assert event["changes"] == {}
    assert event["at"].endswith("Z") and len(event["at"]) == 20


def test_an_update_lists_exactly_the_changed_fields(client, auth, task):
    client.put(f"/api/tasks/{task['id']}", headers=auth.headers("producer"),
               json={"title": "Build the set", "priority": "high", "dueDate": "2026-12-24T10:00:00Z"})
    event = events(client, auth)[0]
    assert (event["action"], event["entity"], event["actor"]) == ("update", "task", "Producer")
    assert event["changes"] == {"priority": {"from": "low", "to": "high"},
                                "dueDate": {"from": None, "to": "2026-12-24"}}  # stored form
    assert event["summary"] == f'Producer updated task {task["id"]} "Build the set": priority, dueDate'


def test_moving_a_card_reads_as_moved(client, auth, users, task):
    client.put(f"/api/tasks/{task['id']}", json={"assigneeId": users["crew"]["id"]}, headers=auth.headers("pm"))
    client.put(f"/api/tasks/{task['id']}", json={"status": "done"}, headers=auth.headers("crew"))
    event = events(client, auth)[0]
    assert event["summary"] == f'Crew moved task {task["id"]} "Build the set" to done'
    assert event["changes"] == {"status": {"from": "todo", "to": "done"}}


def test_deleting_a_task_is_a_delete_event(client, auth, task):
    client.delete(f"/api/tasks/{task['id']}", headers=auth.headers("producer"))
    event = events(client, auth)[0]
    assert (event["action"], event["entityId"], event["changes"]) == ("delete", task["id"], {})
    assert event["summary"] == f'Producer deleted task {task["id"]} "Build the set"'


def test_shot_and_version_events(client, auth):
    shot = client.post("/api/vfx", json={"shotName": "SH010"}, headers=auth.headers("vfx")).get_json()["data"]
    client.put(f"/api/vfx/{shot['id']}", json={"complexity": "high"}, headers=auth.headers("vfx"))
    client.put(f"/api/vfx/version/{shot['id']}", json={"fileSize": "1 KB"}, headers=auth.headers("vfx"))
    version, update, create = events(client, auth)[:3]
    assert (create["action"], create["entity"], create["entityId"]) == ("create", "vfx_shot", shot["id"])
    assert update["changes"] == {"complexity": {"from": "medium", "to": "high"}}
    assert (version["action"], version["entity"], version["entityId"]) == ("create", "vfx_version", shot["id"])
    assert version["summary"] == f"Vfx added version v001 to VFX shot {shot['id']}"
    assert version["changes"] == {}
    assert len(events(client, auth)) == 3  # the version is not also an update of the shot


def test_user_create_update_delete_events(client, auth, users):
    created = client.post("/api/users", headers=auth.headers("producer"), json={
        "username": "grip", "name": "Gail Grip", "email": "grip@example.com", "role": "Crew",
        "password": "long-enough-1"}).get_json()["data"]
    client.put(f"/api/users/{created['id']}", json={"role": "VFX"}, headers=auth.headers("pm"))
    client.delete(f"/api/users/{created['id']}", headers=auth.headers("producer"))
    deleted, updated, made = events(client, auth)[:3]
    assert (made["action"], made["entity"], made["entityId"]) == ("create", "user", created["id"])
    assert updated["changes"] == {"role": {"from": "Crew", "to": "VFX"}}
    assert (deleted["action"], deleted["summary"]) == ("delete", f'Producer deleted user {created["id"]} "Gail Grip"')


def test_deleting_a_user_is_one_event_though_their_tasks_are_unassigned(client, auth, users, task):
    client.put(f"/api/tasks/{task['id']}", json={"assigneeId": users["crew"]["id"]}, headers=auth.headers("pm"))
    before = len(events(client, auth))
    client.delete(f"/api/users/{users['crew']['id']}", headers=auth.headers("producer"))
    after = events(client, auth)
    assert len(after) == before + 1 and after[0]["entity"] == "user"
    assert client.get(f"/api/tasks/{task['id']}", headers=auth.headers("pm")).get_json()["data"]["assigneeId"] is None


# -- passwords never appear ---------------------------------------------------------------------
def test_a_password_change_names_password_without_values(client, auth, users):
    me = users["crew"]["id"]
    client.put(f"/api/users/{me}", headers=auth.headers("crew"),
               json={"password": "another-long-one", "current_password": "correct-horse-battery"})
    event = events(client, auth)[0]
    assert event["changes"] == {"password": {"from": None, "to": None}}
    raw = Path(log_path(client.application)).read_text()
    for secret in ("another-long-one", "correct-horse-battery", "current_password", "passwordHash", "pbkdf2"):
        assert secret not in raw


def test_a_manager_setting_a_password_names_it_too(client, auth, users):
    client.put(f"/api/users/{users['vfx']['id']}", json={"password": "set-by-the-pm", "name": "V"},
               headers=auth.headers("pm"))
    assert events(client, auth)[0]["changes"] == {"name": {"from": "Vfx", "to": "V"},
                                                  "password": {"from": None, "to": None}}


def test_created_users_password_is_not_in_the_log(client, auth, users):
    client.post("/api/users", headers=auth.headers("producer"), json={
        "username": "grip", "name": "G", "email": "g@example.com", "role": "Crew", "password": "sekrit-pass-99"})
    assert "sekrit-pass-99" not in Path(log_path(client.application)).read_text()
    assert "passwordHash" not in Path(log_path(client.application)).read_text()


# -- what is not an event ----------------------------------------------------------------------
def test_failed_writes_reads_logins_logouts_and_refreshes_record_nothing(client, auth, users, task):
    producer, crew = auth.headers("producer"), auth.headers("crew")
    assert len(events(client, auth)) == 1
    client.post("/api/tasks", json={"title": ""}, headers=producer)  # 400
    client.post("/api/tasks", json={"title": "x"}, headers=crew)  # 403
    client.put("/api/tasks/999", json={"title": "x"}, headers=producer)  # 404
    client.put(f"/api/tasks/{task['id']}", json={"title": "x"}, headers={**producer, "If-Match": '"stale"'})  # 412
    client.delete(f"/api/users/{users['producer']['id']}", headers=producer)  # 409
    client.get("/api/tasks", headers=producer)
    client.post("/api/auth/login", json={"username": "crew", "password": "wrong"})
    refresh = auth.login("director")["refresh_token"]
    client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {refresh}"})
    client.post("/api/auth/logout", headers=auth.headers("director"))
    assert len(events(client, auth)) == 1


def test_the_command_line_writes_no_events(app, runner):
    result = runner.invoke(args=["create-user", "--username", "cli", "--name", "C", "--email", "c@example.com",
                                 "--role", "Producer", "--password", "long-enough-1"])
    assert result.exit_code == 0
    assert not os.path.exists(log_path(app))


def test_the_demo_seed_and_the_first_request_record_nothing(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "d"), "UPLOAD_DIR": str(tmp_path / "u"),
                      "SECRET_KEY": SECRET, "JWT_SECRET_KEY": SECRET, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    client = app.test_client()
    login = client.post("/api/auth/login", json={"username": "producer", "password": app.config["DEMO_PASSWORD"]})
    assert login.status_code == 200  # this first request seeded the demo
    headers = {"Authorization": "Bearer " + login.get_json()["data"]["access_token"]}
    answer = client.get("/api/activity", headers=headers)
    assert answer.get_json()["data"] == [] and answer.headers["X-Total-Count"] == "0"


# -- reading: order, filters, after, paging --------------------------------------------------
@pytest.fixture
def history(client, auth, users):
    """Seven events: 3 task creates, a task update, a shot create, a user update, a task delete."""
    for title in ("A", "B", "C"):
        client.post("/api/tasks", json={"title": title}, headers=auth.headers("producer"))
    client.put("/api/tasks/1", json={"status": "done"}, headers=auth.headers("pm"))
    client.post("/api/vfx", json={"shotName": "SH1"}, headers=auth.headers("vfx"))
    client.put(f"/api/users/{users['crew']['id']}", json={"name": "Cara"}, headers=auth.headers("crew"))
    client.delete("/api/tasks/2", headers=auth.headers("pm"))
    return users


def test_events_come_newest_first_always_paged(client, auth, history):
    answer = client.get("/api/activity", headers=auth.headers("producer"))
    body = answer.get_json()
    assert [e["id"][-1] for e in body["data"]] == list("7654321")
    assert body["meta"] == {"page": 1, "per_page": 50, "total": 7}
    assert answer.headers["X-Total-Count"] == "7" and body["message"] == "7 events"


def test_paging_the_log(client, auth, history):
    answer = client.get("/api/activity?page=2&per_page=3", headers=auth.headers("producer"))
    body = answer.get_json()
    assert [e["id"][-1] for e in body["data"]] == list("432")
    assert body["meta"] == {"page": 2, "per_page": 3, "total": 7} and answer.headers["X-Total-Count"] == "7"
    assert client.get("/api/activity?page=4&per_page=3", headers=auth.headers("producer")).get_json()["data"] == []


@pytest.mark.parametrize("query, ids", [
    ("?entity=task", "74321"),
    ("?entity=vfx_shot", "5"),
    ("?entity=user", "6"),
    ("?action=update", "64"),
    ("?action=delete&entity=task", "7"),
    ("?entityId=2", "72"),
    ("?entity=task&entityId=1", "41"),
    ("?after=000000000004", "765"),
    ("?after=4", "765"),
    ("?after=000000000007", ""),
    ("?after=000000000004&entity=task", "7"),
    ("?q=ignored&sort=ignored", "7654321"),
])
def test_filters(client, auth, history, query, ids):
    found = client.get(f"/api/activity{query}", headers=auth.headers("producer"))
    assert "".join(e["id"][-1] for e in found.get_json()["data"]) == ids
    assert found.headers["X-Total-Count"] == str(len(ids))


def test_actor_filter(client, auth, history):
    by_pm = events(client, auth, f"?actorId={history['pm']['id']}")
    assert [e["id"][-1] for e in by_pm] == ["7", "4"] and {e["actor"] for e in by_pm} == {"Pm"}


def test_date_filters_are_inclusive_utc_days(client, auth, history):
    today = events(client, auth)[0]["at"][:10]
    assert len(events(client, auth, f"?from={today}&to={today}")) == 7
    assert events(client, auth, "?to=2000-01-01") == []
    assert events(client, auth, "?from=2999-01-01") == []


@pytest.mark.parametrize("query, field", [
    ("?entity=tasks", "entity"), ("?action=UPDATE", "action"), ("?from=yesterday", "from"),
    ("?to=2026-02-30", "to"), ("?after=000000000099", "after"), ("?after=abc", "after"), ("?after=0", "after"),
    ("?per_page=501", "per_page"), ("?page=0", "page"),
])
def test_bad_filter_values_are_a_400_naming_them(client, auth, history, query, field):
    answer = client.get(f"/api/activity{query}", headers=auth.headers("producer"))
    assert answer.status_code == 400 and field in answer.get_json()["errors"]


def test_after_on_an_empty_log_is_a_400(client, auth, users):
    answer = client.get("/api/activity?after=000000000001", headers=auth.headers("producer"))
    assert answer.status_code == 400 and "after" in answer.get_json()["errors"]


@pytest.mark.parametrize("username, status", [
    ("producer", 200), ("pm", 200), ("director", 403), ("crew", 403), ("vfx", 403), ("distribution", 403),
])
def test_who_reads_the_log(client, auth, username, status):
    assert client.get("/api/activity", headers=auth.headers(username)).status_code == status


def test_the_log_needs_a_token(client):
    assert client.get("/api/activity").status_code == 401


# -- storage: append-only, restarts, torn lines, kill -9 ---------------------------------------
def test_the_log_is_json_lines_appended_never_rewritten(client, auth, history):
    path = log_path(client.application)
    first = Path(path).read_bytes()
    inode = os.stat(path).st_ino
    client.post("/api/tasks", json={"title": "D"}, headers=auth.headers("producer"))
    after = Path(path).read_bytes()
    assert after.startswith(first) and os.stat(path).st_ino == inode
    lines = after.decode().splitlines()
    assert len(lines) == 8 and all(json.loads(line)["id"] for line in lines)


def test_ids_continue_across_a_restart(app, client, auth, history):
    again = create_app({**app.config, "TESTING": True})
    fresh = again.test_client()
    token = fresh.post("/api/auth/login", json={"username": "producer", "password": "correct-horse-battery"})
    headers = {"Authorization": "Bearer " + token.get_json()["data"]["access_token"]}
    fresh.post("/api/tasks", json={"title": "After restart"}, headers=headers)
    newest = fresh.get("/api/activity", headers=headers).get_json()["data"]
    assert newest[0]["id"] == "000000000008" and len(newest) == 8


def test_a_torn_last_line_is_ignored_then_cut_at_startup_and_reported_by_check_data(app, client, auth, history):
    path = log_path(app)
    with open(path, "ab") as handle:
        handle.write(b'{"id":"000000000008","at":"2026-')
    assert len(events(client, auth)) == 7
    result = app.test_cli_runner().invoke(args=["check-data"])
    assert result.exit_code == 1 and "activity.jsonl line 8: torn last line" in result.output
    create_app({**app.config, "TESTING": True})  # startup cuts it
    assert Path(path).read_bytes().endswith(b"}\n")
    assert app.test_cli_runner().invoke(args=["check-data"]).exit_code == 0
    client.post("/api/tasks", json={"title": "D"}, headers=auth.headers("producer"))
    assert events(client, auth)[0]["id"] == "000000000008"


def test_a_damaged_line_in_the_middle_is_skipped_and_named(app, client, auth, history):
    path = log_path(app)
    lines = Path(path).read_bytes().split(b"\n")
    lines[2] = b"not json"
    Path(path).write_bytes(b"\n".join(lines))
    assert [e["id"][-1] for e in events(client, auth)] == list("765421")
    result = app.test_cli_runner().invoke(args=["check-data"])
    assert result.exit_code == 1 and "activity.jsonl line 3: not a JSON event" in result.output


APPENDER = f"""
import sys, contextlib
sys.path.insert(0, {str(ROOT)!r})
from utils.store import Store
log = Store(sys.argv[1]).log("activity")
for i in range(int(sys.argv[2])):
    event = log.append(lambda event_id, last_at: {{"id": event_id, "at": "2026-12-01T00:00:00Z", "n": i}})
    print(event["id"], flush=True)
"""


def test_ids_from_four_processes_are_unique_dense_and_increasing(tmp_path):
    children = [subprocess.Popen([sys.executable, "-c", APPENDER, str(tmp_path), "50"], stdout=subprocess.PIPE,
                                 text=True) for _ in range(4)]
    printed = [child.communicate(timeout=60)[0].split() for child in children]
    assert all(ids == sorted(ids) for ids in printed)  # each process sees its ids increase
    every = sorted(i for ids in printed for i in ids)
    assert every == [f"{n:012d}" for n in range(1, 201)]
    on_disk = [json.loads(line)["id"] for line in (tmp_path / "activity.jsonl").read_text().splitlines()]
    assert on_disk == every


WRITER = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from app import create_app
app = create_app({{"TESTING": True, "DATA_DIR": sys.argv[1], "UPLOAD_DIR": sys.argv[1] + "/u", "SECRET_KEY": {SECRET!r},
                   "JWT_SECRET_KEY": {SECRET!r}, "AUTO_SEED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}})
client = app.test_client()
token = client.post("/api/auth/login", json={{"username": "producer", "password": "correct-horse-battery"}})
headers = {{"Authorization": "Bearer " + token.get_json()["data"]["access_token"]}}
print("ready", flush=True)
n = 0
while True:
    n += 1
    answer = client.post("/api/tasks", json={{"title": f"t{{n}}", "description": "x" * (n % 500)}}, headers=headers)
    if answer.status_code == 201:
        print(answer.get_json()["data"]["id"], flush=True)
"""


def test_kill_9_in_a_stream_of_writes_keeps_every_acknowledged_event(app, users):
    data_dir = app.config["DATA_DIR"]
    acknowledged = []
    for _round in range(4):
        child = subprocess.Popen([sys.executable, "-c", WRITER, data_dir], stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready"
        # killed once it has acknowledged a few writes (2, 3, 4, 5): mid-stream, on any machine
        acknowledged += [child.stdout.readline().strip() for _ in range(2 + _round)]
        child.send_signal(signal.SIGKILL)
        acknowledged += child.communicate()[0].split()
        create_app({**app.config, "TESTING": True})  # a restart on the same data: cuts any torn line
        assert EventLog(log_path(app), None).damaged_lines() == []
    assert len(acknowledged) >= 14  # 2 + 3 + 4 + 5
    logged = {e["entityId"] for e in EventLog(log_path(app), None).newest_first() if e["entity"] == "task"}
    assert set(acknowledged) <= logged
    ids = [int(e["id"]) for e in EventLog(log_path(app), None).newest_first()]
    assert ids == list(range(len(ids), 0, -1))  # dense, newest first


# -- the other domains' writes, each one event with the SPEC's entityId and changes ----------------
def test_script_and_scene_events(client, auth):
    director = auth.headers("director")
    scene = client.post("/api/script/scenes", json={"title": "INT. KITCHEN - NIGHT"}, headers=director).get_json()["data"]
    client.put(f"/api/script/scene/{scene['id']}", json={"location": "KITCHEN", "timeOfDay": "NIGHT"}, headers=director)
    client.put("/api/script/text", json={"content": "INT. KITCHEN - NIGHT\n\nSteam.\n"}, headers=director)
    client.post("/api/script/versions/2/restore", headers=director)
    client.delete(f"/api/script/scene/{scene['id']}", headers=director)
    deleted, restored, text, updated, created = events(client, auth)[:5]
    assert (created["action"], created["entity"], created["entityId"]) == ("create", "scene", scene["id"])
    # the legacy timeOfDay is listed by its canonical name, day_night, and only once
    assert updated["changes"] == {"location": {"from": "", "to": "KITCHEN"}, "day_night": {"from": "DAY", "to": "NIGHT"}}
    assert (text["action"], text["entity"], text["entityId"]) == ("update", "script", None)
    assert text["changes"]["content"] == {"from": None, "to": None} and "textHash" not in text["changes"]
    assert (restored["action"], restored["entity"], restored["changes"]) == ("restore", "script", {})
    assert restored["summary"] == "Director restored version 2 (Blue) as version 5"
    assert (deleted["action"], deleted["entity"], deleted["entityId"]) == ("delete", "scene", scene["id"])


def test_budget_events_name_categories_by_their_name_after_the_write(client, auth):
    pm = auth.headers("pm")
    client.put("/api/budget", json={"startDate": "2026-11-01"}, headers=pm)
    client.put("/api/budget/category/Camera", json={"budgeted": 40000}, headers=pm)
    client.put("/api/budget/category/Camera", json={"budgeted": 32000}, headers=pm)
    client.put("/api/budget/category/Camera", json={"name": "Camera & Grip", "budgeted": 32000}, headers=pm)
    entry = client.post("/api/budget/history", json={"amount": 1250.5, "category": "Camera & Grip",
                                                     "description": "Lens rental"}, headers=pm).get_json()["data"]
    spent, renamed, cut, made, settings = events(client, auth)[:5]
    assert (settings["entity"], settings["entityId"]) == ("budget", None)
    assert settings["changes"] == {"startDate": {"from": None, "to": "2026-11-01"}}
    assert (made["action"], made["entity"], made["entityId"]) == ("create", "budget_category", "Camera")
    assert cut["summary"] == "Pm cut Camera from 40,000.00 to 32,000.00"
    assert (renamed["entityId"], renamed["changes"]) == ("Camera & Grip", {"name": {"from": "Camera", "to": "Camera & Grip"}})
    assert (spent["entity"], spent["entityId"], spent["summary"]) == (
        "budget_entry", entry["id"], "Pm recorded 1,250.50 on Camera & Grip: Lens rental")


def test_asset_upload_and_delete_events(client, auth):
    uploaded = client.post("/api/assets/upload", data={"file": (io.BytesIO(b"call 06:30"), "call.txt")},
                           headers=auth.headers("crew")).get_json()["data"]
    client.delete(f"/api/assets/{uploaded['id']}", headers=auth.headers("crew"))
    deleted, created = events(client, auth)[:2]
    assert (created["action"], created["entity"], created["entityId"], created["actor"]) == (
        "create", "asset", uploaded["id"], "Crew")
    assert (deleted["action"], deleted["entity"], deleted["summary"]) == (
        "delete", "asset", f'Crew deleted asset {uploaded["id"]} "call.txt"')
