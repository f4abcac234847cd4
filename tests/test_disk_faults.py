"""A full or failing disk (issue 20, docs/serving.md "Disk faults"): ENOSPC and EIO injected at each
step of a write. For each: the answer is a 507 (full) or 503 (failing) in the envelope naming what
was being written, no file is damaged, nothing acknowledged is lost, and no acknowledged write
lacks its activity event (a change whose event cannot be logged is not acknowledged).

The faults are injected by replacing ``os`` functions for the descriptors and paths of one step
only (a file's path is read from ``/proc/self/fd``), so every other write of the request goes on.
"""
import errno
import io
import json
import os

import pytest

import utils.storage.journal as journal_module
from utils.eventlog import EventLog
from utils.store import Store

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
FAULTS = [(errno.ENOSPC, 507, "no space left on device"), (errno.EIO, 503, "input/output error")]


def path_of_fd(fd):
    return os.readlink(f"/proc/self/fd/{fd}")


def disk_error(code):
    return OSError(code, os.strerror(code))


class Disk:
    """Break one step of the next writes: ``disk.fail("fsync", code, when=lambda path: ...)``."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.hits = 0

    def fail(self, step, code, when):
        real = {"write": os.write, "fsync": os.fsync, "replace": os.replace, "fdopen": os.fdopen}[step]
        disk = self

        def broken(*args, **kwargs):
            target = args[0] if step == "replace" else path_of_fd(args[0])
            if not when(target):
                return real(*args, **kwargs)
            disk.hits += 1
            if step == "write" and len(args[1]) > 1:  # a full disk takes part of a write first
                real(args[0], bytes(args[1][:len(args[1]) // 2]))
            if step == "fdopen":  # the file object itself: its writes fail half way
                return HalfWritten(real(*args, **kwargs), code)
            raise disk_error(code)

        self.monkeypatch.setattr(os, step, broken)


class HalfWritten:
    """A binary file whose first write lands half and then fails, as on a disk that fills up."""

    def __init__(self, handle, code):
        self.handle, self.code = handle, code

    def write(self, data):
        self.handle.write(bytes(data[:len(data) // 2]))
        self.handle.flush()
        raise disk_error(self.code)

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()


@pytest.fixture
def disk(monkeypatch):
    return Disk(monkeypatch)


@pytest.fixture
def data_dir(app):
    return app.config["DATA_DIR"]


def read_bytes(path):
    with open(path, "rb") as handle:
        return handle.read()


def events(data_dir):
    """Every line of the activity log, parsed (a torn or damaged line fails the test)."""
    path = os.path.join(data_dir, "activity.jsonl")
    if not os.path.exists(path):
        return []
    raw = read_bytes(path)
    assert raw == b"" or raw.endswith(b"\n"), "the activity log ends in a torn line"
    return [json.loads(line) for line in raw.splitlines()]


def leftovers(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith((".tmp", ".part")))


def assert_disk_error(response, status, reason, step):
    body = response.get_json()
    assert response.status_code == status, body
    assert body["success"] is False
    assert f"while writing {step} ({reason})" in body["message"], body["message"]


def create_task(client, auth, title):
    return client.post("/api/tasks", json={"title": title}, headers=auth.headers("producer"))


def titles(client, auth):
    response = client.get("/api/tasks", headers=auth.headers("producer"))
    return [task["title"] for task in response.get_json()["data"]]


# -- the document write: temp file, its fsync, the rename, the directory's fsync ---------------------
STEPS = {
    "temp file write": ("fdopen", lambda path: path.endswith(".tmp")),
    "temp file fsync": ("fsync", lambda path: path.endswith(".tmp")),
    "rename": ("replace", lambda path: path.endswith(".tmp")),
}


@pytest.mark.parametrize("code, status, reason", FAULTS)
@pytest.mark.parametrize("step", STEPS)
def test_a_failed_document_write_is_refused_and_leaves_the_file_and_the_log_as_they_were(
        app, client, auth, disk, data_dir, step, code, status, reason):
    assert create_task(client, auth, "Acknowledged before").status_code == 201
    tasks_path = os.path.join(data_dir, "tasks.json")
    before, logged = read_bytes(tasks_path), events(data_dir)

    disk.fail(*STEPS[step][:1], code, when=STEPS[step][1])
    response = create_task(client, auth, "Written on a broken disk")
    disk.monkeypatch.undo()

    assert disk.hits == 1
    assert_disk_error(response, status, reason, "tasks.json")
    assert "the change was not saved" in response.get_json()["message"]
    assert read_bytes(tasks_path) == before  # not a byte changed
    assert leftovers(data_dir) == []
    assert events(data_dir) == logged  # no event for a write that did not happen
    assert titles(client, auth) == ["Acknowledged before"]
    assert create_task(client, auth, "After the disk is fixed").status_code == 201  # the lock was let go
    assert titles(client, auth) == ["Acknowledged before", "After the disk is fixed"]


@pytest.mark.parametrize("code, status, reason", FAULTS)
def test_a_failed_directory_fsync_is_not_acknowledged_and_leaves_every_file_whole(
        app, client, auth, disk, data_dir, code, status, reason):
    assert create_task(client, auth, "Acknowledged before").status_code == 201
    logged = events(data_dir)

    disk.fail("fsync", code, when=lambda path: os.path.realpath(path) == os.path.realpath(data_dir))
    response = create_task(client, auth, "Renamed, not yet durable")
    disk.monkeypatch.undo()

    assert disk.hits == 1
    assert_disk_error(response, status, reason, "tasks.json")
    assert "may have been saved but is not confirmed" in response.get_json()["message"]
    assert leftovers(data_dir) == []
    json.loads(read_bytes(os.path.join(data_dir, "tasks.json")))  # whole: the old or the new file
    assert "Acknowledged before" in titles(client, auth)
    assert events(data_dir) == logged  # not acknowledged: no event either


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO])
def test_a_failed_journal_append_still_acknowledges_the_write_and_other_workers_read_it(
        app, client, auth, monkeypatch, data_dir, code):
    assert create_task(client, auth, "Acknowledged before").status_code == 201
    other_worker = Store(data_dir)  # has cached the file: it would follow the journal
    other_worker.register("tasks")
    other_worker.read("tasks")
    real_open = open

    def broken_open(path, *args, **kwargs):
        if str(path).endswith(".journal"):
            raise disk_error(code)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(journal_module, "open", broken_open, raising=False)
    response = create_task(client, auth, "Without a journal line")
    monkeypatch.undo()

    # the journal is only a shortcut: the file is on disk, so the write is acknowledged, with its event
    assert response.status_code == 201, response.get_json()
    assert [task["title"] for task in other_worker.read("tasks")["items"].values()] == [
        "Acknowledged before", "Without a journal line"]
    assert [event["entityId"] for event in events(data_dir)][-1] == response.get_json()["data"]["id"]


# -- the activity log: the change is on disk, its event is not, so it is not acknowledged ------------
@pytest.mark.parametrize("code, status, reason", FAULTS)
@pytest.mark.parametrize("step", ["write", "fsync"])
def test_a_change_whose_event_cannot_be_logged_is_not_acknowledged_and_the_log_stays_whole(
        app, client, auth, disk, data_dir, step, code, status, reason):
    assert create_task(client, auth, "Acknowledged before").status_code == 201
    logged = events(data_dir)

    disk.fail(step, code, when=lambda path: path.endswith("activity.jsonl"))
    response = create_task(client, auth, "Saved, not logged")
    disk.monkeypatch.undo()

    assert disk.hits == 1
    assert_disk_error(response, status, reason, "the activity log")
    assert "the change was saved but could not be logged, so it is not confirmed" in response.get_json()["message"]
    assert events(data_dir) == logged  # the half line (or the unsynced one) was taken back
    # every acknowledged write has its event; the refused one is there but was never acknowledged
    assert titles(client, auth) == ["Acknowledged before", "Saved, not logged"]
    later = create_task(client, auth, "After the disk is fixed")
    assert later.status_code == 201
    assert [event["entityId"] for event in events(data_dir)] == [
        logged[0]["entityId"], later.get_json()["data"]["id"]]
    assert [event["id"] for event in events(data_dir)] == ["000000000001", "000000000002"]


def test_a_short_write_to_the_log_is_completed_not_torn(tmp_path, monkeypatch):
    """A nearly full disk may take part of a line without an error: the rest follows."""
    log = EventLog(str(tmp_path / "activity.jsonl"), lambda: open(os.devnull))  # no lock needed here
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:7])))
    log.append(lambda event_id, last_at: {"id": event_id, "summary": "x" * 50})
    monkeypatch.undo()
    assert [event["summary"] for event in log.newest_first()] == ["x" * 50]


# -- the upload stream ---------------------------------------------------------------------------------
def upload(client, auth):
    return client.post("/api/assets/upload", data={"file": (io.BytesIO(PNG), "frame.png")},
                       headers=auth.headers("crew"))


def asset_names(client, auth):
    return [asset["name"] for asset in client.get("/api/assets", headers=auth.headers("crew")).get_json()["data"]]


UPLOAD_STEPS = {
    "stream": ("fdopen", lambda path: path.endswith(".part")),
    "fsync": ("fsync", lambda path: path.endswith(".part")),
    "rename": ("replace", lambda path: path.endswith(".part")),
}


@pytest.mark.parametrize("code, status, reason", FAULTS)
@pytest.mark.parametrize("step", UPLOAD_STEPS)
def test_a_failed_upload_is_refused_and_leaves_no_file_and_no_record(
        app, client, auth, disk, data_dir, step, code, status, reason):
    assert upload(client, auth).status_code == 201
    upload_dir = app.config["UPLOAD_DIR"]
    files, logged = sorted(os.listdir(upload_dir)), events(data_dir)

    disk.fail(*UPLOAD_STEPS[step][:1], code, when=UPLOAD_STEPS[step][1])
    response = upload(client, auth)
    disk.monkeypatch.undo()

    assert disk.hits == 1
    assert_disk_error(response, status, reason, "the uploaded file")
    assert sorted(os.listdir(upload_dir)) == files  # no part, no orphan
    assert asset_names(client, auth) == ["frame.png"]
    assert events(data_dir) == logged
    assert upload(client, auth).status_code == 201
