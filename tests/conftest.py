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
BACKENDS = [name.strip() for name in os.environ.get("PRODSIGHT_TEST_BACKENDS", "files,postgres").split(",") if name.strip()]


# Tests of the JSON files themselves (their bytes, modes, torn lines, broken files, failing disks),
# which a database does not have: they run on the file backend only. Listed here rather than marked
# in each module, so the domains' test files stay as they are.
FILES_ONLY = (
    "tests/test_disk_faults.py::",
    "tests/test_activity.py::test_a_damaged_line_in_the_middle_is_skipped_and_named",
    "tests/test_activity.py::test_a_password_change_names_password_without_values",
    "tests/test_activity.py::test_a_torn_last_line_is_ignored_then_cut_at_startup_and_reported_by_check_data",
    "tests/test_activity.py::test_created_users_password_is_not_in_the_log",
    "tests/test_activity.py::test_kill_9_in_a_stream_of_writes_keeps_every_acknowledged_event",
    "tests/test_activity.py::test_the_log_is_json_lines_appended_never_rewritten",
    "tests/test_assets.py::test_check_data_is_sound_after_uploads_and_checks_stored_records",
    "tests/test_assets.py::test_check_data_reports_a_version_linking_a_missing_asset",
    "tests/test_assets.py::test_someone_elses_asset_is_deleted_only_by_producer_or_production_manager",
    "tests/test_budget.py::test_budget_json_is_claimed_as_the_budget_document",
    "tests/test_cli.py::test_check_data_names_a_file_that_does_not_parse",
    "tests/test_cli.py::test_check_data_names_a_record_missing_its_password_hash",
    "tests/test_cli.py::test_check_data_names_a_task_assigned_to_a_missing_user",
    "tests/test_cli.py::test_check_data_names_the_file_and_record_that_break_the_schema",
    "tests/test_cli.py::test_check_data_on_an_app_started_over_a_broken_file",
    "tests/test_errors.py::test_corrupt_users_file_is_a_500_naming_it_and_left_untouched",
    "tests/test_revisions.py::test_an_unchanged_text_is_stored_once_and_makes_no_revision",
    "tests/test_revisions.py::test_check_data_names_a_missing_revision_file_and_a_missing_text",
    "tests/test_revisions.py::test_saving_a_revision_leaves_older_revision_files_untouched",
    "tests/test_revisions.py::test_two_processes_editing_two_scenes_both_keep_every_change_each_in_its_own_revision",
    "tests/test_security.py::test_files_an_older_version_left_readable_are_tightened_at_startup",
    "tests/test_security.py::test_refreshing_in_a_loop_does_not_grow_the_revocation_list",
)


def pytest_configure(config):
    config.addinivalue_line("markers", "files_only: the test checks the JSON files themselves; not run on PostgreSQL")


def pytest_collection_modifyitems(items):
    for item in items:
        if item.nodeid.startswith(FILES_ONLY):
            item.add_marker(pytest.mark.files_only)


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
        return pg.shared_cluster()  # stopped when the test process exits
    except LookupError as exc:
        pg.unavailable(str(exc))


@pytest.fixture
def pg_url(pg_cluster):
    """The URL of a new, empty database on the test server, dropped after the test."""
    url, drop = pg_cluster.database()
    yield url
    drop()
