from flask import Blueprint, g, request

from services import users as users_service
from utils.auth import requires
from utils.requests import json_body
from utils.responses import ok, ok_list, ok_resource
from services import demo
from services.openapi import users as api
from utils.domains import Domain, Entity

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("")
@requires("users:read")
def list_users():
    return ok_list(users_service.list_users(request.args), "user")


@bp.get("/<user_id>")
@requires("users:read")
def get_user(user_id):
    return ok_resource(users_service.get_user(user_id), f"User {user_id}")


@bp.post("")
@requires("users:manage", owner=users_service.may_create)  # a Production Manager: Crew and VFX users
def create_user():
    return ok_resource(users_service.create_user(json_body(), g.user), "User created", status=201)


@bp.put("/<user_id>")
@requires("users:manage", owner=users_service.may_edit)  # oneself; a Production Manager: Crew and VFX
def update_user(user_id):
    user = users_service.update_user(user_id, json_body(), g.user, request.headers.get("If-Match"))
    return ok_resource(user, "User updated")


@bp.delete("/<user_id>")
@requires("users:manage", owner=users_service.may_delete)
def delete_user(user_id):
    users_service.delete_user(user_id, g.user, request.headers.get("If-Match"))
    return ok(None, "User deleted")


domain = Domain(bp, collections=(users_service.USERS,), schemas={users_service.USERS: users_service.STORED_SCHEMA},
                checks=(users_service.check_data,), seed=demo.seed_users, entities=(Entity("user", "user"),),
                operations=api.OPERATIONS, components=api.SCHEMAS)
