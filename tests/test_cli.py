"""Command line (SPEC §7): seed-demo, create-user, set-password, check-data; and no implicit seeding."""
import json
import os

import pytest

from app import create_app
from tests.conftest import PASSWORD, SECRET

DEMO_USERNAMES = ["crew", "director", "distribution", "pm", "producer", "vfx"]
DEMO_PASSWORD = "configured-demo-password"
NEW_PASSWORD = "cli-chosen-password-1"


def login_status(client, username, password):
    return client.post("/api/auth/login", json={"username": username, "password": password}).status_code


def create_user_args(**overrides):
    options = {"username": "newbie", "name": "New Bie", "email": "newbie@example.com", "role": "Crew"}
    options.update(overrides)
    args = ["create-user"]
    for option, value in options.items():
        args += [f"--{option}", value]
    return args


def listed_usernames(client, username="newbie", password=NEW_PASSWORD):
    token = client.post("/api/auth/login", json={"username": username, "password": password}).get_json()
    response = client.get("/api/users", headers={"Authorization": f"Bearer {token['data']['access_token']}"})
    assert response.status_code == 200
    return sorted(user["username"] for user in response.get_json()["data"])


def users_file(app):
    return os.path.join(app.config["DATA_DIR"], "users.json")


# -- seed-demo -------------------------------------------------------------------------------
def test_seed_demo_fills_an_empty_data_dir_with_one_user_per_role(app, client, runner):
    app.config["DEMO_PASSWORD"] = DEMO_PASSWORD
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Demo production created" in result.output
    for username in DEMO_USERNAMES:
        assert login_status(client, username, DEMO_PASSWORD) == 200, username
    assert login_status(client, "producer", "prodsight-demo") == 401  # the configured one, not the default
    assert listed_usernames(client, "producer", DEMO_PASSWORD) == DEMO_USERNAMES


def test_seeded_demo_passes_check_data(app, runner):
    app.config["DEMO_PASSWORD"] = DEMO_PASSWORD
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 0, result.output
    assert "sound" in result.output


def test_seed_demo_refuses_a_non_empty_data_dir(app, client, runner, users):
    app.config["DEMO_PASSWORD"] = DEMO_PASSWORD
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "already holds data" in result.output
    assert login_status(client, "producer", DEMO_PASSWORD) == 401  # nothing was overwritten
    assert login_status(client, "producer", PASSWORD) == 200


def test_seed_demo_run_twice_refuses_the_second_time(app, client, runner):
    app.config["DEMO_PASSWORD"] = DEMO_PASSWORD
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 1 and "already holds data" in second.output
    assert listed_usernames(client, "producer", DEMO_PASSWORD) == DEMO_USERNAMES


# -- create-user -------------------------------------------------------------------------------
def test_create_user_with_password_option(client, runner, users):
    result = runner.invoke(args=create_user_args(role="Production Manager", password=NEW_PASSWORD))
    assert result.exit_code == 0, result.output
    assert "Created user newbie" in result.output
    assert NEW_PASSWORD not in result.output
    me = client.post("/api/auth/login", json={"username": "newbie", "password": NEW_PASSWORD}).get_json()
    assert me["data"]["user"]["role"] == "Production Manager"
    assert me["data"]["user"]["email"] == "newbie@example.com"


def test_create_user_prompts_for_a_hidden_confirmed_password(client, runner, users):
    result = runner.invoke(args=create_user_args(), input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "Repeat" in result.output
    assert NEW_PASSWORD not in result.output  # hidden input is not echoed
    assert login_status(client, "newbie", NEW_PASSWORD) == 200


def test_create_user_prompt_asks_again_when_the_confirmation_differs(client, runner, users):
    typed = f"first-attempt-1\nsomething-else-2\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    result = runner.invoke(args=create_user_args(), input=typed)
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert login_status(client, "newbie", NEW_PASSWORD) == 200
    assert login_status(client, "newbie", "first-attempt-1") == 401


def test_create_user_works_on_an_empty_data_dir(client, runner):
    result = runner.invoke(args=create_user_args(role="Producer", password=NEW_PASSWORD))
    assert result.exit_code == 0, result.output
    assert listed_usernames(client) == ["newbie"]


@pytest.mark.parametrize("overrides, field", [
    ({"username": "CREW"}, "username"),
    ({"email": "Crew@Example.com"}, "email"),
])
def test_create_user_refuses_a_duplicate(client, runner, users, overrides, field):
    result = runner.invoke(args=create_user_args(password=NEW_PASSWORD, **overrides))
    assert result.exit_code == 1
    assert "Error:" in result.output and field in result.output and "already" in result.output
    assert login_status(client, overrides.get("username", "newbie"), NEW_PASSWORD) == 401
    assert login_status(client, "crew", PASSWORD) == 200


@pytest.mark.parametrize("overrides, field, message", [
    ({"role": "King"}, "role", "must be one of"),
    ({"role": "crew"}, "role", "must be one of"),
    ({"email": "not-an-email"}, "email", "valid email"),
    ({"username": "no"}, "username", "at least 3"),
    ({"password": "short"}, "password", "at least 8"),
])
def test_create_user_refuses_an_invalid_value(client, runner, users, overrides, field, message):
    args = create_user_args(**{"password": NEW_PASSWORD, **overrides})
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "Error:" in result.output and field in result.output and message in result.output
    assert login_status(client, "newbie", overrides.get("password", NEW_PASSWORD)) == 401
    assert "newbie" not in listed_usernames(client, "crew", PASSWORD)


# -- set-password ------------------------------------------------------------------------------
def test_set_password_replaces_the_password(client, runner, users):
    result = runner.invoke(args=["set-password", "--username", "director", "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert "Password set for director" in result.output
    assert login_status(client, "director", NEW_PASSWORD) == 200
    assert login_status(client, "director", PASSWORD) == 401


def test_set_password_prompts_when_the_option_is_absent(client, runner, users):
    result = runner.invoke(args=["set-password", "--username", "crew"], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output
    assert login_status(client, "crew", NEW_PASSWORD) == 200


def test_set_password_for_an_unknown_user_fails(client, runner, users):
    result = runner.invoke(args=["set-password", "--username", "nobody", "--password", NEW_PASSWORD])
    assert result.exit_code == 1
    assert "Error:" in result.output and "nobody" in result.output


def test_set_password_refuses_a_short_password(client, runner, users):
    result = runner.invoke(args=["set-password", "--username", "crew", "--password", "short"])
    assert result.exit_code == 1
    assert "password" in result.output and "at least 8" in result.output
    assert login_status(client, "crew", PASSWORD) == 200
    assert login_status(client, "crew", "short") == 401


# -- check-data --------------------------------------------------------------------------------
def test_check_data_on_sound_data_exits_0(runner, users):
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 0, result.output
    assert "All data files are sound" in result.output


def test_check_data_names_a_file_that_does_not_parse(app, runner, users):
    with open(users_file(app), "w", encoding="utf-8") as handle:
        handle.write('{"seq": 6, "items": {')
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 1
    assert "users.json" in result.output and "not valid JSON" in result.output
    with open(users_file(app), encoding="utf-8") as handle:
        assert handle.read() == '{"seq": 6, "items": {'  # left for a person to fix


def test_check_data_on_an_app_started_over_a_broken_file(app, runner, users):
    """`flask --app app check-data` builds the app first: a broken file must not stop it from
    starting, and the command names the file."""
    with open(users_file(app), "w", encoding="utf-8") as handle:
        handle.write("not json at all")
    restarted = create_app({name: app.config[name] for name in (
        "TESTING", "DATA_DIR", "UPLOAD_DIR", "SECRET_KEY", "JWT_SECRET_KEY", "AUTO_SEED", "PASSWORD_HASH_METHOD")})
    result = restarted.test_cli_runner().invoke(args=["check-data"])
    assert result.exit_code == 1
    assert "users.json" in result.output
    with open(users_file(app), encoding="utf-8") as handle:
        assert handle.read() == "not json at all"


def test_check_data_names_the_file_and_record_that_break_the_schema(app, runner, users):
    crew_id = users["crew"]["id"]
    with open(users_file(app), encoding="utf-8") as handle:
        document = json.load(handle)
    document["items"][crew_id]["role"] = "King"
    with open(users_file(app), "w", encoding="utf-8") as handle:
        json.dump(document, handle)
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 1
    assert f"users.json record {crew_id}" in result.output
    assert "role" in result.output
    assert f"record {users['producer']['id']}:" not in result.output  # only the broken record is named


def test_check_data_names_a_record_missing_its_password_hash(app, runner, users):
    vfx_id = users["vfx"]["id"]
    with open(users_file(app), encoding="utf-8") as handle:
        document = json.load(handle)
    del document["items"][vfx_id]["passwordHash"]
    with open(users_file(app), "w", encoding="utf-8") as handle:
        json.dump(document, handle)
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 1
    assert f"users.json record {vfx_id}" in result.output and "passwordHash" in result.output


# -- no implicit seeding -----------------------------------------------------------------------
@pytest.fixture
def seeding_app(tmp_path):
    """An app configured as when served: AUTO_SEED on, development environment."""
    return create_app({
        "TESTING": True, "DATA_DIR": str(tmp_path / "served"), "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SECRET_KEY": SECRET, "JWT_SECRET_KEY": SECRET, "AUTO_SEED": True, "PRODSIGHT_ENV": "development",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    })


def test_check_data_on_an_empty_dir_does_not_seed(seeding_app):
    result = seeding_app.test_cli_runner().invoke(args=["check-data"])
    assert result.exit_code == 0, result.output
    assert not os.path.exists(users_file(seeding_app))
    assert sorted(name for name in os.listdir(seeding_app.config["DATA_DIR"]) if name.endswith(".json")) == []


def test_create_user_on_an_empty_dir_does_not_seed(seeding_app):
    result = seeding_app.test_cli_runner().invoke(args=create_user_args(role="Producer", password=NEW_PASSWORD))
    assert result.exit_code == 0, result.output
    client = seeding_app.test_client()
    # The first request would seed an empty directory; this one is not empty any more.
    assert listed_usernames(client) == ["newbie"]
    assert login_status(client, "producer", "prodsight-demo") == 401


def test_check_data_names_a_task_assigned_to_a_missing_user(app, runner, users):
    import json as _json
    import os

    path = os.path.join(app.config["DATA_DIR"], "tasks.json")
    with open(path, "w") as handle:
        _json.dump({"seq": 1, "items": {"1": {
            "id": "1", "title": "Orphan", "description": "", "status": "todo", "priority": "medium",
            "category": "", "assigneeId": "99", "dueDate": None, "estimatedHours": None,
            "createdAt": "2026-11-25T00:00:00Z", "updatedAt": "2026-11-25T00:00:00Z", "createdBy": "1",
        }}}, handle)
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 1
    assert "tasks.json record 1: assigneeId 99 names no user" in result.output
