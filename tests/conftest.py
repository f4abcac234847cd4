"""Fixtures: an app on its own temp data directory, a client, a CLI runner, and role logins.

The app is built with AUTO_SEED off so each test starts from a known state; the ``users`` fixture
creates one user per role (same usernames and password as the demo) through the service.
"""
import os

import pytest

from app import create_app
from services import users as users_service

PASSWORD = "correct-horse-battery"
ROLE_USERS = {
    "producer": "Producer",
    "director": "Director",
    "pm": "Production Manager",
    "crew": "Crew",
    "vfx": "VFX",
    "distribution": "Distribution Manager",
}
SECRET = "test-secret-key-that-is-long-enough-0123456789"
# The backends the HTTP tests run on (every test using ``app``), comma-separated: both by default,
# so the README's one test command covers PostgreSQL too; ``PRODSIGHT_TEST_BACKENDS=files`` for a
# quick local run. The postgres runs skip without a PostgreSQL (tests/pg.py), except in CI.
BACKENDS = [name.strip() for name in os.environ.get("PRODSIGHT_TEST_BACKENDS", "files").split(",") if name.strip()]


def pytest_configure(config):
    config.addinivalue_line("markers", "files_only: the test checks the JSON files themselves; not run on PostgreSQL")


@pytest.fixture(params=BACKENDS)
def backend(request):
    """The backend of this run of the test: "files" or "postgres"."""
    if request.param == "postgres" and request.node.get_closest_marker("files_only"):
        pytest.skip("checks the JSON files themselves")
    return request.param


@pytest.fixture
def database_url(request, backend):
    """None (the JSON files) or the URL of a database at the current schema holding no data."""
    if backend != "postgres":
        yield None
        return
    url, release = request.getfixturevalue("pg_cluster").migrated_database()
    yield url
    release()


@pytest.fixture
def app(tmp_path, database_url):
    app = create_app({
        "DATABASE_URL": database_url,
        "TESTING": True,
        "DATA_DIR": str(tmp_path / "data"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SECRET_KEY": SECRET,
        "JWT_SECRET_KEY": SECRET,
        "AUTO_SEED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast for tests; production uses scrypt
    })
    yield app
    close = getattr(app.extensions["prodsight.store"], "close", None)
    if close:  # PostgreSQL: its pool, before the test database is dropped
        close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def users(app):
    """One user per role; returns {username: stored public user}."""
    created = {}
    with app.app_context():
        for username, role in ROLE_USERS.items():
            created[username] = users_service.create_user(
                {"username": username, "name": username.title(), "email": f"{username}@example.com",
                 "role": role, "password": PASSWORD},
                schema=users_service.DEMO_SCHEMA,
            )
    return created


class Auth:
    """Log in as a role and get ready-made headers: ``auth.headers("crew")``."""

    def __init__(self, client):
        self.client = client
        self._tokens = {}

    def login(self, username, password=PASSWORD):
        response = self.client.post("/api/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["data"]

    def tokens(self, username):
        if username not in self._tokens:
            self._tokens[username] = self.login(username)
        return self._tokens[username]

    def headers(self, username):
        return {"Authorization": f"Bearer {self.tokens(username)['access_token']}"}


@pytest.fixture
def auth(client, users):
    return Auth(client)


@pytest.fixture
def demo_login(app, runner):
    """Seed the demo production; ``demo_login("crew")`` gives that demo user's auth headers."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    client = app.test_client()

    def headers(username):
        login = client.post("/api/auth/login", json={"username": username, "password": app.config["DEMO_PASSWORD"]})
        assert login.status_code == 200, login.get_json()
        return {"Authorization": "Bearer " + login.get_json()["data"]["access_token"]}

    return headers


# -- PostgreSQL (tests/pg.py): one throwaway server for the session, a fresh database per test ----
@pytest.fixture(scope="session")
def pg_cluster():
    from tests import pg

    try:
        cluster = pg.start_cluster()
    except LookupError as exc:
        pg.unavailable(str(exc))
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster):
    """The URL of a new, empty database on the test server, dropped after the test."""
    url, drop = pg_cluster.database()
    yield url
    drop()
