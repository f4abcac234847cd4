"""Hardening from outside testing (issue 20, docs/security.md): every finding of the probe, as the
behaviour that now holds, each proven through HTTP."""
import datetime
import http.client
import io
import os
import resource
import stat
import threading

import pytest
from flask_jwt_extended import create_refresh_token, decode_token
from werkzeug.serving import make_server

from app import AnonymousRequestHandler, create_app
from bench.server import Gunicorn
from services import users as users_service
from tests.conftest import PASSWORD
from tests.test_auth import twin_app
from utils import clock
from utils.auth import REVOKED
from utils.store import get_store

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
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "data"), "UPLOAD_DIR": str(tmp_path / "uploads"),
                      "AUTO_SEED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "SECRET_KEY": None, "JWT_SECRET_KEY": None})  # generated into .secrets.json
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


# -- §2 hostile shapes: 400 (or 416) naming what to fix, never a 500 -------------------------------------
DIGITS_400 = "9" * 400
DIGITS_5000 = "9" * 5000
SURROGATE = '"a\\ud800b"'  # a JSON escape of a lone surrogate: valid JSON, not Unicode text


def post_raw(client, url, text, headers):
    return client.post(url, data=text, content_type="application/json", headers=headers)


def expect_400_naming(response, name):
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_json()
    assert body["success"] is False and name in body["errors"], body
    return body["errors"][name]


@pytest.mark.parametrize("url, template, field", [
    ("/api/script/scenes", '{"scene_number": %s, "title": "INT. DOCK - DAY"}', "scene_number"),
    ("/api/script/scenes", '{"number": %s, "title": "INT. DOCK - DAY"}', "number"),
    ("/api/tasks", '{"title": "Scout", "estimatedHours": %s}', "estimatedHours"),
    ("/api/budget/history", '{"amount": %s, "category": "Camera", "description": "x"}', "amount"),
])
@pytest.mark.parametrize("number", [DIGITS_400, "-" + DIGITS_400, DIGITS_5000, "1e400"],
                         ids=["400 digits", "-400 digits", "5000 digits", "1e400"])
def test_integers_too_large_to_store_are_a_400_naming_the_field(client, auth, url, template, field, number):
    message = expect_400_naming(post_raw(client, url, template % number, auth.headers("producer")), field)
    assert "number between" in message or "at most" in message or "at least" in message


def test_a_huge_file_size_of_a_vfx_version_is_a_400_naming_it(client, auth):
    headers = auth.headers("producer")
    shot = client.post("/api/vfx", json={"shotName": "SH010"}, headers=headers).get_json()["data"]
    response = client.put(f"/api/vfx/version/{shot['id']}", data='{"fileSize": %s}' % DIGITS_400,
                          content_type="application/json", headers=headers)
    expect_400_naming(response, "fileSize")


@pytest.mark.parametrize("url, template, field", [
    ("/api/tasks", '{"title": %s}', "title"),
    ("/api/tasks", '{"title": "Scout", "description": %s}', "description"),
    ("/api/users", '{"username": "newcrew", "name": %s, "email": "n@example.com", "role": "Crew", '
                   '"password": "long-enough-password"}', "name"),
    ("/api/script/scenes", '{"scene_number": 3, "title": "INT. DOCK - DAY", "characters": ["ANNA", %s]}',
     "characters"),
])
def test_a_lone_surrogate_in_a_string_is_a_400_naming_the_field(app, client, auth, url, template, field):
    response = post_raw(client, url, template % SURROGATE, auth.headers("producer"))
    assert "Unicode" in expect_400_naming(response, field)


def test_a_lone_surrogate_in_a_login_is_a_400_and_counts_nothing(client, users):
    for body in ('{"username": %s, "password": "x"}' % SURROGATE, '{"username": "crew", "password": %s}' % SURROGATE):
        response = client.post("/api/auth/login", data=body, content_type="application/json")
        assert response.status_code == 400, response.get_data(as_text=True)
    assert client.post("/api/auth/login", json={"username": "crew", "password": PASSWORD}).status_code == 200


def test_a_lone_surrogate_in_an_unknown_field_name_is_named_back(client, auth):
    response = post_raw(client, "/api/tasks", '{"title": "Scout", %s: 1}' % SURROGATE, auth.headers("producer"))
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"a\ud800b": "unknown field"}  # the JSON escape, read back


@pytest.mark.parametrize("url", ["/api/tasks", "/api/users", "/api/assets", "/api/script/scenes",
                                 "/api/script/versions", "/api/budget/history", "/api/vfx", "/api/activity"])
@pytest.mark.parametrize("parameter, value, message", [
    ("page", "9" * 4400, "must be at most 1000000000"),
    ("per_page", "9" * 4400, "must be at most 500"),
    ("page", "99999999999999999999", "must be at most 1000000000"),
    ("page", "0" * 5000, "must be a whole number of at least 1"),
], ids=["page 4400 digits", "per_page 4400 digits", "page 20 digits", "page 5000 zeros"])
def test_page_numbers_of_thousands_of_digits_are_a_400_naming_the_parameter(client, auth, url, parameter, value,
                                                                           message):
    response = client.get(f"{url}?{parameter}={value}", headers=auth.headers("producer"))
    assert expect_400_naming(response, parameter) == message


def test_a_page_with_leading_zeros_is_still_that_page(client, auth):
    response = client.get("/api/users?page=" + "0" * 3000 + "1&per_page=0002", headers=auth.headers("producer"))
    assert response.status_code == 200 and response.get_json()["meta"] == {"page": 1, "per_page": 2, "total": 6}


@pytest.fixture
def download(client, auth):
    response = client.post("/api/assets/upload", data={"file": (io.BytesIO(PNG), "f.png")}, headers=auth.headers("crew"))
    url = response.get_json()["data"]["url"]
    return lambda header: client.get(url, headers={**auth.headers("crew"), "Range": header}, buffered=True)


@pytest.mark.parametrize("header", [
    "bytes=0-1," + "9" * 5000 + "-",
    "bytes=" + "9" * 5000 + "-",
    "bytes=0-" + "9" * 5000,
    "bytes=-" + "9" * 5000,
    "bytes=-0",
    "bytes=-0,-0",
], ids=["second start 5000 digits", "start 5000 digits", "end 5000 digits", "suffix 5000 digits", "-0", "-0,-0"])
def test_a_range_of_thousands_of_digits_or_of_no_bytes_is_a_416(download, header):
    response = download(header)
    assert response.status_code == 416, response.status_code
    assert response.headers["Content-Range"] == f"bytes */{len(PNG)}"
    assert response.get_json()["success"] is False


def test_ordinary_ranges_still_work(download):
    assert (download("bytes=-1").status_code, download("bytes=-1").data) == (206, PNG[-1:])
    assert download("bytes=0-1,4-5").status_code == 206
    assert download("bytes=0-" + "9" * 18).data == PNG  # a last position past the end is the end


# -- §2 multipart parts: at most 20, refused before a part past them is opened -------------------------
def multipart(parts, boundary="b0undary"):
    """A multipart body of ``parts`` (name, filename or None, content)."""
    chunks = []
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        chunks.append(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(chunks) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def send_parts(client, headers, parts):
    body, content_type = multipart(parts)
    return client.post("/api/assets/upload", data=body, content_type=content_type, headers=headers)


def test_an_upload_of_21_parts_is_a_400_and_leaves_nothing(app, client, auth):
    parts = [("file", "f.png", PNG)] + [(f"extra{n}", f"x{n}.png", PNG) for n in range(20)]
    response = send_parts(client, auth.headers("crew"), parts)
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"body": "must have at most 20 parts (the file and its fields)"}
    assert os.listdir(app.config["UPLOAD_DIR"]) == []
    assert client.get("/api/assets", headers=auth.headers("crew")).get_json()["data"] == []


def test_an_upload_of_20_parts_is_read_whole(client, auth):
    parts = [("file", "f.png", PNG)] + [(f"extra{n}", None, b"x") for n in range(19)]
    response = send_parts(client, auth.headers("crew"), parts)
    assert response.status_code == 400  # refused for its unknown fields, which were all read
    assert set(response.get_json()["errors"]) == {f"extra{n}" for n in range(19)}
    assert send_parts(client, auth.headers("crew"), [("file", "f.png", PNG), ("category", None, b"Footage")]).status_code == 201


def test_999_parts_cannot_exhaust_file_descriptors_and_a_real_upload_keeps_its_event(app, client, auth):
    headers = auth.headers("crew")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    in_use = len(os.listdir("/proc/self/fd"))
    resource.setrlimit(resource.RLIMIT_NOFILE, (in_use + 100, hard))  # room for 20 parts, not 999
    try:
        hostile = send_parts(client, headers, [(f"f{n}", f"f{n}.png", PNG) for n in range(999)])
        genuine = send_parts(client, headers, [("file", "real.png", PNG)])
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert hostile.status_code == 400
    assert genuine.status_code == 201
    events = client.get("/api/activity?entity=asset", headers=auth.headers("producer")).get_json()["data"]
    assert [(event["action"], event["entityId"]) for event in events] == [("create", genuine.get_json()["data"]["id"])]


# -- §3 Auth: a password set ends every session of its user ----------------------------------------------
ENDED = "Session ended: the password was changed; log in again"


def message_of(response):
    return response.status_code, response.get_json()["message"]


def test_changing_ones_own_password_ends_every_earlier_session(client, auth, users):
    first, second = auth.login("crew"), auth.login("crew")  # two devices
    assert client.get("/api/auth/me", headers=bearer(first["access_token"])).status_code == 200  # remembered
    changed = client.put(f"/api/users/{users['crew']['id']}", headers=bearer(first["access_token"]),
                         json={"password": "a-brand-new-password", "current_password": PASSWORD})
    assert changed.status_code == 200
    assert set(changed.get_json()["data"]) == set(users["crew"])  # the user, nothing new: no token

    for tokens in (first, second):
        assert message_of(client.get("/api/auth/me", headers=bearer(tokens["access_token"]))) == (401, ENDED)
        assert message_of(client.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"]))) == (401, ENDED)
    fresh = auth.login("crew", "a-brand-new-password")
    assert client.get("/api/auth/me", headers=bearer(fresh["access_token"])).status_code == 200
    assert client.post("/api/auth/refresh", headers=bearer(fresh["refresh_token"])).status_code == 200


def test_a_reset_by_someone_else_ends_the_users_sessions_and_only_theirs(client, auth, users):
    crew, vfx = auth.login("crew"), auth.login("vfx")
    rotated = client.post("/api/auth/refresh", headers=bearer(crew["refresh_token"])).get_json()["data"]
    reset = client.put(f"/api/users/{users['crew']['id']}", json={"password": "reset-by-the-office"},
                       headers=auth.headers("pm"))
    assert reset.status_code == 200
    for token in (crew["access_token"], rotated["access_token"]):
        assert message_of(client.get("/api/tasks", headers=bearer(token))) == (401, ENDED)
    assert message_of(client.post("/api/auth/refresh", headers=bearer(rotated["refresh_token"]))) == (401, ENDED)
    assert client.get("/api/auth/me", headers=bearer(vfx["access_token"])).status_code == 200
    assert client.get("/api/auth/me", headers=auth.headers("pm")).status_code == 200  # the one who reset


def test_a_password_set_on_the_command_line_ends_sessions_too(app, client, auth, runner):
    tokens = auth.login("crew")
    result = runner.invoke(args=["set-password", "--username", "crew", "--password", "set-from-the-shell"])
    assert result.exit_code == 0, result.output
    assert message_of(client.get("/api/auth/me", headers=bearer(tokens["access_token"]))) == (401, ENDED)


def test_a_changed_name_keeps_the_session(client, auth, users):
    tokens = auth.login("crew")
    assert client.put(f"/api/users/{users['crew']['id']}", json={"name": "Renamed"},
                      headers=bearer(tokens["access_token"])).status_code == 200
    assert client.get("/api/auth/me", headers=bearer(tokens["access_token"])).get_json()["data"]["name"] == "Renamed"


# -- §3 Auth: the revocation list holds only tokens still alive -----------------------------------------
def revoked_document(app):
    with app.app_context():
        return get_store().read(REVOKED)


def revoked_bytes(app):
    return os.path.getsize(os.path.join(app.config["DATA_DIR"], "revoked_tokens.json"))


def test_refreshing_in_a_loop_does_not_grow_the_revocation_list(app, client, auth):
    tokens = auth.login("crew")
    spent = []
    for _ in range(30):
        spent.append(tokens["refresh_token"])
        tokens = client.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"])).get_json()["data"]
        if len(spent) == 1:
            size_after_one = revoked_bytes(app)
    assert revoked_bytes(app) <= size_after_one + 2  # the number in the one entry may gain a digit
    assert len(revoked_document(app)) == 1
    for old in (spent[0], spent[14], spent[-1]):  # every spent refresh token stays refused
        assert "revoked" in client.post("/api/auth/refresh", headers=bearer(old)).get_json()["message"]
    assert client.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"])).status_code == 200


def test_revocations_are_pruned_once_the_tokens_they_refuse_have_expired(app, client, auth, monkeypatch):
    crew = auth.login("crew")
    client.post("/api/auth/logout", headers=bearer(crew["access_token"]), json={"refresh_token": crew["refresh_token"]})
    assert client.post("/api/auth/refresh", headers=bearer(auth.login("vfx")["refresh_token"])).status_code == 200
    assert len(revoked_document(app)) == 3  # crew's access token, crew's session, vfx's session

    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + 2 * 3600)  # access tokens live an hour
    client.post("/api/auth/logout", headers=auth.headers("pm"))
    assert len(revoked_document(app)) == 3  # crew's access token out, pm's in; the sessions live on

    month = app.config["JWT_REFRESH_TOKEN_EXPIRES"].total_seconds()
    monkeypatch.setattr(clock, "now", lambda: start + month + 3 * 3600)  # refresh tokens live 30 days
    client.post("/api/auth/logout", headers=auth.headers("director"))
    assert list(revoked_document(app).values()) == [{"type": "access", "expires": pytest.approx(start + 3600, abs=5)}]


def test_a_session_closed_by_logout_refuses_its_newest_refresh_token(client, auth):
    tokens = auth.login("crew")
    newest = client.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"])).get_json()["data"]
    assert client.post("/api/auth/logout", headers=bearer(newest["access_token"]),
                       json={"refresh_token": newest["refresh_token"]}).status_code == 200
    assert "revoked" in client.post("/api/auth/refresh", headers=bearer(newest["refresh_token"])).get_json()["message"]


# -- §3 Auth: only failures count; token answers are not cached --------------------------------------------
def test_nine_concurrent_logins_with_the_right_password_all_succeed(app, users, monkeypatch):
    logins = 9
    real_verify = users_service.verify_password
    all_checking = threading.Barrier(logins, timeout=5)

    def verify_together(user, password):
        all_checking.wait()  # every login is inside its password check before any ends
        return real_verify(user, password)

    monkeypatch.setattr(users_service, "verify_password", verify_together)
    statuses = []

    def log_in():
        response = app.test_client().post("/api/auth/login", json={"username": "crew", "password": PASSWORD})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=log_in) for _ in range(logins)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * logins


def test_login_and_refresh_answers_are_not_stored_by_caches(client, users):
    login = client.post("/api/auth/login", json={"username": "crew", "password": PASSWORD})
    assert login.headers["Cache-Control"] == "no-store"
    refresh = client.post("/api/auth/refresh", headers=bearer(login.get_json()["data"]["refresh_token"]))
    assert refresh.status_code == 200 and refresh.headers["Cache-Control"] == "no-store"


# -- §2 headers: nosniff, and no server software named -----------------------------------------------------
@pytest.mark.parametrize("method, url, status", [
    ("get", "/api/health", 200), ("get", "/api/nowhere", 404), ("delete", "/api/health", 405),
    ("get", "/api/tasks", 401), ("post", "/api/auth/login", 400),
])
def test_every_json_answer_sends_nosniff(client, method, url, status):
    response = getattr(client, method)(url)
    assert response.status_code == status and response.content_type == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_development_server_names_no_server_software(app):
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=AnonymousRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/api/health")
        response = connection.getresponse()
        response.read()
        connection.close()
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert response.status == 200
    assert response.getheader("Server") is None
    assert "werkzeug" not in str(response.headers).lower() and "python" not in str(response.headers).lower()


@pytest.mark.serving
def test_gunicorn_names_no_server_software(tmp_path):
    environment = {"PRODSIGHT_DATA_DIR": str(tmp_path / "data"), "PRODSIGHT_UPLOAD_DIR": str(tmp_path / "uploads"),
                   "PRODSIGHT_ENV": "production"}
    server = Gunicorn(environment, workers=1, threads=2, log_path=str(tmp_path / "gunicorn.log"))
    try:
        status, body, headers = server.wait_ready().request("GET", "/api/nowhere")
    finally:
        server.kill()
    assert status == 404 and body["success"] is False
    names = {name.lower(): value for name, value in headers.items()}
    assert "server" not in names and names["x-content-type-options"] == "nosniff"


# -- §6 preflight to any /api URL ------------------------------------------------------------------------
ORIGIN = "http://localhost:5173"
PREFLIGHT = {"Origin": ORIGIN, "Access-Control-Request-Method": "GET",
             "Access-Control-Request-Headers": "Authorization"}


@pytest.mark.parametrize("url", ["/api/nowhere", "/api/tasks/1/nothing/here", "/api/tasks"])
def test_a_preflight_from_an_allowed_origin_to_any_api_url_is_a_200_with_cors_headers(client, url):
    response = client.options(url, headers=PREFLIGHT)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_the_request_after_the_preflight_gets_its_json_404_with_cors_headers(client):
    response = client.get("/api/nowhere", headers={"Origin": ORIGIN})
    assert response.status_code == 404 and response.get_json()["success"] is False
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_a_preflight_from_another_origin_gets_no_cors_headers(client):
    response = client.options("/api/nowhere", headers={**PREFLIGHT, "Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_revocation_list_written_by_an_older_version_still_refuses_its_tokens(app, client, users):
    with app.app_context():
        old = create_refresh_token(identity=users["crew"]["id"])  # no session: what an older version issued
        claims = decode_token(old)
        with get_store().edit(REVOKED) as revoked:  # how an older version revoked it
            revoked[claims["jti"]] = {"type": "refresh", "expires": claims["exp"]}
        fresh = create_refresh_token(identity=users["crew"]["id"], expires_delta=datetime.timedelta(hours=1))
    assert message_of(client.post("/api/auth/refresh", headers=bearer(old))) == (401, "Token has been revoked: log in again")
    assert client.post("/api/auth/refresh", headers=bearer(fresh)).status_code == 200
