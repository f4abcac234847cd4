"""Assets (SPEC §3 Assets, §4 assets row): uploads, list and search, delete, VFX version files."""
import hashlib
import io
import json
import os

import pytest

from services import assets as assets_service
from utils import uploads

ROLES = ("producer", "director", "pm", "crew", "vfx", "distribution")
DELETE_ANY = {"producer", "pm"}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40  # a signature and 10,240 bytes of body
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture
def upload(client, auth):
    """POST /api/assets/upload as ``who``; returns the response."""

    def send(content=PNG, name="frame.png", who="crew", **fields):
        data = {"file": (io.BytesIO(content), name), **fields}
        return client.post("/api/assets/upload", data=data, headers=auth.headers(who))

    return send


@pytest.fixture
def uploaded(upload):
    def make(**kwargs):
        response = upload(**kwargs)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["data"]

    return make


def stored_files(app):
    return sorted(os.listdir(app.config["UPLOAD_DIR"]))


def asset_records(app):
    path = os.path.join(app.config["DATA_DIR"], "assets.json")
    if not os.path.exists(path):
        return {}
    with open(path) as handle:
        return json.load(handle)["items"]


# -- upload ------------------------------------------------------------------------------------------
def test_upload_round_trips_byte_for_byte_with_its_sha256(app, client, auth, users, upload):
    response = upload(description="Dusk on the quay", tags="harbour, dusk ,, night", sceneId="")
    assert response.status_code == 201
    body = response.get_json()
    assert body["message"] == "Asset uploaded"
    asset = body["data"]
    assert asset["id"] == "1" and asset["name"] == "frame.png"
    assert asset["size"] == 8 + 256 * 40 == 10248
    assert asset["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert (asset["type"], asset["category"]) == ("image/png", "image")
    assert (asset["description"], asset["tags"]) == ("Dusk on the quay", ["harbour", "dusk", "night"])
    assert (asset["sceneId"], asset["shotId"]) == (None, None)
    assert asset["uploadedBy"] == users["crew"]["id"] and asset["uploadDate"].endswith("Z")
    assert asset["filename"] != "frame.png" and asset["filename"].endswith(".png")
    assert asset["url"] == f"/api/assets/download/{asset['filename']}"
    assert response.headers["ETag"]
    assert stored_files(app) == [asset["filename"]]
    downloaded = client.get(asset["url"], headers=auth.headers("distribution"), buffered=True)
    assert downloaded.status_code == 200 and downloaded.data == PNG


def test_stored_names_are_generated_and_unique_for_the_same_original_name(uploaded):
    first, second = uploaded(), uploaded()
    assert first["name"] == second["name"] == "frame.png"
    assert first["filename"] != second["filename"]


@pytest.mark.parametrize("name", ["../../etc/passwd.png", "/etc/cron.d/x.png", "C:\\Users\\me\\x.png"])
def test_a_path_in_the_uploaded_name_is_only_metadata(app, uploaded, name):
    asset = uploaded(name=name)
    assert asset["name"] == name.replace("\\", "/").rsplit("/", 1)[-1]
    assert stored_files(app) == [asset["filename"]]  # inside the uploads directory, under its own name
    assert not os.path.exists("/etc/passwd.png")


@pytest.mark.parametrize("name", [
    "run.exe", "script.sh", "page.html", "drawing.svg", "code.js", "app.py", "lib.dll", "noextension", "archive.tar",
])
def test_each_disallowed_extension_is_a_400_and_stores_nothing(app, upload, name):
    response = upload(content=b"MZ\x90\x00 not allowed", name=name)
    assert response.status_code == 400
    assert "is not allowed" in response.get_json()["errors"]["file"]
    assert stored_files(app) == [] and asset_records(app) == {}


@pytest.mark.parametrize("name, content", [
    ("storyboard.png", b"GIF89a pretending to be a PNG"),
    ("photo.JPG", b"\x89PNG\r\n\x1a\nnot a jpeg"),
    ("callsheet.pdf", b"<html><script>alert(1)</script>"),
    ("breakdown.xlsx", b"plain text, not a zip"),
    ("plate.exr", b"\x00\x00\x00\x00"),
    ("scan.dpx", b"JUNKJUNK"),
    ("bundle.zip", b"Rar!\x1a\x07\x00"),
    ("clip.mp4", b"\x00\x00\x00\x18moovabcd"),
    ("take.wav", b"RIFF\x00\x00\x00\x00AVI "),
])
def test_content_that_contradicts_the_extension_is_a_400(app, upload, name, content):
    response = upload(content=content, name=name)
    assert response.status_code == 400
    assert response.get_json()["errors"]["file"].startswith("content is not a ")
    assert stored_files(app) == [] and asset_records(app) == {}


@pytest.mark.parametrize("name, content, mime, category", [
    ("board.jpeg", b"\xff\xd8\xff\xe0JFIF", "image/jpeg", "image"),
    ("call_sheet.pdf", PDF, "application/pdf", "document"),
    ("schedule.docx", b"PK\x03\x04rest-of-zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "document"),
    ("draft.fountain", b"EXT. HARBOUR - DUSK\n", "text/plain", "script"),
    ("draft.fdx", b"<?xml version='1.0'?><FinalDraft/>", "application/xml", "script"),
    ("plate.1001.exr", b"\x76\x2f\x31\x01....", "image/x-exr", "vfx"),
    ("scan.dpx", b"SDPX....", "image/x-dpx", "vfx"),
    ("take.wav", b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav", "audio"),
    ("clip.mov", b"\x00\x00\x00\x14ftypqt  ", "video/quicktime", "video"),
    ("clip.mp4", b"\x00\x00\x00\x18ftypmp42", "video/mp4", "video"),
    ("refs.zip", b"PK\x05\x06" + b"\x00" * 18, "application/zip", "archive"),
])
def test_type_comes_from_the_extension_and_category_is_inferred(upload, name, content, mime, category):
    response = upload(content=content, name=name, category="")
    assert response.status_code == 201, response.get_json()
    asset = response.get_json()["data"]
    assert (asset["type"], asset["category"]) == (mime, category)


def test_a_given_category_wins_over_the_inferred_one(uploaded):
    assert uploaded(category="storyboard")["category"] == "storyboard"


@pytest.mark.parametrize("category", ["Footage", "Concept", "other", "Plates: Day 3 (reshoot)", "é" * 50])
def test_a_category_is_free_text_kept_as_sent(uploaded, category):
    assert uploaded(category=category)["category"] == category


@pytest.mark.parametrize("fields, field, message", [
    ({"category": "x" * 51}, "category", "must be at most 50 characters"),
    ({"description": "x" * 5001}, "description", "must be at most 5000 characters"),
    ({"tags": ",".join(["t"] * 101)}, "tags", "must be a list of at most 100 strings"),
    ({"owner": "me"}, "owner", "unknown field"),
    ({"sceneId": "7"}, "sceneId", "no scene with id 7 in the script"),
    ({"shotId": "9"}, "shotId", "no VFX shot with id 9"),
])
def test_invalid_form_fields_are_a_400_naming_them_and_store_nothing(app, upload, fields, field, message):
    response = upload(**fields)
    assert response.status_code == 400
    assert response.get_json()["errors"][field] == message
    assert stored_files(app) == [] and asset_records(app) == {}


def test_every_problem_of_one_upload_is_named_at_once(upload):
    response = upload(name="virus.exe", category="n" * 51, colour="red")
    assert set(response.get_json()["errors"]) == {"file", "category", "colour"}


def test_existing_scene_and_shot_links_are_kept(app, client, auth, uploaded):
    shot = client.post("/api/vfx", json={"shotName": "SH010"}, headers=auth.headers("producer")).get_json()["data"]
    scene = client.post("/api/script/scenes", json={"scene_number": 1, "title": "EXT. HARBOUR - DUSK"},
                        headers=auth.headers("director")).get_json()["data"]
    asset = uploaded(sceneId=scene["id"], shotId=shot["id"])
    assert (asset["sceneId"], asset["shotId"]) == (scene["id"], shot["id"])


@pytest.mark.parametrize("data, field, message", [
    ({}, "file", "is required: send the file as the multipart part named file"),
    ({"file": "just text"}, "file", "must be a file part (with a filename), not a text field"),
    ({"file": (b"", "empty.txt")}, "file", "is empty"),
    ({"file": (b"x", "")}, "file", "has no file name: send the original name in the part's filename"),
    ({"file": [(b"a", "a.txt"), (b"b", "b.txt")]}, "file", "send one file per upload"),
    ({"file": (b"a", "a.txt"), "extra": (b"b", "b.txt")}, "extra",
     "unknown field: only one file, in the part named file"),
    ({"file": (b"a", "a.txt"), "tags": ["a", "b"]}, "tags", "sent more than once; send it once"),
])
def test_a_missing_or_ambiguous_file_part_is_a_400(app, client, auth, data, field, message):
    def part(value):  # (bytes, name) -> a new stream: the parameters are shared by the runs on each backend
        if isinstance(value, list):
            return [part(item) for item in value]
        return (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value

    data = {key: part(value) for key, value in data.items()}
    response = client.post("/api/assets/upload", data=data, headers=auth.headers("crew"), content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.get_json()["errors"][field] == message
    assert stored_files(app) == [] and asset_records(app) == {}


def test_a_name_over_255_characters_is_a_400(app, upload):
    response = upload(name="x" * 252 + ".png")
    assert response.status_code == 400 and response.get_json()["errors"]["file"] == "name must be at most 255 characters"
    assert upload(name="x" * 251 + ".png").status_code == 201


def test_control_characters_are_removed_from_the_name(uploaded):
    assert uploaded(name="frame\x00\x07\u202e.png")["name"] == "frame.png"


def test_a_multipart_body_without_a_boundary_is_a_400(app, client, auth):
    response = client.post("/api/assets/upload", data=b"--x\r\n", content_type="multipart/form-data",
                           headers=auth.headers("crew"))
    assert response.status_code == 400 and response.get_json()["errors"] == {"body": "must be multipart/form-data"}
    assert stored_files(app) == []


def test_a_json_body_on_upload_is_a_415(client, auth):
    response = client.post("/api/assets/upload", json={"file": "x.png"}, headers=auth.headers("crew"))
    assert response.status_code == 415 and response.get_json()["errors"] == {"file": "is required"}


def test_a_truncated_multipart_body_is_a_400_and_stores_nothing(app, client, auth):
    body = b'--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhalf a fi'
    response = client.post("/api/assets/upload", data=body, content_type="multipart/form-data; boundary=XYZ",
                           headers=auth.headers("crew"))
    assert response.status_code == 400 and response.get_json()["success"] is False
    assert stored_files(app) == [] and asset_records(app) == {}


# -- the size limit ------------------------------------------------------------------------------------
@pytest.fixture
def one_mib_limit(app):
    app.config["MAX_UPLOAD_MB"] = 1
    return 1024 * 1024


def multipart(content, name="big.txt", boundary="b0undary"):
    return (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: text/plain\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()


def post_multipart(client, auth, body, **kwargs):
    # A body of our own in memory: the test client spools a large ``data=`` dict to a temp file it never closes.
    return client.post("/api/assets/upload", input_stream=io.BytesIO(body), headers={
        **auth.headers("crew"), "Content-Type": "multipart/form-data; boundary=b0undary"}, **kwargs)


def test_a_file_of_exactly_the_limit_is_accepted(app, client, auth, one_mib_limit):
    body = multipart(b"x" * one_mib_limit)
    response = post_multipart(client, auth, body, content_length=len(body))
    assert response.status_code == 201 and response.get_json()["data"]["size"] == 1048576


def test_over_the_limit_is_a_413_and_nothing_is_stored(app, client, auth, one_mib_limit):
    body = multipart(b"x" * (one_mib_limit + 1))
    response = post_multipart(client, auth, body, content_length=len(body))
    assert response.status_code == 413
    assert response.get_json() == {"success": False, "message": "Request body too large"}
    assert stored_files(app) == [] and asset_records(app) == {}


def test_a_declared_length_over_the_limit_is_a_413_before_reading(app, client, auth, one_mib_limit):
    body = multipart(b"x" * 10)
    response = client.post("/api/assets/upload", input_stream=io.BytesIO(body),
                           headers={**auth.headers("crew"), "Content-Type": "multipart/form-data; boundary=b0undary"},
                           environ_overrides={"CONTENT_LENGTH": str(3 * one_mib_limit)})
    assert response.status_code == 413 and response.get_json()["success"] is False
    assert stored_files(app) == [] and asset_records(app) == {}


def test_a_chunked_upload_over_the_limit_is_a_413_and_nothing_is_stored(app, client, auth, one_mib_limit):
    body = multipart(b"x" * (one_mib_limit + 1))
    response = client.post(
        "/api/assets/upload",
        input_stream=io.BytesIO(body),
        headers={**auth.headers("crew"), "Content-Type": "multipart/form-data; boundary=b0undary",
                 "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # what gunicorn and werkzeug set for chunked
    )
    assert response.status_code == 413 and response.get_json()["message"] == "Request body too large"
    assert stored_files(app) == [] and asset_records(app) == {}


def test_a_chunked_upload_under_the_limit_is_stored(app, client, auth, one_mib_limit):
    body = multipart(b"y" * 1000)
    response = client.post(
        "/api/assets/upload", input_stream=io.BytesIO(body),
        headers={**auth.headers("crew"), "Content-Type": "multipart/form-data; boundary=b0undary",
                 "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 201 and response.get_json()["data"]["size"] == 1000


def test_the_file_is_written_in_chunks_never_held_whole(app, client, auth, monkeypatch):
    writes = []
    real_write = uploads.Upload.write

    def spy(self, data):
        writes.append(len(data))
        return real_write(self, data)

    monkeypatch.setattr(uploads.Upload, "write", spy)
    body = multipart(b"z" * (3 * 1024 * 1024))
    response = post_multipart(client, auth, body, content_length=len(body))
    assert response.status_code == 201
    assert sum(writes) == 3 * 1024 * 1024 and len(writes) > 10 and max(writes) <= 64 * 1024


def test_a_temp_file_left_by_a_crashed_upload_is_removed_at_startup(app):
    from app import create_app

    stale = os.path.join(app.config["UPLOAD_DIR"], ".upload-abc123.part")
    with open(stale, "wb") as handle:
        handle.write(b"half an upload")
    create_app({key: app.config[key] for key in (
        "TESTING", "DATA_DIR", "UPLOAD_DIR", "SECRET_KEY", "JWT_SECRET_KEY", "AUTO_SEED", "PASSWORD_HASH_METHOD")})
    assert not os.path.exists(stale)


def test_a_part_still_being_written_by_another_worker_is_left_alone_at_startup(app):
    import fcntl

    from app import create_app

    live = os.path.join(app.config["UPLOAD_DIR"], ".upload-live.part")
    with open(live, "wb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # what an upload in flight holds
        create_app({key: app.config[key] for key in (
            "TESTING", "DATA_DIR", "UPLOAD_DIR", "SECRET_KEY", "JWT_SECRET_KEY", "AUTO_SEED", "PASSWORD_HASH_METHOD")})
        assert os.path.exists(live)


# -- list, get, search ---------------------------------------------------------------------------------
@pytest.fixture
def library(uploaded):
    return [
        uploaded(name="harbour_board.png", description="Storyboard of the harbour", tags="dusk, quay",
                 category="storyboard"),
        uploaded(content=PDF, name="Call Sheet Day 1.pdf", description="Shoot day one", tags="schedule"),
        uploaded(content=b"EXT. ROOF - NIGHT\n", name="rooftop.fountain", tags="Chase, night"),
    ]


def names(client, auth, url):
    response = client.get(url, headers=auth.headers("crew"))
    assert response.status_code == 200, response.get_json()
    return [asset["name"] for asset in response.get_json()["data"]]


def test_list_returns_every_asset_with_a_count(client, auth, library):
    response = client.get("/api/assets", headers=auth.headers("crew"))
    assert response.get_json()["message"] == "3 assets" and response.headers["X-Total-Count"] == "3"
    assert [asset["id"] for asset in response.get_json()["data"]] == ["1", "2", "3"]
    assert response.get_json()["data"][0]["url"].startswith("/api/assets/download/")


def test_get_one_asset_with_its_etag(client, auth, library):
    response = client.get("/api/assets/2", headers=auth.headers("crew"))
    assert response.status_code == 200 and response.get_json()["message"] == "Asset 2"
    assert response.get_json()["data"]["name"] == "Call Sheet Day 1.pdf" and response.headers["ETag"]
    assert client.get("/api/assets/99", headers=auth.headers("crew")).status_code == 404


def test_filters_by_type_case_insensitively_and_by_category(client, auth, library):
    assert names(client, auth, "/api/assets?type=APPLICATION/PDF") == ["Call Sheet Day 1.pdf"]
    assert names(client, auth, "/api/assets?type=application") == []  # exact, not a prefix
    assert names(client, auth, "/api/assets?category=script") == ["rooftop.fountain"]
    assert names(client, auth, "/api/assets?category=storyboard&type=image/png") == ["harbour_board.png"]
    assert names(client, auth, "/api/assets?category=Storyboard") == ["harbour_board.png"]  # ignoring case
    assert names(client, auth, "/api/assets?category=Footage") == []


def test_q_searches_name_description_and_tags(client, auth, library):
    assert names(client, auth, "/api/assets?q=HARBOUR") == ["harbour_board.png"]
    assert names(client, auth, "/api/assets?q=day one") == ["Call Sheet Day 1.pdf"]
    assert names(client, auth, "/api/assets?q=chase") == ["rooftop.fountain"]
    assert names(client, auth, "/api/assets?q=night") == ["rooftop.fountain"]
    assert names(client, auth, "/api/assets?q=', '") == []  # tags are searched as tags, not as a list's repr


def test_search_endpoint_with_list_conventions(client, auth, library):
    response = client.get("/api/assets/search?q=a&sort=-name&page=1&per_page=2", headers=auth.headers("vfx"))
    assert response.status_code == 200
    assert [a["name"] for a in response.get_json()["data"]] == ["rooftop.fountain", "harbour_board.png"]
    assert response.get_json()["meta"] == {"page": 1, "per_page": 2, "total": 3}
    assert names(client, auth, "/api/assets/search?q=quay") == ["harbour_board.png"]
    cleared = client.get("/api/assets/search?q=", headers=auth.headers("crew"))  # a cleared search box
    assert cleared.status_code == 200 and len(cleared.get_json()["data"]) == 3


def test_sort_by_size(client, auth, library):
    assert names(client, auth, "/api/assets?sort=size") == ["rooftop.fountain", "Call Sheet Day 1.pdf",
                                                            "harbour_board.png"]


# -- delete --------------------------------------------------------------------------------------------
def test_delete_removes_metadata_and_file(app, client, auth, uploaded):
    asset = uploaded(who="crew")
    response = client.delete(f"/api/assets/{asset['id']}", headers=auth.headers("crew"))
    assert response.status_code == 200 and response.get_json()["message"] == "Asset deleted"
    assert response.get_json()["data"]["id"] == asset["id"]
    assert stored_files(app) == [] and asset_records(app) == {}
    assert client.get(f"/api/assets/{asset['id']}", headers=auth.headers("crew")).status_code == 404
    assert client.get(asset["url"], headers=auth.headers("crew")).status_code == 404
    assert client.delete(f"/api/assets/{asset['id']}", headers=auth.headers("crew")).status_code == 404


def test_delete_honours_if_match(app, client, auth, uploaded):
    asset = uploaded()
    stale = client.delete(f"/api/assets/{asset['id']}", headers={**auth.headers("producer"), "If-Match": '"old"'})
    assert stale.status_code == 412 and stored_files(app) == [asset["filename"]]
    etag = client.get(f"/api/assets/{asset['id']}", headers=auth.headers("producer")).headers["ETag"]
    fresh = client.delete(f"/api/assets/{asset['id']}", headers={**auth.headers("producer"), "If-Match": etag})
    assert fresh.status_code == 200


def test_a_crash_during_delete_leaves_an_orphan_file_never_a_record_without_its_file(
        app, client, auth, runner, uploaded, monkeypatch):
    asset = uploaded()

    def crash(_name):
        raise RuntimeError("power cut between the two steps")

    monkeypatch.setattr(uploads, "remove", crash)
    assert client.delete(f"/api/assets/{asset['id']}", headers=auth.headers("producer")).status_code == 500
    assert asset_records(app) == {}  # the metadata went first
    assert stored_files(app) == [asset["filename"]]  # the file is left over
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 1
    assert f"uploads/{asset['filename']}: orphan file, no asset record names it" in result.output


def test_a_crash_during_upload_leaves_an_orphan_file_never_a_record_without_its_file(
        app, upload, monkeypatch):
    def crash(*_args, **_kwargs):
        raise RuntimeError("disk full while writing assets.json")

    monkeypatch.setattr(assets_service.records, "create", crash)
    assert upload().status_code == 500
    assert asset_records(app) == {}
    assert stored_files(app) == []  # the placed file is taken back when the record cannot be written


def test_check_data_reports_missing_and_orphan_files(app, runner, uploaded):
    kept, lost = uploaded(), uploaded()
    os.unlink(os.path.join(app.config["UPLOAD_DIR"], lost["filename"]))
    orphan = "0" * 32 + ".png"
    with open(os.path.join(app.config["UPLOAD_DIR"], orphan), "wb") as handle:
        handle.write(PNG)
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 1
    assert f"assets.json record {lost['id']}: file {lost['filename']} is missing from the uploads directory" in result.output
    assert f"uploads/{orphan}: orphan file, no asset record names it" in result.output
    assert kept["filename"] not in result.output


def test_check_data_is_sound_after_uploads_and_checks_stored_records(app, runner, uploaded):
    uploaded()
    assert runner.invoke(args=["check-data"]).exit_code == 0
    path = os.path.join(app.config["DATA_DIR"], "assets.json")
    with open(path) as handle:
        document = json.load(handle)
    document["items"]["1"]["sha256"] = "not-a-hash"
    with open(path, "w") as handle:
        json.dump(document, handle)
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 1 and "assets.json record 1: sha256 must be 64 hex digits" in result.output


# -- the assets row of SPEC §4 ---------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_lists_searches_and_downloads(client, auth, uploaded, role):
    asset = uploaded(who="producer")
    headers = auth.headers(role)
    assert client.get("/api/assets", headers=headers).status_code == 200
    assert client.get(f"/api/assets/{asset['id']}", headers=headers).status_code == 200
    assert client.get("/api/assets/search?q=frame", headers=headers).status_code == 200
    assert client.get(asset["url"], headers=headers, buffered=True).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_every_role_uploads(upload, role):
    assert upload(who=role).status_code == 201


@pytest.mark.parametrize("role", ROLES)
def test_the_uploader_deletes_their_own_asset(client, auth, uploaded, role):
    asset = uploaded(who=role)
    assert client.delete(f"/api/assets/{asset['id']}", headers=auth.headers(role)).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_someone_elses_asset_is_deleted_only_by_producer_or_production_manager(app, client, auth, uploaded, role):
    uploader = "crew" if role != "crew" else "vfx"
    asset = uploaded(who=uploader)
    response = client.delete(f"/api/assets/{asset['id']}", headers=auth.headers(role))
    if role in DELETE_ANY:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert response.get_json()["message"] == (
            "Only the uploader, a Producer or a Production Manager may delete this asset")
        assert stored_files(app) == [asset["filename"]] and "1" in asset_records(app)


@pytest.mark.parametrize("method, url", [
    ("get", "/api/assets"), ("get", "/api/assets/1"), ("get", "/api/assets/search?q=x"),
    ("post", "/api/assets/upload"), ("get", "/api/assets/download/" + "a" * 32 + ".png"), ("delete", "/api/assets/1"),
])
def test_every_assets_endpoint_needs_a_token(client, uploaded, method, url):
    uploaded()
    response = getattr(client, method)(url)
    assert response.status_code == 401 and response.get_json()["success"] is False


# -- VFX versions with files -----------------------------------------------------------------------------
@pytest.fixture
def shot(client, auth):
    response = client.post("/api/vfx", json={"shotName": "SH020_storm_sky"}, headers=auth.headers("producer"))
    return response.get_json()["data"]


EXR = b"\x76\x2f\x31\x01" + b"\x07" * 5000


def put_version(client, auth, shot_id, who="vfx", content=EXR, name="SH020_v001.exr", **fields):
    data = {"file": (io.BytesIO(content), name), **fields}
    return client.put(f"/api/vfx/version/{shot_id}", data=data, headers=auth.headers(who))


def test_a_multipart_version_stores_the_file_as_an_asset_linked_to_shot_and_version(app, client, auth, users, shot):
    response = put_version(client, auth, shot["id"], status="approved", notes="final comp", date="2026-11-30")
    assert response.status_code == 201 and response.get_json()["message"] == "Version added"
    data = response.get_json()["data"]
    assert data["id"] == shot["id"] and data["shotName"] == "SH020_storm_sky"
    version = data["versions"][0]
    assert version["version"] == "v001"
    assert (version["status"], version["notes"], version["date"]) == ("approved", "final comp", "2026-11-30")
    assert version["fileSize"] == 5004 and version["createdBy"] == users["vfx"]["id"]
    asset = client.get(f"/api/assets/{version['assetId']}", headers=auth.headers("crew")).get_json()["data"]
    assert (asset["shotId"], asset["category"], asset["size"], asset["type"]) == (shot["id"], "vfx", 5004, "image/x-exr")
    assert asset["name"] == "SH020_v001.exr" and asset["uploadedBy"] == users["vfx"]["id"]
    assert asset["sha256"] == hashlib.sha256(EXR).hexdigest()
    assert client.get(asset["url"], headers=auth.headers("director"), buffered=True).data == EXR


def test_a_multipart_version_is_one_activity_event_the_versions(app, client, auth, shot):
    before = client.get("/api/activity", headers=auth.headers("producer")).headers["X-Total-Count"]
    assert put_version(client, auth, shot["id"]).status_code == 201
    answer = client.get("/api/activity", headers=auth.headers("producer"))
    assert int(answer.headers["X-Total-Count"]) == int(before) + 1  # not also the asset it stored
    event = answer.get_json()["data"][0]
    assert (event["action"], event["entity"], event["entityId"]) == ("create", "vfx_version", shot["id"])


def test_multipart_file_size_and_asset_id_come_from_the_file(client, auth, shot):
    response = put_version(client, auth, shot["id"], fileSize="9 GB", assetId="77", version="v999")
    version = response.get_json()["data"]["versions"][0]
    assert (version["fileSize"], version["version"]) == (5004, "v001") and version["assetId"] != "77"


def test_second_multipart_version_is_v002_with_its_own_asset(client, auth, shot):
    first = put_version(client, auth, shot["id"]).get_json()["data"]["versions"][0]
    versions = put_version(client, auth, shot["id"], name="v002.exr").get_json()["data"]["versions"]
    assert [v["version"] for v in versions] == ["v001", "v002"]
    assert versions[1]["assetId"] != first["assetId"]


@pytest.mark.parametrize("fields, name, content, field", [
    ({"status": "done"}, "v.exr", EXR, "status"),
    ({"date": "2026-02-30"}, "v.exr", EXR, "date"),
    ({"reviewer": "me"}, "v.exr", EXR, "reviewer"),
    ({}, "v.exe", b"MZ", "file"),
    ({}, "v.exr", b"not an exr", "file"),
])
def test_an_invalid_multipart_version_is_a_400_and_stores_nothing(app, client, auth, shot, fields, name, content, field):
    response = put_version(client, auth, shot["id"], content=content, name=name, **fields)
    assert response.status_code == 400 and field in response.get_json()["errors"]
    assert stored_files(app) == [] and asset_records(app) == {}
    assert client.get(f"/api/vfx/{shot['id']}", headers=auth.headers("vfx")).get_json()["data"]["versions"] == []


def test_a_multipart_version_over_the_limit_is_a_413_and_stores_nothing(app, client, auth, shot):
    app.config["MAX_UPLOAD_MB"] = 1
    body = multipart(EXR[:4] + b"\x00" * (1024 * 1024), name="v.exr")
    response = client.put(f"/api/vfx/version/{shot['id']}", input_stream=io.BytesIO(body), content_length=len(body),
                          headers={**auth.headers("vfx"), "Content-Type": "multipart/form-data; boundary=b0undary"})
    assert response.status_code == 413
    assert stored_files(app) == [] and asset_records(app) == {}
    assert client.get(f"/api/vfx/{shot['id']}", headers=auth.headers("vfx")).get_json()["data"]["versions"] == []


def test_a_multipart_version_without_a_file_is_a_400(client, auth, shot):
    response = client.put(f"/api/vfx/version/{shot['id']}", data={"notes": "no file"}, headers=auth.headers("vfx"),
                          content_type="multipart/form-data")
    assert response.status_code == 400 and "file" in response.get_json()["errors"]


def test_a_multipart_version_of_an_unknown_shot_is_a_404_and_stores_nothing(app, client, auth):
    response = put_version(client, auth, "99")
    assert response.status_code == 404 and stored_files(app) == [] and asset_records(app) == {}


def test_the_stored_asset_is_taken_back_when_the_version_cannot_be_added(app, client, auth, shot, monkeypatch):
    from services import vfx

    def shot_gone(*_args, **_kwargs):
        raise vfx.ValidationError({"shot": "deleted meanwhile"})

    monkeypatch.setattr(vfx, "add_version", shot_gone)
    assert put_version(client, auth, shot["id"]).status_code == 400
    assert stored_files(app) == [] and asset_records(app) == {}


@pytest.mark.parametrize("role", ROLES)
def test_only_vfx_writers_add_a_version_with_a_file(app, client, auth, shot, role):
    expected = 201 if role in ("producer", "vfx") else 403
    assert put_version(client, auth, shot["id"], who=role).status_code == expected
    if expected == 403:
        assert stored_files(app) == []


def test_a_json_version_links_an_existing_asset(client, auth, shot, uploaded):
    asset = uploaded(who="vfx")
    response = client.put(f"/api/vfx/version/{shot['id']}", json={"assetId": asset["id"], "fileSize": "1 KB"},
                          headers=auth.headers("vfx"))
    assert response.status_code == 201
    assert response.get_json()["data"]["versions"][0]["assetId"] == asset["id"]


def test_deleting_a_linked_asset_keeps_the_version_with_a_null_asset_id(app, client, auth, runner, shot):
    put_version(client, auth, shot["id"], notes="keep me")
    version = client.get(f"/api/vfx/{shot['id']}", headers=auth.headers("vfx")).get_json()["data"]["versions"][0]
    assert client.delete(f"/api/assets/{version['assetId']}", headers=auth.headers("vfx")).status_code == 200
    after = client.get(f"/api/vfx/{shot['id']}", headers=auth.headers("vfx"))
    assert after.status_code == 200
    kept = after.get_json()["data"]["versions"][0]
    assert (kept["version"], kept["notes"], kept["fileSize"], kept["assetId"]) == ("v001", "keep me", 5004, None)
    assert runner.invoke(args=["check-data"]).exit_code == 0


def test_check_data_reports_a_version_linking_a_missing_asset(app, client, auth, runner, shot, uploaded):
    asset = uploaded()
    client.put(f"/api/vfx/version/{shot['id']}", json={"assetId": asset["id"]}, headers=auth.headers("vfx"))
    path = os.path.join(app.config["DATA_DIR"], "assets.json")
    with open(path, "w") as handle:
        json.dump({"seq": 1, "items": {}}, handle)  # as if a crash came between the two writes of a delete
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 1
    assert f"vfx.json record {shot['id']}: version v001 assetId {asset['id']} names no asset" in result.output


# -- demo ------------------------------------------------------------------------------------------------
def test_demo_assets_are_generated_and_downloadable(app, client, runner, demo_login):
    headers = demo_login("crew")
    listed = client.get("/api/assets", headers=headers).get_json()["data"]
    assert {(a["category"], a["type"]) for a in listed} == {
        ("storyboard", "image/png"), ("call_sheet", "application/pdf"), ("script", "text/plain"),
        ("image", "image/png"), ("document", "application/pdf")}  # the files of the demo's deliverables
    by_category = {asset["category"]: client.get(asset["url"], headers=headers, buffered=True) for asset in listed}
    assert by_category["storyboard"].data.startswith(b"\x89PNG\r\n\x1a\n")
    assert by_category["call_sheet"].data.startswith(b"%PDF-") and by_category["call_sheet"].data.endswith(b"%%EOF\n")
    assert b"EXT. HARBOUR - DUSK" in by_category["script"].data
    assert runner.invoke(args=["check-data"]).exit_code == 0
