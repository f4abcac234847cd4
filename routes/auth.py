from flask import Blueprint, g

from services import auth as auth_service
from services.users import public
from utils.auth import PUBLIC, SIGNED_IN, requires
from utils.requests import json_body
from utils.responses import ok
from services.openapi import auth as api
from utils.auth import REVOKED
from utils.domains import Domain
from utils.storage.interface import new_entries

bp = Blueprint("auth", __name__, url_prefix="/auth")
NO_STORE = {"Cache-Control": "no-store"}  # answers that carry tokens are kept by no cache (SPEC §3 Auth)


@bp.post("/login")
@requires(PUBLIC)
def login():
    return ok(auth_service.login(json_body()), "Logged in", headers=NO_STORE)


@bp.get("/me")
@requires(SIGNED_IN)
def me():
    return ok(public(g.user), f"Signed in as {g.user['username']}")


@bp.post("/refresh")
@requires(SIGNED_IN, refresh=True)
def refresh():
    return ok(auth_service.refresh(g.token, g.user), "Token refreshed", headers=NO_STORE)


@bp.post("/logout")
@requires(SIGNED_IN)
def logout():
    auth_service.logout(g.token, json_body(optional=True))
    return ok(None, "Logged out")


domain = Domain(bp, internal={auth_service.ATTEMPTS: new_entries, REVOKED: new_entries},
                operations=api.OPERATIONS, components=api.SCHEMAS)
