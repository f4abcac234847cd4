"""Kanban tasks (SPEC §3 Tasks) with the visibility and assignee rules of SPEC §4."""
from services.records import Records, check_assignee, require_user, with_assignee, with_assignees
from utils.errors import Forbidden
from utils.listing import ListSpec, query
from utils.permissions import can
from utils.validation import SERVER_OWNED, Date, Enum, Number, Reference, String, validate

STATUSES = ("todo", "in_progress", "done")
PRIORITIES = ("low", "medium", "high")

SCHEMA = {
    "title": String(min_len=1, max_len=200, required=True),
    "description": String(max_len=5000, default=""),
    "status": Enum(STATUSES, default="todo"),
    "priority": Enum(PRIORITIES, default="medium"),
    "category": String(max_len=100, default=""),
    "assigneeId": Reference(),
    "dueDate": Date(nullable=True, default=None),
    "estimatedHours": Number(minimum=0, maximum=10000, nullable=True, default=None),
}
IGNORED = SERVER_OWNED | {"assignee"}
STORED_SCHEMA = {**SCHEMA, "createdBy": String(min_len=1)}

LISTING = ListSpec(
    enums={"status": STATUSES, "priority": PRIORITIES},
    exact=("category", "assigneeId"),
    text=("title", "description", "category", "assignee"),
    sortable=("id", "title", "status", "priority", "category", "assignee", "dueDate",
              "estimatedHours", "createdAt", "updatedAt"),
)

TASKS = "tasks"
records = Records(TASKS, "Task", with_assignee, entity="task")
DEPENDS = ("tasks", "users")  # what a task as clients see it is made of (assignee: the user's name)


def visibility(actor):
    """Which tasks ``actor`` may see, as a key: those who see the same share a cached list."""
    return "all" if can(actor, "tasks:read_all") else f"assigned to {actor['id']}"


def list_tasks(actor, args):
    """Everything for roles that read all tasks; only their own tasks for everyone else."""
    visible = records.all() if can(actor, "tasks:read_all") else [
        task for task in records.all() if task.get("assigneeId") == actor["id"]
    ]
    return query(with_assignees(visible), args, LISTING)


def tasks_of(user_id, actor, args):
    if user_id != actor["id"] and not can(actor, "tasks:read_all"):
        raise Forbidden("You may only list your own tasks")
    require_user(user_id)
    return query(with_assignees(t for t in records.all() if t.get("assigneeId") == user_id), args, LISTING)


def get_task(task_id, actor):
    task = records.get(task_id)
    if not can(actor, "tasks:read_all") and task.get("assigneeId") != actor["id"]:
        raise Forbidden("This task is not assigned to you")
    return with_assignee(task)


def create_task(body, actor):
    fields = validate(body, SCHEMA, ignored=IGNORED)
    task = records.create(fields, actor, check=lambda _tasks, new: check_assignee(new))
    return with_assignee(task)


def assignee_only(actor, task_id):
    """The ownership rule of ``PUT /tasks/{id}`` for roles without ``tasks:write``: the task must
    be assigned to ``actor`` (a task that does not exist is not theirs either: 403, not 404)."""
    task = records.find(task_id)
    if task is None or task.get("assigneeId") != actor["id"]:
        raise Forbidden("This task is not assigned to you")


def update_task(task_id, body, actor, if_match=None):
    changes = validate(body, SCHEMA, partial=True, ignored=IGNORED)

    def authorize(_tasks, task, changes):  # again under the lock: the task may have been reassigned since
        if not can(actor, "tasks:write"):
            _check_assignee_moves_status_only(task, changes, actor)

    def check(_tasks, _task, changes):
        check_assignee(changes)

    return with_assignee(records.update(task_id, changes, if_match, check, authorize))


def delete_task(task_id, if_match=None):
    return with_assignee(records.delete(task_id, if_match))


def _check_assignee_moves_status_only(task, changes, actor):
    """The assignee of a task may move it across the board and change nothing else. Fields sent
    back unchanged (a client echoing the whole task) are not changes."""
    if task.get("assigneeId") != actor["id"]:
        raise Forbidden("This task is not assigned to you")
    changed = sorted(name for name, value in changes.items() if task.get(name) != value and name != "status")
    if changed:
        raise Forbidden("As the assignee you may change only the status, not: " + ", ".join(changed))
