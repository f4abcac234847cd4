"""Configuration (SPEC §6) and seeding on first serve (SPEC §5): secrets, token lifetimes, CORS,
the environment and `.env`, the demo production created once, and never in production."""
import json
import os
import stat
import subprocess
import sys

import jwt
import pytest

from app import create_app
from services import users as users_service
from tests.conftest import SECRET
from utils import settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAST_HASH = "pbkdf2:sha256:1000"
DEMO_PASSWORD = "demo-password-for-tests"
DEMO_USERNAMES = ["crew", "director", "distribution", "pm", "producer", "vfx"]
CONFIG_VARIABLES = (
    "SECRET_KEY", "JWT_SECRET_KEY", "JWT_ACCESS_TOKEN_EXPIRES", "JWT_REFRESH_TOKEN_EXPIRES",
    "PRODSIGHT_DATA_DIR", "PRODSIGHT_UPLOAD_DIR", "PRODSIGHT_MAX_UPLOAD_MB", "PRODSIGHT_CORS_ORIGINS",
    "PRODSIGHT_ENV", "PRODSIGHT_DEMO_PASSWORD", "HOST", "PORT",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """Every configuration variable unset (and restored afterwards, even if `.env` loading sets it),
    and the project directory moved to tmp_path so no real `.env` or `data/` is read or written."""
    for name in CONFIG_VARIABLES:
        monkeypatch.setenv(name, "placeholder")  # records the original state for the undo
        monkeypatch.delenv(name)
    monkeypatch.setattr(settings, "BASE_DIR", str(tmp_path / "project"))


def make_app(tmp_path, name="data", **config):
    base = {"TESTING": True, "DATA_DIR": str(tmp_path / name), "UPLOAD_DIR": str(tmp_path / "uploads"),
            "SECRET_KEY": SECRET, "JWT_SECRET_KEY": SECRET, "AUTO_SEED": False, "PASSWORD_HASH_METHOD": FAST_HASH}
    base.update(config)
    return create_app({key: value for key, value in base.items() if value is not ...})


def add_user(app, username="boss", password="boss-password-1", role="Producer"):
    with app.app_context():
        users_service.create_user({"username": username, "name": username.title(), "role": role,
                                   "email": f"{username}@example.com", "password": password})


def login(client, username="boss", password="boss-password-1"):
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    return response


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def usernames(client, username, password):
    token = login(client, username, password).get_json()["data"]["access_token"]
    response = client.get("/api/users", headers=bearer(token))
    assert response.status_code == 200
    return sorted(user["username"] for user in response.get_json()["data"])


# -- secrets ---------------------------------------------------------------------------------
def test_unset_secrets_are_generated_once_kept_private_and_reused(tmp_path):
    first = make_app(tmp_path, SECRET_KEY=None, JWT_SECRET_KEY=None)
    path = tmp_path / "data" / ".secrets.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    kept = json.loads(path.read_text())
    kept.pop("#version")  # written by the store with every file
    assert set(kept) == {"SECRET_KEY", "JWT_SECRET_KEY"}
    assert all(len(value.encode()) >= 32 for value in kept.values())
    assert first.config["SECRET_KEY"] == kept["SECRET_KEY"]
    assert first.config["JWT_SECRET_KEY"] == kept["JWT_SECRET_KEY"]

    add_user(first)
    response = login(first.test_client())
    assert response.status_code == 200
    token = response.get_json()["data"]["access_token"]

    second = make_app(tmp_path, SECRET_KEY=None, JWT_SECRET_KEY=None)
    me = second.test_client().get("/api/auth/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.get_json()["data"]["username"] == "boss"
    again = json.loads(path.read_text())
    again.pop("#version")
    assert again == kept  # not regenerated


def test_generated_secrets_differ_per_data_dir(tmp_path):
    """No hard-coded default: a token from one installation means nothing to another."""
    first = make_app(tmp_path, name="one", SECRET_KEY=None, JWT_SECRET_KEY=None)
    other = make_app(tmp_path, name="two", SECRET_KEY=None, JWT_SECRET_KEY=None)
    assert first.config["JWT_SECRET_KEY"] != other.config["JWT_SECRET_KEY"]
    assert first.config["SECRET_KEY"] != other.config["SECRET_KEY"]
    add_user(first)
    add_user(other)
    token = login(first.test_client()).get_json()["data"]["access_token"]
    response = other.test_client().get("/api/auth/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["success"] is False


def test_secrets_from_the_environment_are_used_and_not_written(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("JWT_SECRET_KEY", "j" * 40)
    app = make_app(tmp_path, SECRET_KEY=..., JWT_SECRET_KEY=...)
    assert (app.config["SECRET_KEY"], app.config["JWT_SECRET_KEY"]) == ("s" * 40, "j" * 40)
    assert not (tmp_path / "data" / ".secrets.json").exists()


@pytest.mark.parametrize("name", ["SECRET_KEY", "JWT_SECRET_KEY"])
def test_a_short_key_in_config_stops_the_app_naming_it(tmp_path, name):
    with pytest.raises(settings.ConfigError, match=name):
        make_app(tmp_path, **{name: "x" * 31})


@pytest.mark.parametrize("name", ["SECRET_KEY", "JWT_SECRET_KEY"])
def test_a_short_key_in_the_environment_stops_the_app_naming_it(tmp_path, monkeypatch, name):
    monkeypatch.setenv(name, "too-short")
    with pytest.raises(settings.ConfigError, match=name):
        make_app(tmp_path, **{name: ...})


def test_a_key_of_exactly_32_bytes_is_accepted(tmp_path, monkeypatch):
    monkeypatch.setenv("JWT_SECRET_KEY", "k" * 32)
    app = make_app(tmp_path, JWT_SECRET_KEY=...)
    assert app.config["JWT_SECRET_KEY"] == "k" * 32


# -- token lifetimes -------------------------------------------------------------------------
def test_access_token_lifetime_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("JWT_ACCESS_TOKEN_EXPIRES", "120")
    monkeypatch.setenv("JWT_REFRESH_TOKEN_EXPIRES", "7200")
    app = make_app(tmp_path)
    add_user(app)
    response = login(app.test_client())
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["expires_in"] == 120
    access = jwt.decode(data["access_token"], options={"verify_signature": False})
    refresh = jwt.decode(data["refresh_token"], options={"verify_signature": False})
    assert access["exp"] - access["iat"] == 120
    assert refresh["exp"] - refresh["iat"] == 7200


def test_token_lifetimes_default_to_an_hour_and_thirty_days(tmp_path):
    app = make_app(tmp_path)
    add_user(app)
    data = login(app.test_client()).get_json()["data"]
    assert data["expires_in"] == 3600
    refresh = jwt.decode(data["refresh_token"], options={"verify_signature": False})
    assert refresh["exp"] - refresh["iat"] == 30 * 24 * 3600


@pytest.mark.parametrize("value", ["soon", "0", "-5"])
def test_a_bad_token_lifetime_stops_the_app_naming_it(tmp_path, monkeypatch, value):
    monkeypatch.setenv("JWT_ACCESS_TOKEN_EXPIRES", value)
    with pytest.raises(settings.ConfigError, match="JWT_ACCESS_TOKEN_EXPIRES"):
        make_app(tmp_path)


# -- CORS ------------------------------------------------------------------------------------
def test_cors_origins_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PRODSIGHT_CORS_ORIGINS", "https://app.example.com, https://admin.example.com")
    client = make_app(tmp_path).test_client()
    for origin in ("https://app.example.com", "https://admin.example.com"):
        response = client.get("/api/health", headers={"Origin": origin})
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == origin
    refused = client.get("/api/health", headers={"Origin": "http://localhost:5173"})
    assert refused.status_code == 200
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_cors_defaults_to_the_local_dev_servers(tmp_path):
    client = make_app(tmp_path).test_client()
    for origin in ("http://localhost:3000", "http://localhost:5173"):
        assert client.get("/api/health", headers={"Origin": origin}).headers["Access-Control-Allow-Origin"] == origin
    assert "Access-Control-Allow-Origin" not in client.get("/api/health", headers={"Origin": "https://evil.example"}).headers


def test_cors_preflight_allows_authorization_and_exposes_etag_and_total(tmp_path):
    client = make_app(tmp_path).test_client()
    origin = {"Origin": "http://localhost:5173"}
    preflight = client.options("/api/users", headers={
        **origin, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "Authorization, If-Match"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "if-match" in allowed
    exposed = client.get("/api/health", headers=origin).headers["Access-Control-Expose-Headers"].lower()
    assert "etag" in exposed and "x-total-count" in exposed


# -- environment and .env --------------------------------------------------------------------
def test_data_dir_and_demo_password_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PRODSIGHT_DATA_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("PRODSIGHT_DEMO_PASSWORD", DEMO_PASSWORD)
    app = make_app(tmp_path, DATA_DIR=..., AUTO_SEED=...)
    client = app.test_client()
    assert client.get("/api/health").status_code == 200
    assert (tmp_path / "from-env" / "users.json").exists()
    assert not (tmp_path / "data").exists()
    assert login(client, "producer", DEMO_PASSWORD).status_code == 200


def test_dot_env_file_is_read(tmp_path):
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / ".env").write_text("JWT_ACCESS_TOKEN_EXPIRES=77\nPRODSIGHT_ENV=production\n")
    app = make_app(tmp_path)
    assert app.config["PRODSIGHT_ENV"] == "production"
    add_user(app)
    assert login(app.test_client()).get_json()["data"]["expires_in"] == 77


# -- seeding on first serve ------------------------------------------------------------------
def test_first_request_seeds_an_empty_data_dir(tmp_path):
    app = make_app(tmp_path, AUTO_SEED=True, DEMO_PASSWORD=DEMO_PASSWORD)
    client = app.test_client()
    assert not (tmp_path / "data" / "users.json").exists()
    response = client.get("/api/health")
    assert response.status_code == 200 and response.get_json()["data"]["status"] == "ok"
    assert (tmp_path / "data" / "users.json").exists()  # done before that first response
    assert usernames(client, "producer", DEMO_PASSWORD) == DEMO_USERNAMES
    for username in DEMO_USERNAMES:
        assert login(client, username, DEMO_PASSWORD).status_code == 200


def test_the_very_first_request_can_be_a_demo_login(tmp_path):
    client = make_app(tmp_path, AUTO_SEED=True, DEMO_PASSWORD=DEMO_PASSWORD).test_client()
    response = login(client, "producer", DEMO_PASSWORD)
    assert response.status_code == 200
    assert response.get_json()["data"]["user"]["role"] == "Producer"


def test_serving_a_data_dir_that_holds_users_does_not_seed(tmp_path):
    app = make_app(tmp_path, AUTO_SEED=True, DEMO_PASSWORD=DEMO_PASSWORD)
    add_user(app)
    client = app.test_client()
    assert login(client, "producer", DEMO_PASSWORD).status_code == 401
    assert usernames(client, "boss", "boss-password-1") == ["boss"]


def test_production_environment_never_seeds(tmp_path, monkeypatch):
    monkeypatch.setenv("PRODSIGHT_ENV", "production")
    app = make_app(tmp_path, AUTO_SEED=True, DEMO_PASSWORD=DEMO_PASSWORD)
    client = app.test_client()
    assert client.get("/api/health").status_code == 200
    assert login(client, "producer", DEMO_PASSWORD).status_code == 401
    assert not (tmp_path / "data" / "users.json").exists()
    result = app.test_cli_runner().invoke(args=["seed-demo"])  # the explicit command still works
    assert result.exit_code == 0, result.output
    assert login(client, "producer", DEMO_PASSWORD).status_code == 200


def test_default_demo_password_is_warned_about(tmp_path, caplog):
    client = make_app(tmp_path, AUTO_SEED=True, DEMO_PASSWORD="prodsight-demo").test_client()
    with caplog.at_level("WARNING", logger="prodsight"):
        assert client.get("/api/health").status_code == 200
    assert login(client, "producer", "prodsight-demo").status_code == 200
    assert any(record.levelname == "WARNING" and "prodsight-demo" in record.getMessage() for record in caplog.records)


SEED_WORKER = """
import os, sys, time
sys.path.insert(0, {root!r})
from app import create_app

def wait_for(path):
    print("waiting", flush=True)
    while not os.path.exists(path):
        time.sleep(0.0005)

data_dir, build, serve = sys.argv[1:4]
wait_for(build)  # all processes generate (or read) the secrets at once
app = create_app({{"DATA_DIR": data_dir, "UPLOAD_DIR": data_dir + "-uploads", "SECRET_KEY": None,
                  "JWT_SECRET_KEY": None, "AUTO_SEED": True, "PRODSIGHT_ENV": "development",
                  "DEMO_PASSWORD": {password!r}, "PASSWORD_HASH_METHOD": {method!r}}})
client = app.test_client()
wait_for(serve)  # and all serve their first request at once
response = client.get("/api/health")
print(response.status_code, app.config["JWT_SECRET_KEY"], flush=True)
"""


def test_several_processes_seed_exactly_once(tmp_path):
    data_dir, build, serve = tmp_path / "shared", tmp_path / "build", tmp_path / "serve"
    script = SEED_WORKER.format(root=ROOT, password=DEMO_PASSWORD, method=FAST_HASH)
    env = {key: value for key, value in os.environ.items() if key not in CONFIG_VARIABLES}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    workers = [
        subprocess.Popen([sys.executable, "-c", script, str(data_dir), str(build), str(serve)], cwd=str(tmp_path),
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    try:
        for barrier in (build, serve):
            for worker in workers:
                assert worker.stdout.readline().strip() == "waiting", worker.stderr.read()
            barrier.touch()
        outputs = [worker.communicate(timeout=60) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    results = [out.split() for out, _err in outputs]
    assert all(worker.returncode == 0 for worker in workers), [err for _out, err in outputs]
    assert [status for status, _key in results] == ["200"] * 4
    assert len({key for _status, key in results}) == 1  # one secret, generated once, shared

    app = make_app(tmp_path, name="shared", SECRET_KEY=None, JWT_SECRET_KEY=None)
    client = app.test_client()
    assert usernames(client, "producer", DEMO_PASSWORD) == DEMO_USERNAMES
    token = login(client, "producer", DEMO_PASSWORD).get_json()["data"]["access_token"]
    titles = [task["title"] for task in client.get("/api/tasks", headers=bearer(token)).get_json()["data"]]
    assert titles and len(titles) == len(set(titles))
    shots = [shot["shotName"] for shot in client.get("/api/vfx", headers=bearer(token)).get_json()["data"]]
    assert shots and len(shots) == len(set(shots))


def test_secrets_file_with_a_non_string_value_stops_startup_with_a_clear_message(tmp_path):
    from app import create_app
    from utils.settings import ConfigError

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / ".secrets.json").write_text('{"SECRET_KEY": 12345, "JWT_SECRET_KEY": null}')
    with pytest.raises(ConfigError, match=r"\.secrets\.json"):
        create_app({"DATA_DIR": str(data_dir), "SECRET_KEY": None, "JWT_SECRET_KEY": None, "AUTO_SEED": False})


def test_startup_removes_temp_files_left_by_an_interrupted_write(tmp_path):
    from app import create_app

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    leftover = data_dir / ".users.json.abc123.tmp"
    leftover.write_text('{"seq": 1, "items": {')
    create_app({"DATA_DIR": str(data_dir), "SECRET_KEY": "k" * 40, "JWT_SECRET_KEY": "k" * 40, "AUTO_SEED": False})
    assert not leftover.exists()
