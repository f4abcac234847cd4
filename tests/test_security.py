"""Hardening from outside testing (issue 20, docs/security.md): every finding of the probe, as the
behaviour that now holds, each proven through HTTP."""
import io
import os
import stat

import pytest

from tests.conftest import PASSWORD
from tests.test_auth import twin_app

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def loose_umask():
    """The umask most systems run with (022): files follow it unless created 600 on purpose."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def modes_under(directory):
    """{path relative to ``directory``: permission bits} of every file and directory in it."""
    found = {".": stat.S_IMODE(os.stat(directory).st_mode)}
    for root, directories, files in os.walk(directory):
        for name in directories + files:
            path = os.path.join(root, name)
            found[os.path.relpath(path, directory)] = stat.S_IMODE(os.lstat(path).st_mode)
    return found


# -- §5: every file the store creates is its owner's only -------------------------------------------
def test_every_file_the_app_writes_is_mode_600_and_every_directory_700(loose_umask, tmp_path):
    from tests.conftest import SECRET
    from app import create_app
    from services import users as users_service

    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "data"), "UPLOAD_DIR": str(tmp_path / "uploads"),
                      "AUTO_SEED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})  # secrets generated
    with app.app_context():
        users_service.create_user({"username": "producer", "name": "P", "email": "p@example.com",
                                   "role": "Producer", "password": PASSWORD})
    client = app.test_client()
    assert client.post("/api/auth/login", json={"username": "producer", "password": "wrong-password"}).status_code == 401
    tokens = client.post("/api/auth/login", json={"username": "producer", "password": PASSWORD}).get_json()["data"]
    headers = bearer(tokens["access_token"])
    assert client.post("/api/tasks", json={"title": "Scout"}, headers=headers).status_code == 201
    assert client.put("/api/tasks/1", json={"status": "done"}, headers=headers).status_code == 200
    assert client.put("/api/users/1", json={"name": "Pat"}, headers=headers).status_code == 200
    assert client.post("/api/script/scenes", json={"scene_number": 1, "title": "INT. DOCK - DAY"},
                       headers=headers).status_code == 201
    upload = client.post("/api/assets/upload", data={"file": (io.BytesIO(PNG), "f.png")}, headers=headers)
    assert upload.status_code == 201
    refreshed = client.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"])).get_json()["data"]
    assert client.post("/api/auth/logout", headers=bearer(refreshed["access_token"])).status_code == 200

    data = modes_under(tmp_path / "data")
    for expected in ("users.json", ".secrets.json", "activity.jsonl", "revoked_tokens.json", "login_attempts.json",
                     ".locks/users.journal", ".locks/users.lock", ".locks/tasks.journal"):
        assert expected in data
    assert any(name.startswith("script_revision_") for name in data)
    for directory in (tmp_path / "data", tmp_path / "uploads"):
        for name, mode in modes_under(directory).items():
            wanted = 0o700 if os.path.isdir(os.path.join(directory, name)) else 0o600
            assert mode == wanted, f"{directory.name}/{name} is {oct(mode)}"


def test_files_an_older_version_left_readable_are_tightened_at_startup(app, users):
    data_dir = app.config["DATA_DIR"]
    os.chmod(os.path.join(data_dir, "users.json"), 0o644)
    journal = os.path.join(data_dir, ".locks", "users.journal")
    with open(journal, "ab"):
        os.chmod(journal, 0o664)
    os.chmod(os.path.join(data_dir, ".locks"), 0o755)
    os.chmod(data_dir, 0o755)

    twin_app(app)

    assert stat.S_IMODE(os.stat(os.path.join(data_dir, "users.json")).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(journal).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.join(data_dir, ".locks")).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(data_dir).st_mode) == 0o700
