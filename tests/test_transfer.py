"""Moving a production (SPEC §5, §7): export-data / import-data, and the round trip
JSON -> PostgreSQL -> JSON, which gives back the same bytes and the same activity log."""
import os

import pytest

from utils.storage import transfer
from utils.storage.postgres.backend import PostgresStorage

pytestmark = pytest.mark.files_only  # the app here is the JSON-file side of each move


def files_of(directory):
    found = {}
    for entry in sorted(os.listdir(directory)):
        if entry.endswith((".json", ".jsonl")):
            with open(os.path.join(directory, entry), "rb") as handle:
                found[entry] = handle.read()
    return found


def make_history(client, demo_login):
    """The demo production, then writes that leave events, a deleted record and a gap in the ids."""
    headers = demo_login("producer")
    created = [client.post("/api/tasks", json={"title": f"Move {number}"}, headers=headers).get_json()["data"]
               for number in range(3)]
    assert client.delete(f"/api/tasks/{created[-1]['id']}", headers=headers).status_code == 200
    assert client.put(f"/api/tasks/{created[0]['id']}", json={"status": "in_progress", "title": "Moved é ✓"},
                      headers=headers).status_code == 200
    return created


def test_export_then_import_into_files_gives_the_same_files_and_the_cli_says_so(app, client, runner, demo_login, tmp_path):
    make_history(client, demo_login)
    result = runner.invoke(args=["export-data", str(tmp_path / "moved")])
    assert result.exit_code == 0, result.output
    assert "events" in result.output
    assert files_of(tmp_path / "moved") == files_of(app.config["DATA_DIR"])
    assert all(os.stat(tmp_path / "moved" / entry).st_mode & 0o077 == 0 for entry in files_of(tmp_path / "moved"))


def test_round_trip_json_postgres_json_is_byte_identical_with_the_same_activity_log(
        app, client, demo_login, tmp_path, pg_url):
    created = make_history(client, demo_login)
    original = files_of(app.config["DATA_DIR"])
    assert "activity.jsonl" in original and "tasks.json" in original
    database = PostgresStorage(pg_url, pool_size=2)
    try:
        counts = transfer.import_data(database, app.config["DATA_DIR"])
        assert counts["events"] == original["activity.jsonl"].count(b"\n") > 0
        assert database.log("activity").last()["id"] == f"{counts['events']:012d}"
        transfer.export_data(database, tmp_path / "back")
        assert files_of(tmp_path / "back") == original
        # the deleted task's id stays taken in the database too
        database.register("tasks")
        with database.transaction("tasks") as transaction:
            assert int(transaction.records("tasks").insert({})["id"]) == int(created[-1]["id"]) + 1
    finally:
        database.close()


def test_import_refuses_a_target_that_holds_data_and_export_a_non_empty_directory(
        app, client, demo_login, tmp_path, pg_url, runner):
    make_history(client, demo_login)
    database = PostgresStorage(pg_url, pool_size=2)
    try:
        transfer.import_data(database, app.config["DATA_DIR"])
        try:
            transfer.import_data(database, app.config["DATA_DIR"])
            raise AssertionError("a second import was accepted")
        except transfer.TransferError as exc:
            assert "already holds data" in str(exc)
    finally:
        database.close()
    result = runner.invoke(args=["import-data", app.config["DATA_DIR"]])
    assert result.exit_code == 1 and "already holds data" in result.output
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    result = runner.invoke(args=["export-data", str(tmp_path / "full")])
    assert result.exit_code == 1 and "not an empty directory" in result.output
    assert os.listdir(tmp_path / "full") == ["notes.txt"]


def test_import_into_an_empty_file_app_gives_the_same_production(app, client, demo_login, tmp_path):
    from tests.conftest import SECRET
    from app import create_app

    make_history(client, demo_login)
    other = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "other"), "UPLOAD_DIR": str(tmp_path / "up2"),
                        "SECRET_KEY": SECRET, "JWT_SECRET_KEY": SECRET, "AUTO_SEED": False, "DATABASE_URL": None})
    result = other.test_cli_runner().invoke(args=["import-data", app.config["DATA_DIR"]])
    assert result.exit_code == 0, result.output
    assert files_of(tmp_path / "other") == files_of(app.config["DATA_DIR"])
