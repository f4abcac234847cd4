"""Every error path under /api answers in the envelope {success: false, message, errors?} (SPEC §2),
and CORS applies to /api/* as SPEC §6 says."""
import io
import json
import os

import pytest

JSON_LIMIT = 1024 * 1024  # SPEC §2: JSON bodies over 1,048,576 bytes are a 413
NEW_CREW = {"username": "newcrew", "name": "New Crew", "email": "newcrew@example.com", "role": "Crew",
            "password": "long-enough-password"}


def expect_error(response, status):
    """Assert the status and the error envelope; return the body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["success"] is False
    assert isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"success", "message", "errors"}
    return body


def padded_login(size):
    """A well-formed login body for an unknown user, padded with whitespace to exactly ``size`` bytes."""
    payload = json.dumps({"username": "nobody", "password": "whatever"}).encode()
    return payload + b" " * (size - len(payload))


# -- 400 ------------------------------------------------------------------------------------
def test_malformed_json_is_a_400_naming_the_body(client):
    response = client.post("/api/auth/login", data='{"username": "crew", "password":', content_type="application/json")
    body = expect_error(response, 400)
    assert body["errors"] == {"body": "must be valid JSON"}


def test_unknown_login_field_is_a_400_naming_it(client, users):
    response = client.post("/api/auth/login", json={"username": "crew", "password": "x", "remember_me": True})
    body = expect_error(response, 400)
    assert body["errors"] == {"remember_me": "unknown field"}


def test_json_array_body_is_a_400(client, users):
    response = client.post("/api/auth/login", json=[{"username": "crew", "password": "x"}])
    body = expect_error(response, 400)
    assert body["errors"] == {"body": "must be a JSON object"}


@pytest.mark.parametrize("content_type", [None, "application/json"])
def test_missing_body_is_a_400(client, content_type):
    response = client.post("/api/auth/login", content_type=content_type)
    body = expect_error(response, 400)
    assert body["errors"] == {"body": "is required"}


def test_json_scalar_body_is_a_400(client):
    body = expect_error(client.post("/api/auth/login", data="null", content_type="application/json"), 400)
    assert "body" in body["errors"]


# -- 401 / 403 --------------------------------------------------------------------------------
def test_no_token_is_a_401_envelope(client):
    body = expect_error(client.get("/api/users"), 401)
    assert "token" in body["message"].lower()


def test_crew_creating_a_user_is_a_403_envelope(client, auth):
    body = expect_error(client.post("/api/users", json=NEW_CREW, headers=auth.headers("crew")), 403)
    assert "errors" not in body
    listed = client.get("/api/users", headers=auth.headers("producer")).get_json()["data"]
    assert "newcrew" not in [user["username"] for user in listed]


# -- 404 / 405: routing comes before auth ---------------------------------------------------------
@pytest.mark.parametrize("token", [None, "valid", "garbage"])
def test_unknown_api_url_is_a_404_with_or_without_a_token(client, auth, token):
    headers = {}
    if token == "valid":
        headers = auth.headers("crew")
    elif token == "garbage":
        headers = {"Authorization": "Bearer not-a-token"}
    body = expect_error(client.get("/api/no-such-thing", headers=headers), 404)
    assert body["message"] == "Not found: no such URL"


def test_unknown_user_id_is_a_404(client, auth):
    body = expect_error(client.get("/api/users/999999", headers=auth.headers("producer")), 404)
    assert "999999" in body["message"]


@pytest.mark.parametrize("with_token", [False, True])
def test_wrong_method_is_a_405_with_allow_header_with_or_without_a_token(client, auth, with_token):
    headers = auth.headers("producer") if with_token else {}
    response = client.delete("/api/health", headers=headers)
    body = expect_error(response, 405)
    assert body["message"] == "Method not allowed for this URL"
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert "GET" in allowed and "DELETE" not in allowed


def test_wrong_method_on_a_protected_url_is_a_405_not_a_401(client):
    response = client.patch("/api/users")
    expect_error(response, 405)
    assert {"GET", "POST"} <= {method.strip() for method in response.headers["Allow"].split(",")}


# -- 413 / 415 --------------------------------------------------------------------------------------
def test_json_body_over_one_mib_is_a_413(client):
    response = client.post("/api/auth/login", data=padded_login(JSON_LIMIT + 1), content_type="application/json")
    body = expect_error(response, 413)
    assert body["message"] == "Request body too large"


def test_json_body_of_exactly_one_mib_is_accepted(client):
    response = client.post("/api/auth/login", data=padded_login(JSON_LIMIT), content_type="application/json")
    assert expect_error(response, 401)["message"] == "Invalid username or password"


def test_chunked_json_body_over_one_mib_is_a_413_not_truncated(client, users):
    # Without Content-Length the stream used to be cut at 1 MiB silently: a valid document padded
    # past the limit was accepted and this login succeeded.
    payload = json.dumps({"username": "crew", "password": "correct-horse-battery"}).encode()
    payload += b" " * (JSON_LIMIT + 10 - len(payload))
    response = client.post(
        "/api/auth/login",
        input_stream=io.BytesIO(payload),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # what gunicorn and werkzeug set for chunked
    )
    assert expect_error(response, 413)["message"] == "Request body too large"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_non_json_content_type_on_a_json_endpoint_is_a_415(client, users, content_type):
    response = client.post("/api/auth/login", data='{"username": "crew", "password": "x"}', content_type=content_type)
    body = expect_error(response, 415)
    assert "application/json" in body["message"]


# -- 500 ------------------------------------------------------------------------------------------------
def test_unexpected_error_is_a_generic_500_with_a_request_id(app):
    def explode():
        raise RuntimeError("secret detail")

    app.add_url_rule("/api/explode", "explode", explode)
    response = app.test_client().get("/api/explode")
    body = expect_error(response, 500)
    text = response.get_data(as_text=True)
    assert "secret detail" not in text and "Traceback" not in text and "RuntimeError" not in text
    request_id = response.headers["X-Request-Id"]
    assert request_id and request_id in body["message"]
    assert body["message"].startswith("Internal server error")


def test_corrupt_users_file_is_a_500_naming_it_and_left_untouched(app, client, auth):
    headers = auth.headers("producer")
    path = os.path.join(app.config["DATA_DIR"], "users.json")
    broken = b'{"seq": 6, "items": {"1": {"username": "producer"'
    with open(path, "wb") as handle:
        handle.write(broken)

    for response in (
        client.get("/api/users", headers=headers),
        client.post("/api/auth/login", json={"username": "crew", "password": "x"}),
        client.post("/api/users", json=NEW_CREW, headers=headers),
    ):
        body = expect_error(response, 500)
        assert "users.json" in body["message"]
        assert response.headers["X-Request-Id"]
    with open(path, "rb") as handle:
        assert handle.read() == broken


# -- CORS ---------------------------------------------------------------------------------------------
def test_cors_preflight_from_the_frontend_allows_authorization(client):
    response = client.options("/api/users", headers={
        "Origin": "http://localhost:5173",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type",
    })
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    allowed = {header.strip().lower() for header in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert "authorization" in allowed
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_cors_allowed_origin_gets_allow_origin_and_exposed_headers(client, auth):
    response = client.get("/api/users", headers={**auth.headers("crew"), "Origin": "http://localhost:3000"})
    assert response.status_code == 200 and response.get_json()["success"] is True
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    exposed = {header.strip().lower() for header in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "x-total-count"} <= exposed


def test_cors_error_responses_carry_allow_origin_too(client):
    # Without it a browser hides the 401 from the frontend, which then cannot send the user to login.
    response = client.get("/api/users", headers={"Origin": "http://localhost:5173"})
    expect_error(response, 401)
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"


def test_cors_unlisted_origin_gets_no_allow_origin(client):
    response = client.options("/api/users", headers={
        "Origin": "http://evil.example.com",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Authorization",
    })
    assert "Access-Control-Allow-Origin" not in response.headers
    response = client.get("/api/health", headers={"Origin": "http://evil.example.com"})
    assert response.status_code == 200 and response.get_json()["success"] is True
    assert "Access-Control-Allow-Origin" not in response.headers


def test_absurdly_nested_json_is_a_400_not_a_crash(client, auth):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/tasks", data=body, content_type="application/json", headers=auth.headers("producer"))
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"body": "must be valid JSON"}


def test_a_json_body_with_a_declared_length_over_one_mib_is_a_413(client, auth):
    body = '{"title": "' + "x" * (1024 * 1024) + '"}'
    response = client.post("/api/tasks", data=body, content_type="application/json", headers=auth.headers("producer"))
    assert response.status_code == 413
    assert response.get_json()["success"] is False
