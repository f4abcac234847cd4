"""The app on PostgreSQL when the database misbehaves (issue 19, item 7): a clear stop at startup,
a 503 with the envelope while it is gone, nothing half written, and recovery once it is back."""
import psycopg
import pytest

from app import create_app
from tests.conftest import SECRET, Auth
from utils.settings import ConfigError
from utils.storage.postgres import migrate


def config(tmp_path, url, **extra):
    return {"TESTING": True, "DATABASE_URL": url, "DATA_DIR": str(tmp_path / "data"), "UPLOAD_DIR": str(tmp_path / "up"),
            "SECRET_KEY": SECRET, "JWT_SECRET_KEY": SECRET, "AUTO_SEED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **extra}


def set_connections(url, allowed):
    """Let clients connect to the test database again, or refuse them and drop those connected."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))


def test_a_database_gone_mid_service_is_a_503_envelope_then_the_app_recovers(tmp_path, pg_url):
    from services import users as users_service
    from tests.conftest import PASSWORD

    app = create_app(config(tmp_path, pg_url, DATABASE_OPTIONS={"pool_timeout": 2, "connect_timeout": 2}))
    try:
        with app.app_context():
            users_service.create_user({"username": "producer", "name": "P", "email": "p@example.com",
                                       "role": "Producer", "password": PASSWORD}, schema=users_service.DEMO_SCHEMA)
        client = app.test_client()
        headers = Auth(client).headers("producer")
        assert client.post("/api/tasks", json={"title": "Before"}, headers=headers).status_code == 201
        set_connections(pg_url, False)
        try:
            for method, path, body in (("POST", "/api/tasks", {"title": "While down"}), ("GET", "/api/tasks", None)):
                response = client.open(path, method=method, json=body, headers=headers)
                assert response.status_code == 503
                answer = response.get_json()
                assert answer["success"] is False and answer["message"].startswith("The database is unavailable")
                assert "Traceback" not in response.get_data(as_text=True)
        finally:
            set_connections(pg_url, True)
        response = client.get("/api/tasks", headers=headers)
        assert response.status_code == 200
        assert [task["title"] for task in response.get_json()["data"]] == ["Before"]  # nothing half written
        assert client.post("/api/tasks", json={"title": "After"}, headers=headers).status_code == 201
    finally:
        app.extensions["prodsight.store"].close()


def test_a_schema_newer_than_the_code_stops_startup_naming_the_variable(tmp_path, pg_url):
    migrate.migrate(pg_url)
    with psycopg.connect(pg_url) as connection:
        connection.execute("INSERT INTO schema_version (version, name) VALUES (%s, 'future')", (migrate.latest() + 1,))
    with pytest.raises(ConfigError) as raised:
        create_app(config(tmp_path, pg_url))
    assert "PRODSIGHT_DATABASE_URL" in str(raised.value) and "newer than this code" in str(raised.value)


def test_a_database_down_at_startup_stops_it_with_a_clear_message(tmp_path, pg_url):
    set_connections(pg_url, False)
    try:
        with pytest.raises(ConfigError) as raised:
            create_app(config(tmp_path, pg_url))
    finally:
        set_connections(pg_url, True)
    assert "PRODSIGHT_DATABASE_URL" in str(raised.value) and "cannot reach the database" in str(raised.value)


def test_python_app_py_prints_the_reason_and_exits_without_a_traceback(tmp_path):
    import subprocess
    import sys

    root = __file__.rsplit("/tests/", 1)[0]
    done = subprocess.run([sys.executable, "app.py"], capture_output=True, text=True, timeout=60, cwd=root,
                          env={"PATH": "/usr/bin:/bin", "PRODSIGHT_DATABASE_URL": "mysql://db/prodsight",
                               "PRODSIGHT_DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": SECRET,
                               "JWT_SECRET_KEY": SECRET})
    assert done.returncode == 1
    assert "Prodsight cannot start: PRODSIGHT_DATABASE_URL must be a postgresql:// URL" in done.stderr
    assert "Traceback" not in done.stderr
