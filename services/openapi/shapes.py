"""The building blocks of the OpenAPI document: ``Op`` (what one route takes and answers) and the
JSON Schema shapes the domains' declarations (services/openapi/<domain>.py) are written with."""
from dataclasses import dataclass, field

from utils.listing import MAX_PER_PAGE
from utils.validation import json_schema_of

RESOURCE, DATA, LIST, NONE, RAW = "resource", "data", "list", "none", "raw"
JSON = "application/json"

@dataclass(frozen=True)
class Op:
    """What one route takes and answers; everything else is derived."""

    summary: str
    kind: str = RESOURCE  # RESOURCE (data + ETag), DATA (no ETag), LIST (array + X-Total-Count), NONE (data null), RAW
    data: dict = field(default_factory=dict)  # JSON Schema of `data` (of one item for a LIST)
    body: dict | None = None  # a validator schema: field name -> Field
    partial: bool = False  # an update: no field is required
    body_optional: bool = False  # an empty body is fine too (logout)
    status: int = 200
    also: tuple = ()  # more success statuses answered like the main one (206 and 304 of a download)
    created: dict | None = None  # JSON Schema of `data` of a second, 201 answer (a PUT that creates, ?apply=true)
    listing: object = None  # the domain's ListSpec: its filters become query parameters
    if_match: bool = False
    errors: tuple = ()  # statuses the service may answer beyond the derived ones
    note: str = ""  # a rule the permission alone does not tell
    content: tuple = (JSON,)  # media types of a RAW success
    form: dict | None = None  # multipart/form-data fields -> JSON Schema (FILE for an upload), beside or instead of body
    params: dict = field(default_factory=dict)  # path parameter -> JSON Schema, when not a plain id
    query: dict = field(default_factory=dict)  # extra query parameters -> JSON Schema
    downloads: tuple = ()  # media types the same success also comes as, asked for with ?format= (CSV, PDF)
    raw_body: dict | None = None  # a JSON Schema of the body, when no validator schema describes it


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
STRING, NUMBER = {"type": "string"}, {"type": "number"}
COUNT = {"type": "integer", "minimum": 0}
MONEY = {"type": "number", "description": "rounded to cents"}
DATE = {"type": "string", "format": "date"}
VERSION = {"type": "string", "pattern": r"^[1-9][0-9]*$", "description": '"1", "2", ...'}

def obj(**properties):
    """A response object: every property listed is present (extra ones are allowed)."""
    return {"type": "object", "required": list(properties), "properties": properties}


def array(items):
    return {"type": "array", "items": items}


def or_null(schema):
    return {"anyOf": [schema, {"type": "null"}]}


def query_of(schema):
    """A service's query-parameter schema (checked with ``validate_query``) as documented parameters."""
    return {name: json_schema_of(f) for name, f in schema.items()}


def form(schema):
    """A validator schema as multipart text fields (a form sends no null: an empty value is one)."""
    return {name: f.json_schema() for name, f in schema.items()}


PAGING = {"page": {"type": "integer", "minimum": 1},
          "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}}
