from flask import Blueprint, g

from services import auth as auth_service
from services.users import public
from utils.auth import PUBLIC, SIGNED_IN, requires
from utils.requests import json_body
from utils.responses import ok

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.post("/login")
@requires(PUBLIC)
def login():
    return ok(auth_service.login(json_body()), "Logged in")


@bp.get("/me")
@requires(SIGNED_IN)
def me():
    return ok(public(g.user), f"Signed in as {g.user['username']}")


@bp.post("/refresh")
@requires(SIGNED_IN, refresh=True)
def refresh():
    return ok(auth_service.refresh(g.token), "Token refreshed")


@bp.post("/logout")
@requires(SIGNED_IN)
def logout():
    auth_service.logout(g.token, json_body(optional=True))
    return ok(None, "Logged out")
