"""The whole token lifecycle (SPEC §3 Auth): login, /me, refresh rotation, logout and revocation that
outlives the process, every way a token can be bad, and the login throttle."""
import base64
import datetime
import json
import threading
import uuid

import jwt
import pytest
from flask_jwt_extended import create_access_token, create_refresh_token

from app import create_app
from tests.conftest import PASSWORD
from services import users as users_service
from utils import auth as auth_utils
from utils import clock

NEW_CREW = {"username": "newcrew", "name": "New Crew", "email": "newcrew@example.com", "role": "Crew",
            "password": "long-enough-password"}
ACCESS_SECONDS = 3600  # SPEC §6 default JWT_ACCESS_TOKEN_EXPIRES
WINDOW = 15 * 60


# -- helpers ----------------------------------------------------------------------------------------
def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def login(client, username, password=PASSWORD, **extra):
    return client.post("/api/auth/login", json={"username": username, "password": password, **extra})


def expect_ok(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["success"] is True and "data" in body
    return body["data"]


def expect_401(response):
    """Our envelope, never flask-jwt-extended's 422 or its {"msg": ...}."""
    assert response.status_code == 401, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"success", "message"}
    assert body["success"] is False and body["message"]
    return body["message"]


def twin_app(app):
    """A second app instance (another worker, or the app after a restart) on the same data and secrets."""
    keys = ("TESTING", "DATA_DIR", "UPLOAD_DIR", "SECRET_KEY", "JWT_SECRET_KEY", "AUTO_SEED", "PASSWORD_HASH_METHOD",
            "DATABASE_URL")
    return create_app({key: app.config[key] for key in keys})


def claims_of(token):
    return jwt.decode(token, options={"verify_signature": False})


def b64(part):
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


# -- login --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("login_name", ["crew", "CREW", "Crew", "crew@example.com", "CREW@Example.COM"])
def test_login_by_username_any_case_or_email_returns_a_bearer_pair(client, users, login_name):
    response = login(client, login_name)
    data = expect_ok(response)
    assert set(data) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    assert data["token_type"] == "Bearer"
    assert data["expires_in"] == ACCESS_SECONDS
    assert data["user"]["id"] == users["crew"]["id"]
    assert data["user"]["username"] == "crew" and data["user"]["role"] == "Crew"
    assert "password" not in response.get_data(as_text=True).lower()
    assert "pbkdf2" not in response.get_data(as_text=True)
    access, refresh = claims_of(data["access_token"]), claims_of(data["refresh_token"])
    assert (access["type"], refresh["type"]) == ("access", "refresh")
    assert access["sub"] == refresh["sub"] == users["crew"]["id"]
    assert access["exp"] - access["iat"] == ACCESS_SECONDS


def test_wrong_password_and_unknown_user_get_the_same_401(client, users):
    wrong_password = login(client, "crew", "not-the-password")
    unknown_user = login(client, "nobody-here", "not-the-password")
    assert expect_401(wrong_password) == "Invalid username or password"
    assert unknown_user.status_code == 401
    assert unknown_user.get_json() == wrong_password.get_json()


def test_me_returns_the_current_user_without_a_hash(client, auth, users):
    response = client.get("/api/auth/me", headers=auth.headers("pm"))
    data = expect_ok(response)
    assert data["id"] == users["pm"]["id"] and data["role"] == "Production Manager"
    assert "users:manage_crew" in data["permissions"]
    assert "passwordHash" not in data and "password" not in data


# -- refresh -----------------------------------------------------------------------------------------
def test_refresh_rotates_the_pair_and_refuses_the_used_refresh_token(client, auth):
    first = auth.tokens("crew")
    response = client.post("/api/auth/refresh", headers=bearer(first["refresh_token"]))
    second = expect_ok(response)
    assert response.get_json()["message"] == "Token refreshed"
    assert second["token_type"] == "Bearer" and second["expires_in"] == ACCESS_SECONDS
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert claims_of(second["refresh_token"])["type"] == "refresh"

    assert "revoked" in expect_401(client.post("/api/auth/refresh", headers=bearer(first["refresh_token"])))
    # Access tokens already issued stay valid; the new pair works.
    assert expect_ok(client.get("/api/auth/me", headers=bearer(first["access_token"])))["username"] == "crew"
    assert expect_ok(client.get("/api/auth/me", headers=bearer(second["access_token"])))["username"] == "crew"
    expect_ok(client.post("/api/auth/refresh", headers=bearer(second["refresh_token"])))


def test_refresh_ignores_an_empty_body_of_any_content_type(client, auth):
    refresh_token = auth.tokens("crew")["refresh_token"]
    response = client.post("/api/auth/refresh", headers=bearer(refresh_token), content_type="text/plain")
    assert expect_ok(response)["token_type"] == "Bearer"


def test_one_refresh_token_rotates_only_once_when_two_requests_race(app, auth, monkeypatch):
    refresh_token = auth.tokens("crew")["refresh_token"]
    real_is_revoked = auth_utils.is_revoked
    both_checked = threading.Barrier(2, timeout=5)

    def racing_is_revoked(claims):
        answer = real_is_revoked(claims)
        both_checked.wait()  # both requests pass the revocation check before either rotates
        return answer

    monkeypatch.setattr(auth_utils, "is_revoked", racing_is_revoked)
    responses = []

    def refresh():
        responses.append(app.test_client().post("/api/auth/refresh", headers=bearer(refresh_token)))

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(response.status_code for response in responses) == [200, 401]
    assert "revoked" in expect_401(next(r for r in responses if r.status_code == 401))


# -- logout ------------------------------------------------------------------------------------------
def test_logout_revokes_the_access_token(client, auth):
    access = auth.tokens("crew")["access_token"]
    response = client.post("/api/auth/logout", headers=bearer(access))
    assert expect_ok(response) is None
    assert response.get_json()["message"] == "Logged out"
    assert "revoked" in expect_401(client.get("/api/auth/me", headers=bearer(access)))
    assert "revoked" in expect_401(client.get("/api/users", headers=bearer(access)))
    # A fresh login is unaffected.
    expect_ok(client.get("/api/auth/me", headers=bearer(auth.login("crew")["access_token"])))


def test_logout_with_refresh_token_in_body_revokes_it_too(client, auth):
    tokens = auth.tokens("crew")
    response = client.post("/api/auth/logout", headers=bearer(tokens["access_token"]),
                           json={"refresh_token": tokens["refresh_token"]})
    expect_ok(response)
    assert "revoked" in expect_401(client.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"])))
    assert "revoked" in expect_401(client.get("/api/auth/me", headers=bearer(tokens["access_token"])))


def test_logout_without_refresh_token_leaves_the_refresh_token_usable(client, auth):
    tokens = auth.tokens("crew")
    expect_ok(client.post("/api/auth/logout", headers=bearer(tokens["access_token"])))
    assert expect_ok(client.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"])))["access_token"]


def test_logout_refuses_someone_elses_refresh_token_and_revokes_nothing(client, auth):
    crew, producer = auth.tokens("crew"), auth.tokens("producer")
    response = client.post("/api/auth/logout", headers=bearer(crew["access_token"]),
                           json={"refresh_token": producer["refresh_token"]})
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"refresh_token": "must be a refresh token issued to you"}
    expect_ok(client.post("/api/auth/refresh", headers=bearer(producer["refresh_token"])))
    expect_ok(client.get("/api/auth/me", headers=bearer(crew["access_token"])))


@pytest.mark.parametrize("content_type", [None, "application/json", "text/plain",
                                          "application/x-www-form-urlencoded", "application/octet-stream"])
def test_logout_accepts_an_empty_body_of_any_content_type(client, auth, content_type):
    access = auth.tokens("crew")["access_token"]
    response = client.post("/api/auth/logout", headers=bearer(access), content_type=content_type)
    assert expect_ok(response) is None
    expect_401(client.get("/api/auth/me", headers=bearer(access)))


def test_revocation_holds_in_another_app_instance_on_the_same_data(app, client, auth):
    tokens = auth.tokens("crew")
    expect_ok(client.post("/api/auth/logout", headers=bearer(tokens["access_token"]),
                          json={"refresh_token": tokens["refresh_token"]}))
    rotated = auth.tokens("pm")["refresh_token"]
    expect_ok(client.post("/api/auth/refresh", headers=bearer(rotated)))

    other = twin_app(app).test_client()
    assert "revoked" in expect_401(other.get("/api/auth/me", headers=bearer(tokens["access_token"])))
    assert "revoked" in expect_401(other.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"])))
    assert "revoked" in expect_401(other.post("/api/auth/refresh", headers=bearer(rotated)))
    # The twin trusts the same secrets: a token it did not revoke still works there.
    expect_ok(other.get("/api/auth/me", headers=auth.headers("producer")))


# -- bad tokens -----------------------------------------------------------------------------------------
def test_expired_access_token_is_a_401(app, client, users):
    with app.app_context():
        token = create_access_token(identity=users["crew"]["id"], expires_delta=datetime.timedelta(seconds=-10))
    assert "expired" in expect_401(client.get("/api/auth/me", headers=bearer(token)))


def test_expired_refresh_token_is_a_401(app, client, users):
    with app.app_context():
        token = create_refresh_token(identity=users["crew"]["id"], expires_delta=datetime.timedelta(seconds=-10))
    assert "expired" in expect_401(client.post("/api/auth/refresh", headers=bearer(token)))


def test_token_signed_with_another_key_is_a_401(client, auth):
    claims = claims_of(auth.tokens("producer")["access_token"])
    forged = jwt.encode(claims, "some-other-key-that-is-long-enough-for-hs256!", algorithm="HS256")
    assert expect_401(client.get("/api/users", headers=bearer(forged))) == "Invalid token"


def test_unsigned_alg_none_token_is_a_401(client, auth):
    claims = claims_of(auth.tokens("producer")["access_token"])
    unsigned = b64({"alg": "none", "typ": "JWT"}) + "." + b64(claims) + "."
    assert expect_401(client.get("/api/users", headers=bearer(unsigned))) == "Invalid token"


def test_refresh_token_is_refused_as_an_access_token(client, auth):
    refresh_token = auth.tokens("producer")["refresh_token"]
    for response in (
        client.get("/api/auth/me", headers=bearer(refresh_token)),
        client.get("/api/users", headers=bearer(refresh_token)),
        client.post("/api/users", json=NEW_CREW, headers=bearer(refresh_token)),
        client.post("/api/auth/logout", headers=bearer(refresh_token)),
    ):
        assert "needs an access token" in expect_401(response)
    # Refused, not revoked: it still refreshes.
    expect_ok(client.post("/api/auth/refresh", headers=bearer(refresh_token)))


def test_access_token_is_refused_at_refresh(client, auth):
    response = client.post("/api/auth/refresh", headers=auth.headers("producer"))
    assert "needs a refresh token" in expect_401(response)


@pytest.mark.parametrize("header", [
    "{token}",                  # no scheme
    "Basic {token}",
    "Token {token}",
    "Bearer",
    "Bearer ",
    "Bearer garbage",
    "Bearer a.b.c",
    "Bearer {token} extra",
    "Bearer {token}x",
    "Bearer " + "x" * 5000,
])
def test_malformed_authorization_header_is_a_401_envelope(client, auth, header):
    token = auth.tokens("producer")["access_token"]
    expect_401(client.get("/api/users", headers={"Authorization": header.format(token=token)}))


def test_token_with_forged_identity_but_wrong_signature_is_a_401(client, auth, users):
    tokens = auth.tokens("crew")
    header, payload, signature = tokens["access_token"].split(".")
    claims = claims_of(tokens["access_token"])
    claims["sub"] = users["producer"]["id"]  # keep crew's signature, claim to be the producer
    tampered = ".".join([header, b64(claims), signature])
    assert expect_401(client.post("/api/users", json=NEW_CREW, headers=bearer(tampered))) == "Invalid token"


# -- the user as stored now -----------------------------------------------------------------------------
def test_deleted_users_tokens_are_refused(client, auth, users):
    crew = auth.tokens("crew")
    expect_ok(client.delete(f"/api/users/{users['crew']['id']}", headers=auth.headers("producer")))
    assert "no longer exists" in expect_401(client.get("/api/auth/me", headers=bearer(crew["access_token"])))
    assert "no longer exists" in expect_401(client.post("/api/auth/refresh", headers=bearer(crew["refresh_token"])))


def test_role_change_applies_to_the_next_request_with_the_same_token(client, auth, users):
    crew_headers = auth.headers("crew")
    assert client.post("/api/users", json=NEW_CREW, headers=crew_headers).status_code == 403

    response = client.put(f"/api/users/{users['crew']['id']}", json={"role": "Production Manager"},
                          headers=auth.headers("producer"))
    assert expect_ok(response)["role"] == "Production Manager"

    assert expect_ok(client.get("/api/auth/me", headers=crew_headers))["role"] == "Production Manager"
    created = expect_ok(client.post("/api/users", json=NEW_CREW, headers=crew_headers), 201)
    assert created["username"] == "newcrew" and created["role"] == "Crew"


# -- login throttle -------------------------------------------------------------------------------------
def fail(client, name, times):
    for _ in range(times):
        assert login(client, name, "wrong-password").status_code == 401


def expect_429(response):
    assert response.status_code == 429, response.get_data(as_text=True)
    body = response.get_json()
    assert body["success"] is False and "Too many failed logins" in body["message"]
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit()
    return int(retry_after)


def test_five_failures_throttle_even_the_right_password(client, users):
    fail(client, "crew", 5)
    retry_after = expect_429(login(client, "crew"))
    assert 0 < retry_after <= WINDOW
    assert retry_after >= WINDOW - 60  # the failures were just now
    # A throttled attempt is refused before the password is checked, so it answers the same way.
    assert expect_429(login(client, "crew", "wrong-password")) <= retry_after


def test_four_failures_do_not_throttle(client, users):
    fail(client, "crew", 4)
    assert expect_ok(login(client, "crew"))["user"]["username"] == "crew"


def test_failures_count_per_lowercased_login_name(client, users):
    fail(client, "CREW", 2)
    fail(client, "crew", 2)
    fail(client, "Crew", 1)
    expect_429(login(client, "crew"))
    expect_429(login(client, "cReW"))
    # Other names are not affected.
    assert expect_ok(login(client, "director"))["user"]["username"] == "director"


def test_unknown_login_names_are_throttled_too(client, users):
    fail(client, "ghost", 5)
    expect_429(login(client, "GHOST"))


def test_throttle_holds_across_app_instances(app, client, users):
    fail(client, "crew", 3)
    other = twin_app(app).test_client()
    fail(other, "crew", 2)
    expect_429(login(client, "crew"))
    expect_429(login(other, "crew"))


def test_throttle_counts_down_and_lifts_when_the_window_passes(app, client, users, monkeypatch):
    fail(client, "crew", 5)
    expect_429(login(client, "crew"))
    start = clock.now()

    monkeypatch.setattr(clock, "now", lambda: start + 600)
    retry_after = expect_429(login(client, "crew"))
    assert 0 < retry_after <= WINDOW - 600

    monkeypatch.setattr(clock, "now", lambda: start + WINDOW + 1)
    assert expect_ok(login(client, "crew"))["user"]["username"] == "crew"
    expect_ok(login(twin_app(app).test_client(), "crew"))


def test_successful_login_clears_earlier_failures(client, users):
    fail(client, "crew", 4)
    expect_ok(login(client, "crew"))
    fail(client, "crew", 4)
    expect_ok(login(client, "crew"))


def test_concurrent_guesses_cannot_get_past_the_limit(app, users, monkeypatch):
    guesses = 8
    real_verify = users_service.verify_password
    settled = threading.Condition()
    state = {"settled": 0}
    reached = threading.local()

    def count_settled():
        with settled:
            state["settled"] += 1
            settled.notify_all()

    def slow_verify(user, password):
        # Hold every password check until each guess has either reached one or been refused.
        reached.flag = True
        count_settled()
        with settled:
            settled.wait_for(lambda: state["settled"] >= guesses, timeout=5)
        return real_verify(user, password)

    monkeypatch.setattr(users_service, "verify_password", slow_verify)
    statuses = []

    def guess(number):
        reached.flag = False
        response = login(app.test_client(), "crew", f"guess-{number}")
        if not reached.flag:
            count_settled()
        statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * 5 + [429] * (guesses - 5)


def test_a_crash_during_the_password_check_does_not_count_as_a_failure(app, client, users, monkeypatch):
    def broken_verify(user, password):
        raise RuntimeError("hash backend unavailable")

    monkeypatch.setattr(users_service, "verify_password", broken_verify)
    for _ in range(5):
        assert client.post("/api/auth/login", json={"username": "crew", "password": PASSWORD}).status_code == 500
    monkeypatch.undo()
    assert expect_ok(login(client, "crew"))["user"]["username"] == "crew"


def test_jti_claims_are_unique_per_login(client, users):
    first = claims_of(expect_ok(login(client, "crew"))["access_token"])["jti"]
    second = claims_of(expect_ok(login(client, "crew"))["access_token"])["jti"]
    assert first != second
    uuid.UUID(first)
