"""Downloads (SPEC §3 Assets): attachment under the original name, nosniff, ranges, conditional
requests, and a 404 for every name that would resolve outside the uploads directory."""
import hashlib
import io
import os
import re

import pytest
from werkzeug.http import parse_options_header

CONTENT = bytes(range(256)) * 8  # 2,048 bytes; byte i is i % 256
PNG = b"\x89PNG\r\n\x1a\n" + CONTENT  # 2,056 bytes


@pytest.fixture
def stored(client, auth):
    def make(content=PNG, name="frame.png", who="crew"):
        response = client.post("/api/assets/upload", data={"file": (io.BytesIO(content), name)},
                               headers=auth.headers(who))
        assert response.status_code == 201, response.get_json()
        return response.get_json()["data"]

    return make


@pytest.fixture
def fetch(client, auth):
    def get(url, method="get", **headers):
        return getattr(client, method)(url, headers={**auth.headers("crew"), **headers}, buffered=True)

    return get


def expect_404(response):
    assert response.status_code == 404
    assert response.content_type == "application/json"
    body = response.get_json()
    assert body["success"] is False and body["message"]
    return body


# -- the attachment --------------------------------------------------------------------------------
def test_download_is_an_attachment_under_the_original_name_with_nosniff(stored, fetch):
    asset = stored(name="storyboard.png")
    response = fetch(asset["url"])
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Content-Disposition"] == "attachment; filename=storyboard.png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Length"] == "2056"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"] == '"' + hashlib.sha256(PNG).hexdigest() + '"'


def test_a_non_ascii_name_is_sent_with_rfc_5987_filename_star(stored, fetch):
    asset = stored(name="Plan de travail — scène 1 ü.pdf", content=b"%PDF-1.4 ...")
    disposition = fetch(asset["url"]).headers["Content-Disposition"]
    value, options = parse_options_header(disposition)
    assert value == "attachment"
    assert options["filename"] == "Plan de travail — scène 1 ü.pdf"  # werkzeug decodes filename*
    assert "filename*=UTF-8''Plan%20de%20travail%20%E2%80%94%20sc%C3%A8ne%201%20%C3%BC.pdf" in disposition
    assert re.search(r'filename="[\x20-\x7e]+"', disposition)  # an ASCII fallback for old clients


def test_semicolons_and_commas_in_a_name_cannot_break_the_header(stored, fetch):
    asset = stored(name="Mara's cut; final, v2.txt", content=b"notes")
    value, options = parse_options_header(fetch(asset["url"]).headers["Content-Disposition"])
    assert (value, options["filename"]) == ("attachment", "Mara's cut; final, v2.txt")


def test_a_download_by_head_sends_headers_only(stored, fetch):
    asset = stored()
    response = fetch(asset["url"], method="head")
    assert response.status_code == 200 and response.data == b""
    assert response.headers["Content-Length"] == "2056"


# -- conditional requests ---------------------------------------------------------------------------
def test_if_none_match_with_the_etag_is_a_304_without_body(stored, fetch):
    asset = stored()
    etag = fetch(asset["url"]).headers["ETag"]
    for tag in (etag, "W/" + etag, f'"other", {etag}', "*"):
        response = fetch(asset["url"], **{"If-None-Match": tag})
        assert response.status_code == 304 and response.data == b"", tag
        assert response.headers["ETag"] == etag
    assert fetch(asset["url"], **{"If-None-Match": '"other"'}).status_code == 200


def test_if_none_match_wins_over_a_range(stored, fetch):
    asset = stored()
    etag = fetch(asset["url"]).headers["ETag"]
    assert fetch(asset["url"], Range="bytes=0-3", **{"If-None-Match": etag}).status_code == 304


# -- ranges ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("header, start, stop", [
    ("bytes=0-7", 0, 8),  # the PNG signature
    ("bytes=8-263", 8, 264),
    ("bytes=2000-", 2000, 2056),
    ("bytes=-6", 2050, 2056),
    ("bytes=2050-99999", 2050, 2056),  # an end past the file is clipped
])
def test_a_range_is_a_206_with_exactly_that_slice(stored, fetch, header, start, stop):
    asset = stored()
    response = fetch(asset["url"], Range=header)
    assert response.status_code == 206
    assert response.data == PNG[start:stop]
    assert response.headers["Content-Range"] == f"bytes {start}-{stop - 1}/2056"
    assert response.headers["Content-Length"] == str(stop - start)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("header", ["bytes=2056-", "bytes=5000-6000", "bytes=3000-,4000-4001"])
def test_an_unsatisfiable_range_is_a_416_naming_the_length(stored, fetch, header):
    asset = stored()
    response = fetch(asset["url"], Range=header)
    assert response.status_code == 416
    assert response.headers["Content-Range"] == "bytes */2056"
    assert response.get_json()["success"] is False


def parts_of(response):
    """(Content-Range, body) of each part of a multipart/byteranges body."""
    mimetype, options = parse_options_header(response.headers["Content-Type"])
    assert mimetype == "multipart/byteranges"
    delimiter = b"--" + options["boundary"].encode()
    body = response.data
    assert body.startswith(delimiter) and body.endswith(delimiter + b"--\r\n")
    parts = []
    for chunk in body[: -len(delimiter + b"--\r\n")].split(delimiter)[1:]:
        head, data = chunk[2:].split(b"\r\n\r\n", 1)  # after the delimiter's CRLF
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        parts.append((headers["Content-Range"], headers["Content-Type"], data.removesuffix(b"\r\n")))
    return parts


def test_several_ranges_are_a_206_multipart_byteranges(stored, fetch):
    asset = stored()
    response = fetch(asset["url"], Range="bytes=0-7, 1000-1003, -2")
    assert response.status_code == 206
    assert parts_of(response) == [
        ("bytes 0-7/2056", "image/png", PNG[0:8]),
        ("bytes 1000-1003/2056", "image/png", PNG[1000:1004]),
        ("bytes 2054-2055/2056", "image/png", PNG[2054:2056]),
    ]
    assert response.headers["Content-Length"] == str(len(response.data))
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_overlapping_ranges_are_merged_and_unsatisfiable_ones_dropped(stored, fetch):
    asset = stored()
    response = fetch(asset["url"], Range="bytes=0-9, 5-14, 100-101, 9000-9001")
    assert [(r, data) for r, _, data in parts_of(response)] == [
        ("bytes 0-14/2056", PNG[0:15]), ("bytes 100-101/2056", PNG[100:102])]


def test_ranges_out_of_order_are_served_in_order(stored, fetch):
    asset = stored()
    response = fetch(asset["url"], Range="bytes=20-21,0-1")
    assert [r for r, _, _ in parts_of(response)] == ["bytes 0-1/2056", "bytes 20-21/2056"]


@pytest.mark.parametrize("header", ["bytes=0-1,x-2", "bytes=5-1,7-8", "bytes=0-1,", "bytes=0-1,-"])
def test_a_malformed_multi_range_is_a_416(stored, fetch, header):
    asset = stored()
    response = fetch(asset["url"], Range=header)
    assert response.status_code == 416 and response.get_json()["success"] is False


def test_if_range_with_a_stale_etag_sends_the_whole_file(stored, fetch):
    asset = stored()
    etag = fetch(asset["url"]).headers["ETag"]
    assert fetch(asset["url"], Range="bytes=0-3", **{"If-Range": etag}).status_code == 206
    for header in ("bytes=0-3", "bytes=0-3,10-11"):
        whole = fetch(asset["url"], Range=header, **{"If-Range": '"stale"'})
        assert whole.status_code == 200 and whole.data == PNG


# -- nothing outside the uploads directory ------------------------------------------------------------
@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_bytes(b"top secret")
    return path


@pytest.mark.parametrize("name", [
    "../data/users.json",
    "../../../../etc/passwd",
    "%2e%2e%2fdata%2fusers.json",
    "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "..%2f..%2fetc%2fpasswd",
    "%252e%252e%252fetc%252fpasswd",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "..\\..\\etc\\passwd",
    "..%5c..%5cetc%5cpasswd",
    "C:\\Windows\\win.ini",
    "frame.png%00.png",
    "%00",
    ".",
    "..",
    "secret.txt",
    "../secret.txt",
])
def test_a_name_outside_the_uploads_directory_is_a_404(app, stored, fetch, secret, name):
    stored()
    expect_404(fetch(f"/api/assets/download/{name}"))


def test_the_stored_name_with_a_path_around_it_is_a_404(stored, fetch):
    asset = stored()
    for name in (f"./{asset['filename']}", f"x/../{asset['filename']}", f"{asset['filename']}/",
                 f"{asset['filename']}%00", asset["filename"].upper()):
        expect_404(fetch(f"/api/assets/download/{name}"))


def test_a_file_planted_in_the_uploads_directory_without_a_record_is_a_404(app, fetch, stored):
    stored()
    planted = "f" * 32 + ".png"
    with open(os.path.join(app.config["UPLOAD_DIR"], planted), "wb") as handle:
        handle.write(PNG)
    expect_404(fetch(f"/api/assets/download/{planted}"))


def test_a_symlink_planted_in_place_of_a_stored_file_is_a_404(app, stored, fetch, secret):
    asset = stored()
    path = os.path.join(app.config["UPLOAD_DIR"], asset["filename"])
    os.unlink(path)
    os.symlink(secret, path)
    response = fetch(asset["url"])
    expect_404(response)
    assert b"top secret" not in response.data


def test_a_symlink_to_another_stored_file_is_a_404_too(app, stored, fetch):
    first, second = stored(), stored(content=b"GIF89a" + CONTENT, name="other.gif")
    path = os.path.join(app.config["UPLOAD_DIR"], second["filename"])
    os.unlink(path)
    os.symlink(os.path.join(app.config["UPLOAD_DIR"], first["filename"]), path)
    expect_404(fetch(second["url"]))


def test_a_directory_planted_under_a_stored_name_is_a_404(app, stored, fetch):
    asset = stored()
    path = os.path.join(app.config["UPLOAD_DIR"], asset["filename"])
    os.unlink(path)
    os.mkdir(path)
    expect_404(fetch(asset["url"]))


def test_a_missing_file_is_a_404_not_a_500(app, stored, fetch):
    asset = stored()
    os.unlink(os.path.join(app.config["UPLOAD_DIR"], asset["filename"]))
    expect_404(fetch(asset["url"]))
