"""Users (SPEC §3 Users, §4 users row): the team directory, who may create, edit and delete whom,
self-service, validation, uniqueness, and that no response ever reveals a password or its hash."""
import logging
import re
import threading

import pytest

from tests.conftest import PASSWORD, ROLE_USERS
from utils.store import Store

NEW_PASSWORD = "brand-new-passphrase-42"
OTHER_PASSWORD = "another-secret-phrase-77"
# Nothing in any response of this module may contain one of these.
SECRETS = ("passwordHash", "pbkdf2", "scrypt", PASSWORD, NEW_PASSWORD, OTHER_PASSWORD)
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


@pytest.fixture(autouse=True)
def no_secret_leaks(client, monkeypatch, caplog):
    """Scan every response of every test here (body and headers), and the log, for hashes and
    plain passwords."""
    caplog.set_level(logging.DEBUG)
    real_open = client.open
    scanned = []

    def scanned_open(*args, **kwargs):
        response = real_open(*args, **kwargs)
        text = response.get_data(as_text=True) + "\n" + str(response.headers)
        for secret in SECRETS:
            assert secret not in text, f"response to {args} {kwargs.get('method')} reveals {secret!r}"
        scanned.append(response)
        return response

    monkeypatch.setattr(client, "open", scanned_open)
    yield
    assert scanned, "the test made no request, so nothing was scanned"
    for secret in SECRETS:
        assert secret not in caplog.text, f"the log reveals {secret!r}"


# -- helpers ---------------------------------------------------------------------------------
def new_user(role="Crew", **overrides):
    body = {"username": "newbie", "name": "New Bie", "email": "newbie@example.com", "role": role,
            "password": NEW_PASSWORD}
    body.update(overrides)
    return body


def expect(response, status):
    """Assert the status and the envelope; return the body."""
    body = response.get_json()
    assert response.status_code == status, body
    assert body["success"] is (status < 400), body
    if status >= 400:
        assert body["message"], body
    return body


def user_id(users, username):
    return users[username]["id"]


def get_user(client, auth, users, username, as_user="producer"):
    response = client.get(f"/api/users/{user_id(users, username)}", headers=auth.headers(as_user))
    return expect(response, 200)["data"]


def usernames(client, auth):
    response = client.get("/api/users", headers=auth.headers("producer"))
    return sorted(user["username"] for user in expect(response, 200)["data"])


def login_status(client, username, password):
    return client.post("/api/auth/login", json={"username": username, "password": password}).status_code


def assert_public_user(user):
    assert isinstance(user["id"], str)
    assert "password" not in user and "passwordHash" not in user and "current_password" not in user
    assert isinstance(user["permissions"], list) and "users:read" in user["permissions"]
    assert TIMESTAMP.fullmatch(user["createdAt"]) and TIMESTAMP.fullmatch(user["updatedAt"])


# -- reading ---------------------------------------------------------------------------------
@pytest.mark.parametrize("reader", ROLE_USERS)
def test_every_role_reads_the_team_directory(client, auth, users, reader):
    response = client.get("/api/users", headers=auth.headers(reader))
    listed = expect(response, 200)["data"]
    assert sorted(u["username"] for u in listed) == sorted(ROLE_USERS)
    for user in listed:
        assert_public_user(user)
    assert response.headers["X-Total-Count"] == "6"


@pytest.mark.parametrize("reader", ROLE_USERS)
def test_every_role_reads_one_user(client, auth, users, reader):
    response = client.get(f"/api/users/{user_id(users, 'director')}", headers=auth.headers(reader))
    data = expect(response, 200)["data"]
    assert (data["username"], data["role"], data["email"]) == ("director", "Director", "director@example.com")
    assert_public_user(data)


def test_user_list_pages_filters_and_counts(client, auth, users):
    crew = auth.headers("crew")
    response = client.get("/api/users?page=2&per_page=4&sort=username", headers=crew)
    body = expect(response, 200)
    assert [u["username"] for u in body["data"]] == ["producer", "vfx"]
    assert body["meta"] == {"page": 2, "per_page": 4, "total": 6}
    assert response.headers["X-Total-Count"] == "6"
    response = client.get("/api/users?role=Production Manager", headers=crew)
    assert [u["username"] for u in expect(response, 200)["data"]] == ["pm"]
    assert response.headers["X-Total-Count"] == "1"
    assert [u["username"] for u in expect(client.get("/api/users?q=DIREC", headers=crew), 200)["data"]] == ["director"]
    assert "role" in expect(client.get("/api/users?role=producer", headers=crew), 400)["errors"]


def test_stale_if_match_on_a_user_is_412(client, auth, users):
    producer, url = auth.headers("producer"), f"/api/users/{user_id(users, 'crew')}"
    etag = client.get(url, headers=producer).headers["ETag"]
    expect(client.put(url, json={"name": "First"}, headers={**producer, "If-Match": etag}), 200)
    expect(client.put(url, json={"name": "Second"}, headers={**producer, "If-Match": etag}), 412)
    expect(client.delete(url, headers={**producer, "If-Match": etag}), 412)
    assert get_user(client, auth, users, "crew")["name"] == "First"
    fresh = client.get(url, headers=producer).headers["ETag"]
    expect(client.delete(url, headers={**producer, "If-Match": fresh}), 200)


def test_reading_users_needs_a_token(client, users):
    expect(client.get("/api/users"), 401)
    expect(client.get(f"/api/users/{user_id(users, 'crew')}"), 401)


def test_unknown_user_id_is_404(client, auth):
    body = expect(client.get("/api/users/9999", headers=auth.headers("crew")), 404)
    assert "9999" in body["message"]


def test_permissions_are_derived_from_role(client, auth, users):
    by_name = {u["username"]: u for u in expect(client.get("/api/users", headers=auth.headers("crew")), 200)["data"]}
    assert "users:manage" in by_name["producer"]["permissions"]
    assert "users:manage_crew" in by_name["pm"]["permissions"]
    for username in ("director", "crew", "vfx", "distribution"):
        assert "users:manage" not in by_name[username]["permissions"]
        assert "users:manage_crew" not in by_name[username]["permissions"]


# -- creating --------------------------------------------------------------------------------
CREATE_MATRIX = [
    ("producer", "Producer", 201),
    ("producer", "Director", 201),
    ("producer", "Production Manager", 201),
    ("producer", "Crew", 201),
    ("producer", "VFX", 201),
    ("producer", "Distribution Manager", 201),
    ("pm", "Crew", 201),
    ("pm", "VFX", 201),
    ("pm", "Producer", 403),
    ("pm", "Director", 403),
    ("pm", "Production Manager", 403),
    ("pm", "Distribution Manager", 403),
    ("director", "Crew", 403),
    ("crew", "Crew", 403),
    ("vfx", "VFX", 403),
    ("distribution", "Crew", 403),
]


@pytest.mark.parametrize("actor, role, status", CREATE_MATRIX)
def test_create_user_permission_matrix(client, auth, users, actor, role, status):
    body = expect(client.post("/api/users", json=new_user(role), headers=auth.headers(actor)), status)
    if status == 201:
        data = body["data"]
        assert (data["username"], data["name"], data["email"], data["role"], data["avatar"]) == (
            "newbie", "New Bie", "newbie@example.com", role, "")
        assert_public_user(data)
        assert ("users:manage" in data["permissions"]) == (role == "Producer")
        same_role = next(u for u in users.values() if u["role"] == role)
        assert data["permissions"] == same_role["permissions"]
        assert login_status(client, "newbie", NEW_PASSWORD) == 200
        assert "newbie" in usernames(client, auth)
    else:
        assert "newbie" not in usernames(client, auth)


def test_created_user_is_readable_by_id(client, auth, users):
    created = expect(client.post("/api/users", json=new_user(), headers=auth.headers("producer")), 201)["data"]
    fetched = expect(client.get(f"/api/users/{created['id']}", headers=auth.headers("crew")), 200)["data"]
    assert fetched == created


def test_server_owned_fields_and_permissions_in_a_create_body_are_ignored(client, auth, users):
    body = new_user("Crew", id="42", createdAt="1999-01-01T00:00:00Z", passwordHash="pbkdf2:sha256:1$x$y",
                    permissions=["users:manage", "budget:write"])
    data = expect(client.post("/api/users", json=body, headers=auth.headers("producer")), 201)["data"]
    assert data["id"] != "42" and data["createdAt"] != "1999-01-01T00:00:00Z"
    assert "users:manage" not in data["permissions"] and "budget:write" not in data["permissions"]
    assert data["permissions"] == users["crew"]["permissions"]
    assert login_status(client, "newbie", NEW_PASSWORD) == 200  # the sent "hash" was not stored
    newbie = {"Authorization": "Bearer " + auth.login("newbie", NEW_PASSWORD)["access_token"]}
    other = new_user(username="x-y-z", email="xyz@example.com")
    expect(client.post("/api/users", json=other, headers=newbie), 403)  # the sent permissions grant nothing


def test_missing_required_fields_are_named(client, auth, users):
    body = expect(client.post("/api/users", json={}, headers=auth.headers("producer")), 400)
    assert set(body["errors"]) == {"username", "name", "email", "role", "password"}


def test_unknown_field_on_create_is_400_naming_it(client, auth, users):
    body = expect(client.post("/api/users", json=new_user(nickname="Newb"), headers=auth.headers("producer")), 400)
    assert body["errors"] == {"nickname": "unknown field"}
    assert "newbie" not in usernames(client, auth)


INVALID_VALUES = [
    ("username", "ab", "at least 3"),
    ("username", "bad name!", "letters, digits"),
    ("username", "a" * 51, "at most 50"),
    ("email", "not-an-email", "valid email"),
    ("email", "two@@example.com", "valid email"),
    ("role", "King", "must be one of"),
    ("role", "producer", "must be one of"),  # enum values are case-sensitive
    ("avatar", "not a url", "URL"),
    ("avatar", "javascript:alert(1)", "URL"),
    ("password", "short", "at least 8"),
]


@pytest.mark.parametrize("field, value, message", INVALID_VALUES)
def test_create_validation_names_the_field(client, auth, users, field, value, message):
    body = expect(client.post("/api/users", json=new_user(**{field: value}), headers=auth.headers("producer")), 400)
    assert list(body["errors"]) == [field]
    assert message in body["errors"][field]
    assert len(usernames(client, auth)) == 6


@pytest.mark.parametrize("field, value, message", INVALID_VALUES)
def test_update_validation_names_the_field(client, auth, users, field, value, message):
    response = client.put(f"/api/users/{user_id(users, 'crew')}", json={field: value}, headers=auth.headers("producer"))
    body = expect(response, 400)
    assert list(body["errors"]) == [field]
    assert message in body["errors"][field]
    assert get_user(client, auth, users, "crew")["username"] == "crew"


def test_avatar_accepts_a_url_or_empty(client, auth, users):
    body = new_user(avatar="https://cdn.example.com/faces/newbie.png")
    data = expect(client.post("/api/users", json=body, headers=auth.headers("producer")), 201)["data"]
    assert data["avatar"] == "https://cdn.example.com/faces/newbie.png"
    response = client.put(f"/api/users/{data['id']}", json={"avatar": ""}, headers=auth.headers("producer"))
    assert expect(response, 200)["data"]["avatar"] == ""


@pytest.mark.parametrize("overrides, field", [
    ({"username": "CREW"}, "username"),
    ({"username": "Crew"}, "username"),
    ({"email": "crew@example.com"}, "email"),
    ({"email": "CREW@Example.COM"}, "email"),
])
def test_duplicate_username_or_email_on_create_is_409(client, auth, users, overrides, field):
    response = client.post("/api/users", json=new_user(**overrides), headers=auth.headers("producer"))
    body = expect(response, 409)
    assert list(body["errors"]) == [field]
    assert len(usernames(client, auth)) == 6


@pytest.mark.parametrize("change, field", [
    ({"username": "Crew"}, "username"),
    ({"email": "Crew@example.com"}, "email"),
])
def test_duplicate_username_or_email_on_update_is_409(client, auth, users, change, field):
    response = client.put(f"/api/users/{user_id(users, 'director')}", json=change, headers=auth.headers("producer"))
    assert list(expect(response, 409)["errors"]) == [field]
    director = get_user(client, auth, users, "director")
    assert (director["username"], director["email"]) == ("director", "director@example.com")


def test_keeping_your_own_username_in_another_case_is_no_conflict(client, auth, users):
    response = client.put(f"/api/users/{user_id(users, 'director')}", json={"username": "Director"},
                          headers=auth.headers("producer"))
    assert expect(response, 200)["data"]["username"] == "Director"


# -- updating --------------------------------------------------------------------------------
UPDATE_MATRIX = [
    ("producer", "director", {"name": "Dee"}, 200),
    ("producer", "pm", {"role": "Director"}, 200),
    ("producer", "crew", {"role": "VFX", "username": "crew2"}, 200),
    ("producer", "distribution", {"email": "dist@example.com"}, 200),
    ("pm", "crew", {"name": "Carl"}, 200),
    ("pm", "vfx", {"name": "Vee"}, 200),
    ("pm", "crew", {"role": "VFX"}, 200),
    ("pm", "vfx", {"role": "Crew"}, 200),
    ("pm", "crew", {"role": "Director"}, 403),
    ("pm", "crew", {"role": "Producer"}, 403),
    ("pm", "director", {"name": "Dee"}, 403),
    ("pm", "producer", {"name": "Pat"}, 403),
    ("pm", "distribution", {"name": "Dot"}, 403),
    ("director", "crew", {"name": "Carl"}, 403),
    ("crew", "vfx", {"name": "Vee"}, 403),
    ("vfx", "crew", {"name": "Carl"}, 403),
    ("distribution", "crew", {"name": "Carl"}, 403),
]


@pytest.mark.parametrize("actor, target, change, status", UPDATE_MATRIX)
def test_update_user_permission_matrix(client, auth, users, actor, target, change, status):
    before = get_user(client, auth, users, target)
    response = client.put(f"/api/users/{before['id']}", json=change, headers=auth.headers(actor))
    body = expect(response, status)
    after = get_user(client, auth, users, target) if status != 200 else body["data"]
    if status == 200:
        assert {key: after[key] for key in change} == change
        assert_public_user(after)
        assert after["createdAt"] == before["createdAt"]
        assert TIMESTAMP.fullmatch(after["updatedAt"])
        assert expect(client.get(f"/api/users/{before['id']}", headers=auth.headers("vfx")), 200)["data"] == after
    else:
        assert after == before


def test_role_change_updates_permissions_at_once(client, auth, users):
    crew_headers = auth.headers("crew")
    expect(client.post("/api/users", json=new_user(), headers=crew_headers), 403)
    response = client.put(f"/api/users/{user_id(users, 'crew')}", json={"role": "Production Manager"},
                          headers=auth.headers("producer"))
    assert "users:manage_crew" in expect(response, 200)["data"]["permissions"]
    expect(client.post("/api/users", json=new_user(), headers=crew_headers), 201)


@pytest.mark.parametrize("username", ROLE_USERS)
def test_every_role_edits_own_profile(client, auth, users, username):
    change = {"name": "Renamed Person", "email": f"{username}.new@example.com",
              "avatar": "https://img.example.com/me.png"}
    response = client.put(f"/api/users/{user_id(users, username)}", json=change, headers=auth.headers(username))
    data = expect(response, 200)["data"]
    assert {key: data[key] for key in change} == change
    assert data["role"] == ROLE_USERS[username]
    assert get_user(client, auth, users, username)["email"] == f"{username}.new@example.com"


@pytest.mark.parametrize("username, new_role", [
    ("producer", "Director"),
    ("director", "Producer"),
    ("pm", "Producer"),
    ("crew", "Producer"),
    ("vfx", "Crew"),
    ("distribution", "Producer"),
])
def test_nobody_changes_own_role(client, auth, users, username, new_role):
    response = client.put(f"/api/users/{user_id(users, username)}", json={"role": new_role},
                          headers=auth.headers(username))
    assert "role" in expect(response, 403)["message"]
    assert get_user(client, auth, users, username)["role"] == ROLE_USERS[username]


@pytest.mark.parametrize("username", ["crew", "producer"])
def test_own_password_change_without_current_password_is_400(client, auth, users, username):
    response = client.put(f"/api/users/{user_id(users, username)}", json={"password": NEW_PASSWORD},
                          headers=auth.headers(username))
    assert list(expect(response, 400)["errors"]) == ["current_password"]
    assert login_status(client, username, PASSWORD) == 200
    assert login_status(client, username, NEW_PASSWORD) == 401


@pytest.mark.parametrize("username", ["crew", "producer"])
def test_own_password_change_with_wrong_current_password_is_400(client, auth, users, username):
    response = client.put(f"/api/users/{user_id(users, username)}",
                          json={"password": NEW_PASSWORD, "current_password": OTHER_PASSWORD},
                          headers=auth.headers(username))
    assert list(expect(response, 400)["errors"]) == ["current_password"]
    assert login_status(client, username, PASSWORD) == 200


@pytest.mark.parametrize("username", ["crew", "producer"])
def test_own_password_change_with_current_password_works(client, auth, users, username):
    response = client.put(f"/api/users/{user_id(users, username)}",
                          json={"password": NEW_PASSWORD, "current_password": PASSWORD},
                          headers=auth.headers(username))
    assert expect(response, 200)["data"]["username"] == username
    assert login_status(client, username, NEW_PASSWORD) == 200
    assert login_status(client, username, PASSWORD) == 401


@pytest.mark.parametrize("actor, target", [("producer", "director"), ("producer", "pm"), ("pm", "crew"), ("pm", "vfx")])
def test_manager_sets_someone_elses_password_without_current_password(client, auth, users, actor, target):
    response = client.put(f"/api/users/{user_id(users, target)}", json={"password": NEW_PASSWORD},
                          headers=auth.headers(actor))
    assert expect(response, 200)["data"]["username"] == target
    assert login_status(client, target, NEW_PASSWORD) == 200
    assert login_status(client, target, PASSWORD) == 401


@pytest.mark.parametrize("actor, target", [("pm", "director"), ("crew", "vfx"), ("director", "crew")])
def test_others_cannot_set_someone_elses_password(client, auth, users, actor, target):
    response = client.put(f"/api/users/{user_id(users, target)}", json={"password": NEW_PASSWORD},
                          headers=auth.headers(actor))
    expect(response, 403)
    assert login_status(client, target, PASSWORD) == 200


def test_permissions_in_an_update_body_are_ignored(client, auth, users):
    response = client.put(f"/api/users/{user_id(users, 'crew')}",
                          json={"name": "Still Crew", "permissions": ["users:manage"]}, headers=auth.headers("crew"))
    data = expect(response, 200)["data"]
    assert data["name"] == "Still Crew"
    assert data["permissions"] == users["crew"]["permissions"]
    expect(client.post("/api/users", json=new_user(), headers=auth.headers("crew")), 403)


def test_unknown_field_on_update_is_400_naming_it(client, auth, users):
    response = client.put(f"/api/users/{user_id(users, 'crew')}", json={"name": "X", "shoeSize": 44},
                          headers=auth.headers("producer"))
    assert expect(response, 400)["errors"] == {"shoeSize": "unknown field"}
    assert get_user(client, auth, users, "crew")["name"] == "Crew"


def test_updating_an_unknown_user_is_404(client, auth, users):
    expect(client.put("/api/users/9999", json={"name": "Ghost"}, headers=auth.headers("producer")), 404)


# -- deleting --------------------------------------------------------------------------------
DELETE_MATRIX = [
    ("producer", "director", 200),
    ("producer", "pm", 200),
    ("producer", "crew", 200),
    ("producer", "vfx", 200),
    ("producer", "distribution", 200),
    ("producer", "producer", 409),
    ("pm", "pm", 409),
    ("pm", "crew", 200),
    ("pm", "vfx", 200),
    ("pm", "director", 403),
    ("pm", "producer", 403),
    ("pm", "distribution", 403),
    ("director", "director", 403),
    ("director", "crew", 403),
    ("crew", "crew", 403),
    ("crew", "vfx", 403),
    ("vfx", "vfx", 403),
    ("distribution", "crew", 403),
]


@pytest.mark.parametrize("actor, target, status", DELETE_MATRIX)
def test_delete_user_permission_matrix(client, auth, users, actor, target, status):
    headers = auth.headers(actor)
    response = client.delete(f"/api/users/{user_id(users, target)}", headers=headers)
    body = expect(response, status)
    remaining = usernames(client, auth) if target != "producer" else None
    if status == 200:
        assert body["data"] is None
        assert target not in remaining and len(remaining) == 5
        expect(client.get(f"/api/users/{user_id(users, target)}", headers=headers), 404)
    else:
        assert target in usernames(client, auth)
        assert login_status(client, target, PASSWORD) == 200


def test_deleting_an_unknown_user_is_404(client, auth, users):
    expect(client.delete("/api/users/9999", headers=auth.headers("producer")), 404)


def test_the_last_producer_can_never_be_removed(client, auth, users):
    producer = auth.headers("producer")
    expect(client.delete(f"/api/users/{user_id(users, 'producer')}", headers=producer), 409)
    expect(client.put(f"/api/users/{user_id(users, 'producer')}", json={"role": "Crew"}, headers=producer), 403)

    exec_body = new_user("Producer", username="exec", email="exec@example.com")
    exec_id = expect(client.post("/api/users", json=exec_body, headers=producer), 201)["data"]["id"]
    exec_headers = {"Authorization": "Bearer " + auth.login("exec", NEW_PASSWORD)["access_token"]}
    expect(client.delete(f"/api/users/{exec_id}", headers=exec_headers), 409)  # yourself, even if not the last
    expect(client.delete(f"/api/users/{user_id(users, 'producer')}", headers=exec_headers), 200)

    expect(client.delete(f"/api/users/{exec_id}", headers=exec_headers), 409)
    expect(client.put(f"/api/users/{exec_id}", json={"role": "Director"}, headers=exec_headers), 403)
    listed = expect(client.get("/api/users", headers=exec_headers), 200)["data"]
    assert [u["username"] for u in listed if u["role"] == "Producer"] == ["exec"]


def test_two_producers_demoting_each_other_at_once_leave_one_producer(app, client, auth, users, monkeypatch):
    """Both requests are authenticated as Producers before either change lands; the second must be
    judged by its actor's role as stored now (Director), not as loaded with the token."""
    producer = auth.headers("producer")
    exec_body = new_user("Producer", username="exec", email="exec@example.com")
    exec_id = expect(client.post("/api/users", json=exec_body, headers=producer), 201)["data"]["id"]
    exec_headers = {"Authorization": "Bearer " + auth.login("exec", NEW_PASSWORD)["access_token"]}
    statuses = []

    def demote(headers, target_id):
        response = app.test_client().put(f"/api/users/{target_id}", json={"role": "Director"}, headers=headers)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=demote, args=(producer, exec_id)),
               threading.Thread(target=demote, args=(exec_headers, user_id(users, "producer")))]
    # Both requests meet just before the users write, each having passed its early role check as a
    # Producer: they did race, whatever the scheduler does. A request that never gets there breaks
    # the barrier and records no status.
    both_checked, real_transaction = threading.Barrier(2, timeout=10), Store.transaction

    def meeting(store, name):
        if name == "users" and threading.current_thread() in threads:
            both_checked.wait()
        return real_transaction(store, name)

    monkeypatch.setattr(Store, "transaction", meeting)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(statuses) == [200, 403]
    listed = expect(client.get("/api/users?role=Producer", headers=auth.headers("crew")), 200)["data"]
    assert len(listed) == 1


def test_a_deleted_users_token_is_refused(client, auth, users):
    crew = auth.headers("crew")
    expect(client.delete(f"/api/users/{user_id(users, 'crew')}", headers=auth.headers("producer")), 200)
    expect(client.get("/api/users", headers=crew), 401)
    assert login_status(client, "crew", PASSWORD) == 401


# -- ids and timestamps ------------------------------------------------------------------------
def test_ids_are_strings_and_never_reused_after_a_delete(client, auth, users):
    producer = auth.headers("producer")
    seen = {user["id"] for user in users.values()}
    assert all(isinstance(user_id_, str) for user_id_ in seen) and len(seen) == 6

    first = expect(client.post("/api/users", json=new_user(), headers=producer), 201)["data"]
    assert isinstance(first["id"], str) and first["id"] not in seen
    seen.add(first["id"])
    expect(client.delete(f"/api/users/{first['id']}", headers=producer), 200)  # the newest id goes

    second = expect(client.post("/api/users", json=new_user(), headers=producer), 201)["data"]
    assert isinstance(second["id"], str) and second["id"] not in seen
    expect(client.get(f"/api/users/{first['id']}", headers=producer), 404)


def test_created_user_timestamps_are_utc_ending_in_z(client, auth, users):
    data = expect(client.post("/api/users", json=new_user(), headers=auth.headers("producer")), 201)["data"]
    assert TIMESTAMP.fullmatch(data["createdAt"]) and data["createdAt"].endswith("Z")
    assert TIMESTAMP.fullmatch(data["updatedAt"]) and data["updatedAt"].endswith("Z")
