from flask import Blueprint, g, request

from services import tasks as tasks_service
from utils.auth import requires
from utils.requests import json_body
from utils.responses import cached, ok_list, ok_resource
from services import demo
from services.openapi import tasks as api
from utils.domains import Domain, Entity

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


@bp.get("")
@requires("tasks:read")  # roles without tasks:read_all see only their own tasks
def list_tasks():
    return cached(lambda: ok_list(tasks_service.list_tasks(g.user, request.args), "task"),
                  tasks_service.DEPENDS, tasks_service.visibility(g.user))


@bp.get("/assignee/<user_id>")
@requires("tasks:read")
def tasks_of(user_id):
    return cached(lambda: ok_list(tasks_service.tasks_of(user_id, g.user, request.args), "task"),
                  tasks_service.DEPENDS, tasks_service.visibility(g.user))


@bp.get("/<task_id>")
@requires("tasks:read")
def get_task(task_id):
    return cached(lambda: ok_resource(tasks_service.get_task(task_id, g.user), f"Task {task_id}"),
                  tasks_service.DEPENDS, tasks_service.visibility(g.user))


@bp.post("")
@requires("tasks:write")
def create_task():
    return ok_resource(tasks_service.create_task(json_body(), g.user), "Task created", status=201)


@bp.put("/<task_id>")
@requires("tasks:write", owner=tasks_service.assignee_only)  # the assignee: its status only
def update_task(task_id):
    task = tasks_service.update_task(task_id, json_body(), g.user, request.headers.get("If-Match"))
    return ok_resource(task, "Task updated")


@bp.delete("/<task_id>")
@requires("tasks:write")
def delete_task(task_id):
    return ok_resource(tasks_service.delete_task(task_id, request.headers.get("If-Match")), "Task deleted")


domain = Domain(bp, collections=(tasks_service.TASKS,), schemas={tasks_service.TASKS: tasks_service.STORED_SCHEMA},
                seed=demo.seed_tasks, entities=(Entity("task", "task", moved_by_status=True),),
                operations=api.OPERATIONS, components=api.SCHEMAS)
