"""Remembered token decodes (utils/jwt_cache.py) change nothing a client can see."""
import datetime

import jwt.api_jwt
import pytest
from flask_jwt_extended import create_access_token

from utils import clock


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def later(monkeypatch):
    """Move the clock the app and PyJWT read: ``later(61)`` is 61 s from now, without waiting."""
    offset = [0.0]
    real_now = clock.now

    class Moved(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime.fromtimestamp(real_now() + offset[0], tz)

    def move(seconds):  # patched only now: PyJWT's encoder must still know its own datetime
        offset[0] = float(seconds)
        monkeypatch.setattr(clock, "now", lambda: real_now() + offset[0])
        monkeypatch.setattr(jwt.api_jwt, "datetime", Moved)  # where PyJWT checks exp

    return move


def test_a_remembered_token_is_refused_once_it_expires(app, client, users, later):
    with app.app_context():
        token = create_access_token(identity=users["crew"]["id"], expires_delta=datetime.timedelta(seconds=60))
    assert client.get("/api/auth/me", headers=bearer(token)).status_code == 200  # decoded and remembered
    later(59)
    assert client.get("/api/auth/me", headers=bearer(token)).status_code == 200  # still valid, from memory

    later(61)
    response = client.get("/api/auth/me", headers=bearer(token))

    assert response.status_code == 401
    assert response.get_json()["message"] == "Token has expired: log in again or refresh"


def test_a_remembered_token_is_refused_once_revoked(client, auth):
    headers = auth.headers("producer")
    assert client.get("/api/auth/me", headers=headers).status_code == 200

    assert client.post("/api/auth/logout", headers=headers).status_code == 200

    response = client.get("/api/auth/me", headers=headers)
    assert (response.status_code, response.get_json()["message"]) == (401, "Token has been revoked: log in again")


def test_a_remembered_token_follows_its_user_role_change(client, auth, users):
    headers = auth.headers("crew")
    assert client.get("/api/tasks", headers=headers).get_json()["message"] == "0 tasks"

    promoted = client.put(f"/api/users/{users['crew']['id']}", json={"role": "Production Manager"},
                          headers=auth.headers("producer"))
    assert promoted.status_code == 200

    assert client.post("/api/tasks", json={"title": "Now allowed"}, headers=headers).status_code == 201
