"""The OpenAPI 3.1 document of the API (SPEC §3 Analytics and meta).

Built from what the app already knows, so it cannot drift from it: the paths, methods and path
parameters come from Flask's url_map, who may call each operation from the view's ``@requires``
permission and the role table, field types, enums and bounds from the validator's schemas, and
list parameters from the domain's ``ListSpec``. Only what an operation takes and answers is declared
here, in ``OPERATIONS`` (one line per route; ``crud()`` for a record collection).
"""
import re
from dataclasses import dataclass, field

from services import auth, tasks, users, vfx
from utils.auth import PUBLIC, SIGNED_IN
from utils.listing import MAX_PER_PAGE
from utils.permissions import PERMISSIONS, ROLES
from utils.validation import MISSING, json_schema_of

RESOURCE, LIST, NONE, RAW = "resource", "list", "none", "raw"
JSON = "application/json"

STATUS_TEXT = {
    400: "Validation failed: malformed JSON, a missing, invalid or unknown field (named in `errors`)",
    401: "No token, bad signature, expired, revoked, wrong token type, or the user no longer exists",
    403: "Signed in, but the role (or an ownership rule) does not allow this",
    404: "Unknown id",
    409: "Conflict with the stored data (duplicate, last Producer, deleting yourself)",
    412: "`If-Match` was sent and is stale: re-read and retry",
    413: "Body over the limit (JSON bodies: 1 MiB)",
    415: "A body that is not JSON (send `Content-Type: application/json`)",
    429: "Too many failed logins: wait `Retry-After` seconds",
}


@dataclass(frozen=True)
class Op:
    """What one route takes and answers; everything else is derived."""

    summary: str
    kind: str = RESOURCE  # RESOURCE (data + ETag), LIST (array + X-Total-Count), NONE (data null), RAW
    data: dict = field(default_factory=dict)  # JSON Schema of `data` (of one item for a LIST)
    body: dict | None = None  # a validator schema: field name -> Field
    partial: bool = False  # an update: no field is required
    body_optional: bool = False  # an empty body is fine too (logout)
    status: int = 200
    listing: object = None  # the domain's ListSpec: its filters become query parameters
    if_match: bool = False
    errors: tuple = ()  # statuses the service may answer beyond the derived ones
    note: str = ""  # a rule the permission alone does not tell
    content: tuple = (JSON,)  # media types of a RAW success
    form: dict | None = None  # multipart/form-data fields -> JSON Schema (FILE for an upload), beside or instead of body
    params: dict = field(default_factory=dict)  # path parameter -> JSON Schema, when not a plain id
    query: dict = field(default_factory=dict)  # extra query parameters -> JSON Schema


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def model(schema, required=("id",), stamps=("id", "createdAt", "updatedAt"), **derived):
    """A stored record as clients see it: server stamps, the validator's fields, derived fields."""
    properties = {name: STAMPS[name] for name in stamps}
    properties.update({name: json_schema_of(f) for name, f in schema.items()}, **derived)
    return {"type": "object", "required": list(required), "properties": properties}


def crud(blueprint, noun, plural, label, body, listing, errors=(), note="", update_body=None):
    """The five operations of a record collection whose views follow the usual names."""
    model_ref = ref(label)
    return {
        f"{blueprint}.list_{plural}": Op(f"List {plural}", LIST, model_ref, listing=listing, note=note),
        f"{blueprint}.get_{noun}": Op(f"One {noun}", data=model_ref, note=note),
        f"{blueprint}.create_{noun}": Op(f"Create a {noun}", data=model_ref, body=body, status=201,
                                         errors=errors, note=note),
        f"{blueprint}.update_{noun}": Op(f"Update a {noun} (partial; only the sent fields change)", data=model_ref,
                                         body=update_body or body, partial=True, if_match=True, errors=errors,
                                         note=note),
        f"{blueprint}.delete_{noun}": Op(f"Delete a {noun}", data=model_ref, if_match=True, errors=errors, note=note),
    }


ID = {"type": "string", "minLength": 1, "description": "a string id, never reused"}
TIMESTAMP = {"type": "string", "format": "date-time", "pattern": r"Z$", "description": "ISO 8601 UTC"}
FILE = {"type": "string", "format": "binary"}  # a multipart file part, for Op(form=...)
STAMPS = {"id": ID, "createdAt": TIMESTAMP, "updatedAt": TIMESTAMP}
NAME_OR_NULL = {"type": ["string", "null"], "description": "derived from the id: the user's current name"}
STORED_USER = {name: f for name, f in users.STORED_SCHEMA.items() if name != "passwordHash"}
DOCS_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")

SCHEMAS = {
    "User": model(STORED_USER, permissions={"type": "array", "items": {"type": "string"}, "readOnly": True}),
    "Task": model(tasks.STORED_SCHEMA, assignee=NAME_OR_NULL),
    "VfxVersion": model(vfx.VERSION_SCHEMA, required=("version",), stamps=("createdAt",),
                        version={"type": "string", "pattern": r"^v\d{3,}$"}, createdBy=ID),
    "VfxShot": model(vfx.STORED_SCHEMA, assignee=NAME_OR_NULL, versions={"type": "array", "items": ref("VfxVersion")}),
    "Tokens": {"type": "object", "required": ["access_token", "refresh_token", "token_type", "expires_in"],
               "properties": {"access_token": {"type": "string"}, "refresh_token": {"type": "string"},
                              "token_type": {"const": "Bearer"}, "expires_in": {"type": "integer"}}},
    "Health": {"type": "object", "required": ["status", "version"],
               "properties": {"status": {"const": "ok"}, "version": {"type": "string"}}},
}
USERS_NOTE = ("Writes: a Producer any user; a Production Manager users whose role is and stays Crew or VFX; "
              "anyone their own name, email, avatar and password (with `current_password`).")
LOGIN = {"allOf": [ref("Tokens"), {"type": "object", "required": ["user"], "properties": {"user": ref("User")}}]}

OPERATIONS = {
    "meta.health": Op("Is the API up", data=ref("Health")),
    "meta.openapi_document": Op("This OpenAPI document (bare, not an envelope)", RAW),
    "meta.docs": Op("Swagger UI for this document (HTML)", RAW, content=("text/html",)),
    "meta.docs_file": Op("Swagger UI's own files, served from the installed package", RAW,
                         content=("text/javascript", "text/css", "image/png"),
                         params={"filename": {"type": "string", "enum": list(DOCS_FILES)}}),
    "auth.login": Op("Log in with username (or email) and password", data=LOGIN, body=auth.LOGIN_SCHEMA, errors=(401, 429),
                     note="Wrong user and wrong password give the same 401; 5 failures in 15 minutes lock the name."),
    "auth.me": Op("The signed-in user", data=ref("User")),
    "auth.refresh": Op("New token pair for the refresh token sent as Bearer (rotation)", data=ref("Tokens"),
                       note="Send the refresh token, not the access token; the one used is revoked."),
    "auth.logout": Op("Revoke the presented token (and `refresh_token` if sent)", NONE, body=auth.LOGOUT_SCHEMA,
                      partial=True, body_optional=True),
    **crud("users", "user", "users", "User", users.SCHEMA, users.LISTING, errors=(403, 409), note=USERS_NOTE),
    "users.delete_user": Op("Delete a user (their tasks and shots are unassigned)", NONE, if_match=True,
                            errors=(403, 409), note=USERS_NOTE),
    **crud("tasks", "task", "tasks", "Task", tasks.SCHEMA, tasks.LISTING,
           note="Producer, Production Manager and Director read all tasks; other roles only those assigned "
                "to them. The assignee may change a task's `status` only."),
    "tasks.tasks_of": Op("Tasks assigned to a user", LIST, ref("Task"), listing=tasks.LISTING,
                         note="Roles that cannot read all tasks may list only their own."),
    **crud("vfx", "shot", "shots", "VfxShot", vfx.SCHEMA, vfx.LISTING, errors=(409,), update_body=vfx.UPDATE_SCHEMA),
    "vfx.shots_of": Op("VFX shots assigned to a user", LIST, ref("VfxShot"), listing=vfx.LISTING),
    "vfx.add_version": Op("Add the next version (v001, v002...) to a shot; answers the whole shot",
                          data=ref("VfxShot"), body=vfx.VERSION_SCHEMA, status=201),
}


def document(app, version):
    """The whole document for ``app``: every method of every /api rule in its url_map."""
    paths = {}
    for rule, method, view in api_rules(app):
        path = openapi_path(rule)
        op = OPERATIONS.get(rule.endpoint) or Op(f"{method} {path} (not yet described)")
        entry = operation(rule, method, op, view.permission)
        if getattr(view, "refresh", False):
            entry["security"] = [{"refreshToken": []}]
        paths.setdefault(path, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Prodsight API", "version": version,
                 "description": "Film production tracker. Every answer under /api is a JSON envelope "
                                "`{success, data, message}` or `{success: false, message, errors}`."},
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **ENVELOPES},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                           "description": "the access_token from POST /api/auth/login"},
                "refreshToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                 "description": "the refresh_token: only POST /api/auth/refresh takes it"},
            },
        },
        "security": [{"bearer": []}],
    }


def openapi_path(rule):
    """``/api/tasks/<task_id>`` (Flask, converters included) -> ``/api/tasks/{task_id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


def api_rules(app):
    """(rule, method, view function) for every method of every /api rule, HEAD and OPTIONS aside."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.rule.startswith("/api/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method, app.view_functions[rule.endpoint]


def operation(rule, method, op, permission):
    entry = {
        "operationId": rule.endpoint,
        "tags": [rule.endpoint.split(".")[0]],
        "summary": op.summary,
        "description": " ".join(filter(None, [who_may(permission), op.note])),
        "parameters": parameters(rule, op),
        "responses": {str(op.status): success(op), **errors(rule, op, permission)},
    }
    if permission == PUBLIC:
        entry["security"] = []
    content = {}
    if op.body is not None:
        content[JSON] = {"schema": request_schema(op.body, op.partial)}
    if op.form is not None:
        content["multipart/form-data"] = {"schema": {"type": "object", "properties": op.form}}
    if content:
        entry["requestBody"] = {"required": not op.body_optional, "content": content}
    return entry


def who_may(permission):
    if permission == PUBLIC:
        return "Public: no token needed."
    if permission == SIGNED_IN:
        return "Any signed-in user."
    roles = [role for role in ROLES if permission in PERMISSIONS[role]]
    return f"Roles: {', '.join(roles)} (permission `{permission}`)."


def parameters(rule, op):
    found = [{"name": name, "in": "path", "required": True, "schema": op.params.get(name, PATH_ID)}
             for name in rule.arguments]
    for param in found:
        if param["schema"] is PATH_ID:
            param["example"] = "1"  # ids start at "1": fuzzing and "Try it out" reach a real record
    if op.if_match:
        found.append({"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
                      "description": "the ETag last read: a stale one is a 412"})
    if op.listing is not None:
        found += list_parameters(op.listing)
    found += [{"name": name, "in": "query", "required": False, "schema": schema} for name, schema in op.query.items()]
    return found


PATH_ID = {"type": "string", "pattern": r"^[A-Za-z0-9._~-]+$", "maxLength": 50}


def list_parameters(spec):
    """SPEC §2's list conventions for a domain's ``ListSpec``: filters, q, sort and paging."""
    sorts = [prefix + name for name in spec.sortable for prefix in ("", "-")]
    schemas = {
        **{name: {"type": "string", "enum": list(values)} for name, values in spec.enums.items()},
        **{name: {"type": "string"} for name in spec.exact},
        "q": {"type": "string", "description": "case-insensitive search over " + ", ".join(spec.text)},
        "sort": {"type": "string", "enum": sorts, "description": "a field; prefix - for descending"},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
    }
    return [{"name": name, "in": "query", "required": False, "schema": schema} for name, schema in schemas.items()]


def request_schema(schema, partial):
    """A body the validator takes: its fields with their rules; unknown fields are a 400
    (server-owned ones sent back are ignored, so clients may echo a record)."""
    body = {"type": "object", "additionalProperties": False,
            "properties": {name: json_schema_of(f) for name, f in schema.items()}}
    required = [name for name, f in schema.items() if f.required and f.default is MISSING]
    if required and not partial:
        body["required"] = required
    return body


def success(op):
    if op.kind == RAW:
        return {"description": "OK", "content": {media: {"schema": {}} for media in op.content}}
    data = {"type": "array", "items": op.data} if op.kind == LIST else {"type": "null"} if op.kind == NONE else op.data
    answer = {"description": "Created" if op.status == 201 else "OK",
              "content": {JSON: {"schema": {"allOf": [ref("Success"), {"properties": {"data": data}}]}}}}
    if op.kind == RESOURCE:
        answer["headers"] = {"ETag": {"schema": {"type": "string"}, "description": "for If-Match"}}
    if op.kind == LIST:
        answer["headers"] = {"X-Total-Count": {"schema": {"type": "integer"}, "description": "the whole count"}}
    return answer


def errors(rule, op, permission):
    """The failures an operation can answer, derived from what it takes and who may call it."""
    statuses = set(op.errors)
    if op.body is not None or op.form is not None:
        statuses |= {400, 413, 415}
    if op.listing is not None:
        statuses.add(400)
    if permission != PUBLIC:
        statuses.add(401)
    if permission not in (PUBLIC, SIGNED_IN):
        statuses.add(403)
    if rule.arguments:
        statuses.add(404)
    if op.if_match:
        statuses.add(412)
    return {str(status): {"description": STATUS_TEXT[status], "content": {JSON: {"schema": ref("Error")}}}
            for status in sorted(statuses)}


ENVELOPES = {
    "Success": {
        "type": "object", "required": ["success", "data", "message"],
        "properties": {
            "success": {"const": True},
            "data": {},
            "message": {"type": "string", "minLength": 1, "description": 'short and human: "12 tasks", "Task 4"'},
            "meta": {"type": "object", "required": ["page", "per_page", "total"],
                     "description": "only on a list asked for with page or per_page",
                     "properties": {"page": {"type": "integer", "minimum": 1},
                                    "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                                    "total": {"type": "integer", "minimum": 0}}},
        },
    },
    "Error": {
        "type": "object", "required": ["success", "message"],
        "properties": {
            "success": {"const": False},
            "message": {"type": "string", "minLength": 1},
            "errors": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "field name -> what to fix"},
        },
    },
}
