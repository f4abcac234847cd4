"""The React frontend's requests, replayed as it sends them (issue 6, SPEC §2 "What the React
frontend's API client sends"), against the demo production.

Its API client sends `Content-Type: application/json` on every request, GET and DELETE included,
and the Bearer token from the login answer; it shows `message` of every answer in a toast.
"""
import datetime
from pathlib import Path

import pytest
from flask_jwt_extended import create_access_token

from utils.responses import count

BIG_VERSION_BYTES = 2254857830  # "2.1 GB" = 2.1 × 1024³ = 2,254,857,830.4 → nearest byte


@pytest.fixture
def demo(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    return app


class Frontend:
    """What the frontend's fetch wrapper does: JSON content type always, Bearer token when logged in."""

    def __init__(self, client, password):
        self.client, self.password, self.token = client, password, None

    def login(self, username):
        answer = self.send("POST", "/api/auth/login", {"username": username, "password": self.password})
        assert answer.status_code == 200, answer.get_json()
        self.token = answer.get_json()["data"]["access_token"]
        return answer.get_json()["data"]["user"]

    def send(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return self.client.open(path, method=method, json=body, headers=headers)


@pytest.fixture
def frontend(demo):
    return Frontend(demo.test_client(), demo.config["DEMO_PASSWORD"])


def user_id(frontend, username):
    return next(u["id"] for u in frontend.send("GET", "/api/users").get_json()["data"] if u["username"] == username)


def data(answer, status=200):
    body = answer.get_json()
    assert answer.status_code == status, body
    assert body["success"] is True and isinstance(body["message"], str) and body["message"]
    return body["data"]


# -- the requests it sends ------------------------------------------------------------------
def test_creating_a_task_from_the_form_with_nobody_picked(frontend):
    frontend.login("producer")
    body = {"title": "Hire a second unit DP", "description": "For the harbour nights", "status": "todo",
            "assignee": "", "assigneeId": "", "dueDate": "2026-12-15", "priority": "high",
            "category": "Camera", "estimatedHours": 2.5}
    task = data(frontend.send("POST", "/api/tasks", body), 201)
    assert (task["assigneeId"], task["assignee"], task["estimatedHours"]) == (None, None, 2.5)
    stored = data(frontend.send("GET", f"/api/tasks/{task['id']}"))
    assert stored["dueDate"] == "2026-12-15" and stored["title"] == "Hire a second unit DP"


def test_creating_a_task_with_a_picked_assignee_and_its_echoed_name(frontend):
    frontend.login("pm")
    crew = user_id(frontend, "crew")
    body = {"title": "Print call sheets", "description": "", "status": "in_progress", "assignee": "Somebody Else",
            "assigneeId": crew, "dueDate": "2026-12-02T09:30:00.000Z", "priority": "low", "category": "",
            "estimatedHours": 1}
    task = data(frontend.send("POST", "/api/tasks", body), 201)
    assert (task["assigneeId"], task["assignee"], task["dueDate"]) == (crew, "Carlos Crew", "2026-12-02")


def test_dragging_a_card_as_its_assignee(frontend):
    me = frontend.login("crew")
    mine = data(frontend.send("GET", "/api/tasks"))
    todo = next(task for task in mine if task["status"] == "todo")
    moved = frontend.send("PUT", f"/api/tasks/{todo['id']}", {"status": "in_progress"})
    assert data(moved)["status"] == "in_progress" and moved.get_json()["message"] == "Task updated"
    assert data(frontend.send("GET", f"/api/tasks/{todo['id']}"))["assigneeId"] == me["id"]


def test_an_empty_assignee_on_update_unassigns(frontend):
    frontend.login("producer")
    task = next(t for t in data(frontend.send("GET", "/api/tasks")) if t["assigneeId"])
    updated = data(frontend.send("PUT", f"/api/tasks/{task['id']}", {**task, "assigneeId": ""}))
    assert (updated["assigneeId"], updated["assignee"]) == (None, None)


def test_creating_a_shot_as_the_shot_form_sends_it(frontend):
    frontend.login("vfx")
    body = {"shotName": "SH900_fog_bank", "sceneId": "", "description": "Roll fog over the pier",
            "status": "todo", "priority": "medium", "assignee": "Lisa Park", "dueDate": "2026-12-20",
            "estimatedHours": 12, "complexity": "high", "versions": []}
    shot = data(frontend.send("POST", "/api/vfx", body), 201)
    assert (shot["sceneId"], shot["assigneeId"], shot["assignee"], shot["versions"]) == (None, None, None, [])


def test_adding_a_version_with_a_size_and_a_timestamp(frontend):
    frontend.login("vfx")
    shot = data(frontend.send("GET", "/api/vfx"))[0]
    body = {"version": "v003", "status": "review", "notes": "Comp with new grade", "fileSize": "2.1 GB",
            "date": "2026-12-01T18:40:00.123Z"}
    updated = data(frontend.send("PUT", f"/api/vfx/version/{shot['id']}", body), 201)
    added = updated["versions"][-1]
    assert added["version"] == f"v{len(shot['versions']) + 1:03d}"  # the server labels versions
    assert (added["fileSize"], added["date"], added["status"]) == (BIG_VERSION_BYTES, "2026-12-01", "review")
    assert data(frontend.send("GET", f"/api/vfx/{shot['id']}"))["versions"][-1]["fileSize"] == BIG_VERSION_BYTES


def test_get_and_delete_with_a_json_content_type_and_no_body(frontend):
    frontend.login("producer")
    task = data(frontend.send("GET", "/api/tasks"))[0]
    assert data(frontend.send("DELETE", f"/api/tasks/{task['id']}"))["id"] == task["id"]
    assert frontend.send("GET", f"/api/tasks/{task['id']}").status_code == 404


def test_logout_with_a_json_content_type_and_no_body(frontend):
    frontend.login("producer")
    assert frontend.send("POST", "/api/auth/logout").status_code == 200
    assert frontend.send("GET", "/api/auth/me").status_code == 401


def test_adding_an_expense_dated_by_to_iso_string(frontend):
    frontend.login("pm")
    category = data(frontend.send("GET", "/api/budget/categories"))[0]
    body = {"amount": 1250.5, "category": category["name"], "description": "Lens rental",
            "date": "2026-12-01T18:40:00.123Z"}
    entry = data(frontend.send("POST", "/api/budget/history", body), 201)
    assert (entry["amount"], entry["date"], entry["category"]) == (1250.5, "2026-12-01", category["name"])
    after = next(c for c in data(frontend.send("GET", "/api/budget/categories")) if c["name"] == category["name"])
    assert after["spent"] == round(category["spent"] + 1250.5, 2)


def test_updating_a_category_as_read_with_an_unencoded_name(frontend):
    frontend.login("producer")
    category = next(c for c in data(frontend.send("GET", "/api/budget/categories")) if c["name"] == "VFX & CGI")
    echoed = {"name": category["name"], "budgeted": 210000, "spent": 1, "remaining": 2, "percentUsed": 3}
    updated = data(frontend.send("PUT", "/api/budget/category/VFX & CGI", echoed))
    assert (updated["name"], updated["budgeted"], updated["spent"]) == ("VFX & CGI", 210000, category["spent"])
    assert updated["remaining"] == round(210000 - category["spent"], 2)


def test_updating_a_scene_as_read_with_legacy_names_and_totals(frontend):
    frontend.login("director")
    scene = data(frontend.send("GET", "/api/script/scene/1"))
    assert scene["number"] == scene["scene_number"]  # the legacy mirrors it reads
    version = data(frontend.send("GET", "/api/script"))["version"]
    sent = {**scene, "location": "DRY DOCK", "day_night": "NIGHT", "timeOfDay": "NIGHT"}
    updated = data(frontend.send("PUT", "/api/script/scene/1", sent))
    assert (updated["location"], updated["day_night"], updated["timeOfDay"]) == ("DRY DOCK", "NIGHT", "NIGHT")
    script = data(frontend.send("GET", "/api/script"))
    assert int(script["version"]) == int(version) + 1 and "DRY DOCK" in script["locations"]


def test_updating_the_script_as_read_with_its_totals(frontend):
    frontend.login("producer")
    script = data(frontend.send("GET", "/api/script"))
    updated = data(frontend.send("PUT", "/api/script", {**script, "title": "The Harbour Line (draft 2)"}))
    assert updated["title"] == "The Harbour Line (draft 2)"
    assert updated["totalScenes"] == script["totalScenes"] and len(updated["scenes"]) == len(script["scenes"])


def test_the_release_screen_creates_a_window_as_it_sends_it(frontend):
    """Its ReleaseWindow: a client-made id, "Worldwide", toISOString() dates, deliverables inside."""
    frontend.login("distribution")
    today = datetime.datetime.now(datetime.timezone.utc).date()
    start, end = today + datetime.timedelta(days=1), today + datetime.timedelta(days=200)  # before the demo's SVOD
    body = {"id": "11", "name": "SVOD Release - Disney+", "startDate": f"{start}T00:00:00.000Z",
            "endDate": f"{end}T00:00:00.000Z", "platform": "Disney+", "territory": "Worldwide", "status": "scheduled",
            "exclusivity": False,
            "marketingDeadlines": [{"id": "m12", "name": "Disney+ Promo", "date": f"{start}", "completed": False,
                                    "responsible": "Digital Marketing"}],
            "deliverables": [{"id": "d15", "name": "Disney+ Master", "dueDate": f"{today}", "submitted": False,
                              "approvalStatus": "not_submitted"}],
            "notes": "Part of multi-platform digital distribution strategy."}
    window = data(frontend.send("POST", "/api/releases", body), 201)
    assert (window["territory"], window["licenseType"], window["startDate"], window["status"]) == (
        "WW", "SVOD", start.isoformat(), "scheduled")
    assert [d["name"] for d in window["deliverables"]] == ["Disney+ Master"]
    screen = data(frontend.send("GET", "/api/releases"))
    assert window["id"] in [w["id"] for w in screen] and all("deliverables" in w for w in screen)
    assert data(frontend.send("PUT", f"/api/releases/{window['id']}", {**window, "notes": "Promo moved"}))["notes"] == (
        "Promo moved")


# -- messages on reads ------------------------------------------------------------------------
def test_list_messages_count_the_whole_list(frontend):
    frontend.login("producer")
    tasks = frontend.send("GET", "/api/tasks?page=1&per_page=5")
    assert tasks.get_json()["message"] == "12 tasks" and len(tasks.get_json()["data"]) == 5
    assert frontend.send("GET", "/api/users").get_json()["message"] == "6 users"
    assert frontend.send("GET", "/api/vfx").get_json()["message"] == "5 VFX shots"
    assert frontend.send("GET", "/api/tasks/4").get_json()["message"] == "Task 4"


def test_count_uses_the_singular_for_one():
    assert (count(1, "task"), count(0, "task"), count(3, "ledger entry", "ledger entries")) == (
        "1 task", "0 tasks", "3 ledger entries")


# Sample values for the path parameters of GET routes, from the demo production.
PATH_SAMPLES = {"task_id": "1", "user_id": "1", "shot_id": "1", "scene_id": "1", "version": "1", "asset_id": "1",
                "day": "1", "release_id": "1", "deliverable_id": "1"}
NOT_ENVELOPES = {"assets.download", "meta.openapi_document", "meta.docs", "meta.docs_file",
                 "schedule.print_stripboard"}  # bytes or HTML


def sample_get_urls(app):
    """Every GET route under /api that answers an envelope, with sample values for its path ids."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api") or "GET" not in rule.methods or rule.endpoint in NOT_ENVELOPES:
            continue
        missing = set(rule.arguments) - set(PATH_SAMPLES)
        assert not missing, f"{rule.rule}: add a sample value for {missing} to PATH_SAMPLES"
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<{name}>", PATH_SAMPLES[name]).replace(f"<path:{name}>", PATH_SAMPLES[name])
            url = url.replace(f"<int:{name}>", PATH_SAMPLES[name])
        yield rule, url


def test_every_get_route_answers_with_a_message(demo, frontend):
    """Walks the app's URL map, so a GET route added without a message fails here."""
    frontend.login("producer")
    walked = 0
    for _rule, url in sample_get_urls(demo):
        answer = frontend.send("GET", url)
        assert answer.status_code == 200, (url, answer.get_json())
        message = answer.get_json().get("message")
        assert isinstance(message, str) and message.strip(), f"{url} answers without a message"
        walked += 1
    assert walked >= 9


def test_every_list_is_an_array_with_a_total_and_pages_on_request(demo, frontend):
    """SPEC §2 for every list route of the app: an array, X-Total-Count, and meta when paged."""
    frontend.login("producer")
    lists = 0
    for _rule, url in sample_get_urls(demo):
        whole = frontend.send("GET", url)
        if not isinstance(whole.get_json()["data"], list):
            continue
        lists += 1
        total = int(whole.headers["X-Total-Count"])
        paged = frontend.send("GET", url + ("&" if "?" in url else "?") + "page=1&per_page=2")
        body = paged.get_json()
        assert paged.status_code == 200 and body["meta"] == {"page": 1, "per_page": 2, "total": total}, url
        assert len(body["data"]) == min(2, total) and paged.headers["X-Total-Count"] == str(total), url
    assert lists >= 12


def test_every_single_resource_get_sends_an_etag(demo, frontend):
    """A GET of one record (a path id) sends an ETag, for If-Match (SPEC §2)."""
    frontend.login("producer")
    for rule, url in sample_get_urls(demo):
        answer = frontend.send("GET", url)
        if rule.arguments and isinstance(answer.get_json()["data"], dict):
            assert answer.headers.get("ETag"), f"{url} sends no ETag"


# -- the original frontend as published, and as docs/frontend.patch changes it (issue 20) -----------
class OriginalClient:
    """The published client: it logs in, ignores the tokens of the answer, and sends only
    ``Content-Type: application/json`` afterwards, from its API client and its raw fetch calls."""

    def __init__(self, client):
        self.client = client

    def authenticate(self, username, password):
        return self.client.post("/api/auth/login", json={"username": username, "password": password})

    def request(self, method, path, body=None):
        return self.client.open(path, method=method, json=body, headers={"Content-Type": "application/json"})


class PatchedClient:
    """docs/frontend.patch's ``src/api/client.ts``: both tokens kept from the login answer,
    ``authHeaders()`` on every request (the raw fetch calls included), one refresh on a 401, and the
    user is the backend's, from the login answer."""

    def __init__(self, client):
        self.client, self.storage = client, {}

    def auth_headers(self, json=True):
        headers = {"Content-Type": "application/json"} if json else {}
        if "prodsight_access_token" in self.storage:
            headers["Authorization"] = f"Bearer {self.storage['prodsight_access_token']}"
        return headers

    def keep_tokens(self, data):
        self.storage.update(prodsight_access_token=data["access_token"], prodsight_refresh_token=data["refresh_token"])

    def authenticate(self, username, password):
        answer = self.request("POST", "/api/auth/login", {"username": username, "password": password})
        self.keep_tokens(answer.get_json()["data"])
        return answer.get_json()["data"]["user"]

    def refresh_tokens(self):
        answer = self.client.post("/api/auth/refresh", headers={
            "Authorization": f"Bearer {self.storage['prodsight_refresh_token']}"})
        if answer.status_code != 200:
            self.storage.clear()
            return False
        self.keep_tokens(answer.get_json()["data"])
        return True

    def request(self, method, path, body=None, retried=False):
        answer = self.client.open(path, method=method, json=body, headers=self.auth_headers())
        if answer.status_code == 401 and not retried and path != "/api/auth/login" and self.refresh_tokens():
            return self.request(method, path, body, retried=True)
        return answer

    def raw_fetch(self, path, body):
        """The scheduling page's ``fetch(..., {method: 'POST', headers: authHeaders(), body})``."""
        return self.client.post(path, json=body, headers=self.auth_headers())


SCHEDULE_CONSTRAINTS = {  # what the scheduling page sends
    "actor_constraints": {"Maya": {"max_consecutive_days": 3, "preferred_call_times": ["09:00", "10:00"]}},
    "location_preferences": {"Radio Station": {"setup_time_hours": 2, "weather_dependent": False}},
}


def test_the_original_client_never_sends_the_token_so_every_call_after_login_is_a_401(demo):
    original = OriginalClient(demo.test_client())
    assert original.authenticate("producer", demo.config["DEMO_PASSWORD"]).status_code == 200
    for method, path, body in [("GET", "/api/tasks", None), ("GET", "/api/users", None), ("GET", "/api/script", None),
                               ("POST", "/api/tasks", {"title": "Never saved"})]:
        answer = original.request(method, path, body)
        assert answer.status_code == 401, (method, path)
        assert answer.get_json()["success"] is False


@pytest.mark.parametrize("username", ["prodmanager", "distmanager"])
def test_the_original_hard_coded_demo_logins_are_not_the_backends(demo, username):
    answer = OriginalClient(demo.test_client()).authenticate(username, "password123")
    assert answer.status_code == 401


@pytest.mark.parametrize("username, role", [("pm", "Production Manager"), ("distribution", "Distribution Manager")])
def test_the_patched_client_signs_in_as_the_backends_user_and_sends_its_token(demo, username, role):
    patched = PatchedClient(demo.test_client())
    user = patched.authenticate(username, demo.config["DEMO_PASSWORD"])
    assert (user["username"], user["role"]) == (username, role)  # what the auth context now keeps

    me = patched.request("GET", "/api/auth/me")
    assert me.status_code == 200 and me.get_json()["data"]["id"] == user["id"]
    assert patched.request("GET", "/api/users").status_code == 200
    assert patched.request("GET", "/api/script").status_code == 200


def test_the_patched_client_creates_and_logs_out_with_its_token(demo):
    patched = PatchedClient(demo.test_client())
    patched.authenticate("producer", demo.config["DEMO_PASSWORD"])
    created = patched.request("POST", "/api/tasks", {"title": "Sent with the token", "assigneeId": ""})
    assert created.status_code == 201, created.get_json()

    refresh_token = patched.storage["prodsight_refresh_token"]
    assert patched.request("POST", "/api/auth/logout", {"refresh_token": refresh_token}, retried=True).status_code == 200
    assert patched.request("GET", "/api/auth/me").status_code == 401  # both tokens revoked: no way back


def test_the_patched_client_refreshes_once_when_its_access_token_has_expired(demo):
    patched = PatchedClient(demo.test_client())
    user = patched.authenticate("crew", demo.config["DEMO_PASSWORD"])
    old_refresh = patched.storage["prodsight_refresh_token"]
    with demo.app_context():
        patched.storage["prodsight_access_token"] = create_access_token(
            identity=user["id"], expires_delta=datetime.timedelta(seconds=-10))

    answer = patched.request("GET", "/api/tasks")

    assert answer.status_code == 200
    assert patched.storage["prodsight_refresh_token"] != old_refresh  # rotated


def test_the_scheduling_pages_raw_fetch_needs_the_token_the_patch_adds(demo):
    path = "/api/ai/generate_gemini_schedule"
    if not any(rule.rule == path for rule in demo.url_map.iter_rules()):
        pytest.skip("the schedule domain is not in this tree yet")
    without = demo.test_client().post(path, json=SCHEDULE_CONSTRAINTS, headers={"Content-Type": "application/json"})
    assert without.status_code == 401

    patched = PatchedClient(demo.test_client())
    patched.authenticate("producer", demo.config["DEMO_PASSWORD"])
    answer = patched.raw_fetch(path, SCHEDULE_CONSTRAINTS)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["status"] == "success"


def test_the_patch_in_docs_adds_the_token_everywhere_and_drops_the_hard_coded_users():
    with open(Path(__file__).resolve().parents[1] / "docs" / "frontend.patch", encoding="utf-8") as handle:
        patch = handle.read()
    added = "\n".join(line for line in patch.splitlines() if line.startswith("+"))
    removed = "\n".join(line for line in patch.splitlines() if line.startswith("-"))
    assert "headers.Authorization = `Bearer ${token}`" in added
    assert "headers: authHeaders()" in added and "headers: authHeaders(!form)" in added
    assert "response.data.role" in added  # the backend's user
    assert "'prodmanager'" in removed and "'distmanager'" in removed and "prodmanager" not in added
