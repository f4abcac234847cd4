"""The OpenAPI 3.1 document of the API (SPEC §3 Analytics and meta).

Built from what the app already knows, so it cannot drift from it: the paths, methods and path
parameters come from Flask's url_map, who may call each operation from the view's ``@requires``
permission and the role table, field types, enums and bounds from the validator's schemas, and
list parameters from the domain's ``ListSpec``. Only what an operation takes and answers is declared,
by each domain (``Domain.operations`` and ``components``, written in services/openapi/<domain>.py
with the shapes of services/openapi/shapes.py: one line per route, ``crud()`` for a collection).
"""
import re
from dataclasses import replace

from services.openapi.shapes import (FILE, JSON, LIST, NONE, RAW, RESOURCE, PAGING, Op,  # noqa: F401 (FILE: for callers)
                                     ref)
from utils import domains
from utils.auth import PUBLIC, SIGNED_IN
from utils.listing import MAX_PER_PAGE
from utils.permissions import PERMISSIONS, ROLES
from utils.validation import MISSING, json_schema_of

STATUS_TEXT = {
    400: "Validation failed: malformed JSON, a missing, invalid or unknown field (named in `errors`)",
    401: "No token, bad signature, expired, revoked, wrong token type, or the user no longer exists",
    403: "Signed in, but the role (or an ownership rule) does not allow this",
    404: "Unknown id",
    409: "Conflict with the stored data (duplicate, last Producer, deleting yourself)",
    412: "`If-Match` was sent and is stale: re-read and retry",
    413: "Body over the limit (JSON bodies: 1 MiB; uploads: PRODSIGHT_MAX_UPLOAD_MB)",
    416: "The Range asked for is not satisfiable",
    415: "A body that is not JSON (send `Content-Type: application/json`)",
    429: "Too many failed logins: wait `Retry-After` seconds",
}



def document(app, version):
    """The whole document for ``app``: every method of every /api rule in its url_map."""
    operations, schemas = declared(app)
    paths = {}
    for rule, method, view in api_rules(app):
        path = openapi_path(rule)
        op = operations.get(rule.endpoint) or Op(f"{method} {path} (not yet described)")
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
            "schemas": {**schemas, **ENVELOPES},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                           "description": "the access_token from POST /api/auth/login"},
                "refreshToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                 "description": "the refresh_token: only POST /api/auth/refresh takes it"},
            },
        },
        "security": [{"bearer": []}],
    }


def declared(app):
    """({endpoint: Op}, {component name: schema}) of every domain the app registered."""
    operations, schemas = {}, {}
    with app.app_context():  # a table built now may ask the registered domains (the activity log's entities)
        for domain in domains.registered(app):
            operations.update(_built(domain.operations))
            schemas.update(_built(domain.components))
    return operations, schemas


def _built(table):
    return table() if callable(table) else table


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
        "responses": {str(op.status): success(op), **also(op), **errors(rule, op, permission)},
    }
    if permission == PUBLIC:
        entry["security"] = []
    content = {}
    if op.body is not None:
        content[JSON] = {"schema": request_schema(op.body, op.partial)}
    if op.raw_body is not None:
        content[JSON] = {"schema": op.raw_body}
    if op.form is not None:
        files = [name for name, schema in op.form.items() if schema is FILE]  # a form without its file is a 400
        content["multipart/form-data"] = {"schema": {"type": "object", "required": files, "properties": op.form}}
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
    found += query_parameters(op.query)
    return found


PATH_ID = {"type": "string", "pattern": r"^[A-Za-z0-9._~-]+$", "maxLength": 50}


def list_parameters(spec):
    """SPEC §2's list conventions for a domain's ``ListSpec``: filters, q, sort and paging."""
    sorts = [prefix + name for name in spec.sortable for prefix in ("", "-")]
    schemas = {
        **{name: {"type": "string", "enum": list(values)} for name, values in spec.enums.items()},
        **{name: {"type": "string"} for name in spec.exact},
        **{name: {"type": "string", "description": "exact, ignoring case"} for name in spec.exact_ci},
    }
    if spec.text:
        schemas["q"] = {"type": "string", "description": "case-insensitive search over " + ", ".join(spec.text)}
    if spec.sortable:
        schemas["sort"] = {"type": "string", "enum": sorts, "description": "a field; prefix - for descending"}
    return query_parameters({**schemas, **PAGING})


def query_parameters(schemas):
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
    answer["content"].update({media: {"schema": {"type": "string", "format": "binary"}} for media in op.downloads})
    if op.kind == RESOURCE:
        answer["headers"] = {"ETag": {"schema": {"type": "string"}, "description": "for If-Match"}}
    if op.kind == LIST:
        answer["headers"] = {"X-Total-Count": {"schema": {"type": "integer"}, "description": "the whole count"}}
    return answer


def also(op):
    """The other success answers: a 201 with ``op.created`` data, a download's 206 and 304."""
    answers = {"201": success(replace(op, data=op.created, status=201))} if op.created is not None else {}
    for status in op.also:
        answers[str(status)] = {"description": OTHER_SUCCESS[status]}
        if status != 304:  # a 304 has no body
            answers[str(status)]["content"] = success(op)["content"]
    return answers


OTHER_SUCCESS = {206: "Partial content: the Range asked for", 304: "Not modified: If-None-Match matched the ETag"}


def errors(rule, op, permission):
    """The failures an operation can answer, derived from what it takes and who may call it."""
    statuses = set(op.errors)
    if op.body is not None or op.form is not None or op.raw_body is not None:
        statuses |= {400, 413, 415}
    if op.listing is not None or op.query:
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
