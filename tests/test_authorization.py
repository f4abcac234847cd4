"""Authorization comes first (issue 18): every write route declares the permission it really needs,
and a role it refuses gets 403 before anything else is looked at: no 400 for the body, no 404 for
the id, no 412 for a stale ``If-Match`` (which would hand out another person's record's ETag)."""
import re

import pytest

from tests.conftest import ROLE_USERS
from utils.auth import PUBLIC, SIGNED_IN
from utils.permissions import PERMISSIONS

WRITES = ("POST", "PUT", "PATCH", "DELETE")
# Routes whose ownership rule lets a role without the permission in for some resources whatever
# the id: a Production Manager creates (Crew and VFX) users.
ADMITTED = {("POST", "/api/users"): "users:manage_crew"}
IF_MATCH = (None, '"stale"', "*")


def write_routes(app):
    """(method, rule, view) of every write route under /api that declares a permission."""
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        permission = getattr(view, "permission", None)
        if not rule.rule.startswith("/api") or permission in (None, PUBLIC, SIGNED_IN):
            continue
        for method in sorted(set(rule.methods) & set(WRITES)):
            found.append((method, rule.rule, view))
    return found


def url(rule, value):
    return re.sub(r"<(?:[a-z]+:)?[a-z_]+>", value, rule)


def not_owned(client, headers, rule, username, users):
    """An id of a resource the route's ownership rule refuses to ``username``: one they do not own."""
    me = users[username]["id"]
    if rule.startswith("/api/tasks"):
        tasks = client.get("/api/tasks", headers=headers).get_json()["data"]
        return next(t["id"] for t in tasks if t.get("assigneeId") != me)
    if rule.startswith("/api/assets"):
        assets = client.get("/api/assets", headers=headers).get_json()["data"]
        return next(a["id"] for a in assets if a.get("uploadedBy") != me)
    if rule.startswith("/api/users"):
        return users["producer"]["id"]  # not oneself, and not a Crew or VFX user
    raise AssertionError(f"no owned resource known for {rule}")


@pytest.fixture
def seeded(demo_login, client):
    producer = demo_login("producer")
    people = {u["username"]: u for u in client.get("/api/users", headers=producer).get_json()["data"]}
    return demo_login, producer, people


def test_every_write_route_declares_a_permission_the_role_table_knows(app):
    known = set().union(*PERMISSIONS.values())
    routes = write_routes(app)
    assert len(routes) > 25
    assert all(view.permission in known for _method, _rule, view in routes)


@pytest.mark.parametrize("username", sorted(ROLE_USERS))
def test_a_refused_role_gets_403_whatever_it_sends(app, client, seeded, username):
    demo_login, producer, people = seeded
    headers = demo_login(username)
    role = ROLE_USERS[username]
    checked = 0
    for method, rule, view in write_routes(app):
        if view.permission in PERMISSIONS[role] or ADMITTED.get((method, rule)) in PERMISSIONS[role]:
            continue
        values = [not_owned(client, producer, rule, username, people)] if view.owner else ["1", "999999"]
        for value in values:
            for if_match in IF_MATCH:
                sent = {**headers, **({"If-Match": if_match} if if_match else {})}
                response = client.open(url(rule, value), method=method, headers=sent, json={"bogus": 1})
                assert response.status_code == 403, (method, rule, value, if_match, response.get_json())
                checked += 1
    assert checked or role == "Producer"


def test_crew_probing_another_persons_task_gets_403_not_412(client, seeded):
    demo_login, producer, people = seeded
    crew = demo_login("crew")
    task = client.post("/api/tasks", headers=producer, json={"title": "Not yours", "assigneeId": people["pm"]["id"]})
    task_id = task.get_json()["data"]["id"]
    for if_match in ('"stale"', task.headers["ETag"]):
        response = client.put(f"/api/tasks/{task_id}", headers={**crew, "If-Match": if_match}, json={"status": "done"})
        assert response.status_code == 403 and "ETag" not in response.headers
    assert client.put("/api/tasks/999999", headers=crew, json={"status": "done"}).status_code == 403


def test_the_assignee_still_moves_the_status_and_only_the_status(client, seeded):
    demo_login, producer, people = seeded
    crew = demo_login("crew")
    task = client.post("/api/tasks", headers=producer, json={"title": "Yours", "assigneeId": people["crew"]["id"]})
    task_id = task.get_json()["data"]["id"]
    stale = {**crew, "If-Match": '"stale"'}
    assert client.put(f"/api/tasks/{task_id}", headers=stale, json={"title": "Mine now"}).status_code == 403
    assert client.put(f"/api/tasks/{task_id}", headers=stale, json={"status": "done"}).status_code == 412
    moved = client.put(f"/api/tasks/{task_id}", headers=crew, json={"status": "done"})
    assert moved.status_code == 200 and moved.get_json()["data"]["status"] == "done"


def test_only_the_uploader_deletes_their_asset_and_others_get_403_before_412(client, seeded):
    demo_login, producer, people = seeded
    crew = demo_login("crew")
    assets = client.get("/api/assets", headers=producer).get_json()["data"]
    theirs = next(a for a in assets if a.get("uploadedBy") != people["crew"]["id"])
    response = client.delete(f"/api/assets/{theirs['id']}", headers={**crew, "If-Match": '"stale"'})
    assert response.status_code == 403
    assert client.get(f"/api/assets/{theirs['id']}", headers=producer).status_code == 200


def test_user_management_refuses_before_the_precondition(client, seeded):
    demo_login, producer, people = seeded
    for username in ("crew", "director", "distribution"):
        headers = {**demo_login(username), "If-Match": '"stale"'}
        target = people["producer"]["id"]
        assert client.put(f"/api/users/{target}", headers=headers, json={"name": "X"}).status_code == 403
        assert client.delete(f"/api/users/{target}", headers=headers).status_code == 403
        assert client.post("/api/users", headers=headers, json={}).status_code == 403
