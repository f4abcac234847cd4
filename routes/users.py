from flask import Blueprint, g

from services import users as users_service
from utils.auth import SIGNED_IN, requires
from utils.requests import json_body
from utils.responses import created, ok

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("")
@requires("users:read")
def list_users():
    return ok(users_service.list_users())


@bp.get("/<user_id>")
@requires("users:read")
def get_user(user_id):
    return ok(users_service.get_user(user_id))


@bp.post("")
@requires(SIGNED_IN)  # who may create which role is a service rule (Producer / Production Manager)
def create_user():
    return created(users_service.create_user(json_body(), g.user), "User created")


@bp.put("/<user_id>")
@requires(SIGNED_IN)  # self-service or manager: decided in the service
def update_user(user_id):
    return ok(users_service.update_user(user_id, json_body(), g.user), "User updated")


@bp.delete("/<user_id>")
@requires(SIGNED_IN)
def delete_user(user_id):
    users_service.delete_user(user_id, g.user)
    return ok(None, "User deleted")
