"""CRUD over one record collection, shared by the domains that keep records (tasks, VFX shots...).

Every write runs inside the store's lock: the `If-Match` check, the domain's own checks (ownership,
uniqueness, references) and the change all see the same, current record, so a partial update
never overwrites a field another client changed meanwhile.
"""
import copy

from utils import activity, clock
from utils.errors import NotFound, ValidationError
from utils.etags import check_if_match
from utils.store import get_store


class Records:
    def __init__(self, name, label, present, entity, creator=True):
        self.name = name  # store document
        self.label = label  # "Task", "VFX shot": used in messages
        self.present = present  # stored record -> what clients see
        self.entity = entity  # the activity log's name for it ("task", "vfx_shot")
        self.creator = creator  # stamp createdBy (users, made by the command line too, do not)

    def all(self):
        return list(get_store().scan(self.name))

    def get(self, record_id):
        return self._found(get_store().get(self.name, record_id), record_id)

    def create(self, fields, actor, check=None, side_effect=False):
        """Insert ``fields`` with server-owned stamps; ``check(collection, fields)`` runs under the lock.
        A ``side_effect`` of another write (a VFX version's file) notes no activity event of its own."""
        now = clock.timestamp()
        stamps = {"createdAt": now, "updatedAt": now, **({"createdBy": actor["id"]} if self.creator else {})}
        with get_store().transaction(self.name) as transaction:
            collection = transaction.records(self.name)
            if check:
                check(collection, fields)
            record = collection.insert({**fields, **stamps})
        if not side_effect:
            activity.record("create", self.entity, record["id"], after=record)
        return record

    def update(self, record_id, changes, if_match=None, check=None, authorize=None):
        """Apply only the sent fields to the current record; ``check(collection, record, changes)``
        runs under the lock after the precondition and may refuse (or, like adding a VFX version,
        amend the record itself). ``authorize(collection, record, changes)``, an ownership rule, runs
        under the lock before the precondition: a refused user never learns the current ETag."""
        with get_store().transaction(self.name) as transaction:
            collection = transaction.records(self.name)
            record = self._found(collection.get(record_id), record_id)
            if authorize:
                authorize(collection, record, changes)
            check_if_match(self.present(record), if_match)
            before = copy.deepcopy(record)
            if check:
                check(collection, record, changes)
            record.update(changes, updatedAt=clock.timestamp())
        activity.record("update", self.entity, record_id, before=before, after=record)
        return record

    def delete(self, record_id, if_match=None, check=None, authorize=None):
        """Remove a record; ``check(collection, record)`` runs under the lock and may refuse;
        ``authorize(collection, record)`` (an ownership rule) runs before the precondition."""
        with get_store().transaction(self.name) as transaction:
            collection = transaction.records(self.name)
            record = self._found(collection.get(record_id), record_id)
            if authorize:
                authorize(collection, record)
            check_if_match(self.present(record), if_match)
            if check:
                check(collection, record)
            collection.delete(record_id)
        activity.record("delete", self.entity, record_id, before=record)
        return record

    def find(self, record_id):
        """The record, or None."""
        return get_store().get(self.name, record_id)

    def exists(self, record_id):
        return get_store().has(self.name, record_id)

    def _found(self, record, record_id):
        if record is None:
            raise NotFound(f"{self.label} {record_id} not found")
        return record


def check_assignee(fields):
    """An ``assigneeId`` must name an existing user (null unassigns)."""
    assignee_id = fields.get("assigneeId")
    if assignee_id is not None and not get_store().has("users", assignee_id):
        raise ValidationError({"assigneeId": f"no user with id {assignee_id}"})


def with_assignee(record):
    """The record as clients see it: ``assignee`` is the assigned user's current name."""
    return with_assignees([record])[0]


def with_assignees(records):
    """Many records as clients see them, with the users looked up once for the whole list."""
    names = {user["id"]: user["name"] for user in get_store().scan("users")}
    return [{**record, "assignee": names.get(record.get("assigneeId"))} for record in records]


def require_user(user_id):
    if not get_store().has("users", user_id):
        raise NotFound(f"User {user_id} not found")
