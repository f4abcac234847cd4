"""OpenAPI of /tasks."""
from services import tasks
from services.openapi.shapes import LIST, NAME_OR_NULL, Op, crud, model, ref

SCHEMAS = {"Task": model(tasks.STORED_SCHEMA, assignee=NAME_OR_NULL)}
OPERATIONS = {
    **crud("tasks", "task", "tasks", "Task", tasks.SCHEMA, tasks.LISTING,
           note="Producer, Production Manager and Director read all tasks; other roles only those assigned "
                "to them. The assignee may change a task's `status` only."),
    "tasks.tasks_of": Op("Tasks assigned to a user", LIST, ref("Task"), listing=tasks.LISTING,
                         note="Roles that cannot read all tasks may list only their own."),
}
