"""The OpenAPI document is whole and true: every route is in it, every documented path exists, its
fields are what the validator accepts, and the docs page loads nothing from outside."""
import datetime
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import MethodNotAllowed, NotFound

from app import DOMAINS
from services import openapi, tasks, users, vfx
from services.openapi.meta import DOCS_FILES
from utils.validation import MISSING, FieldError, FileSize, json_schema_of

# What the domains declare before any app exists (a table built with the document takes no body).
DECLARED = {endpoint: op for domain in DOMAINS if not callable(domain.operations)
            for endpoint, op in domain.operations.items()}
BODIES = {endpoint: op.body for endpoint, op in DECLARED.items() if op.body is not None}
FIELDS = [(f"{endpoint}.{name}", f) for endpoint, body in BODIES.items() for name, f in body.items()]


@pytest.fixture
def doc(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_the_document_is_bare_openapi_3_1_not_an_envelope(doc):
    assert doc["openapi"] == "3.1.0"
    assert "success" not in doc
    schemes = doc["components"]["securitySchemes"]
    assert {schemes["bearer"]["scheme"], schemes["refreshToken"]["scheme"]} == {"bearer"}


def test_every_flask_rule_is_documented_and_declared(app, doc):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        assert rule.endpoint in openapi.declared(app)[0], f"{rule.endpoint} ({rule.rule}) is not declared by its domain"
        path = openapi.openapi_path(rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in doc["paths"][path], f"{method} {path} is not documented"


def test_every_documented_operation_exists(app, doc):
    adapter = app.url_map.bind("localhost")
    for path, methods in doc["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "1", path).replace("/docs/1", "/docs/swagger-ui.css")
        for method, entry in methods.items():
            try:
                endpoint, _args = adapter.match(concrete, method=method.upper())
            except (NotFound, MethodNotAllowed):
                pytest.fail(f"{method.upper()} {path} is documented but no route answers it")
            assert endpoint == entry["operationId"]


def test_every_declared_operation_names_a_real_view(app):
    operations = openapi.declared(app)[0]
    assert set(operations) <= set(app.view_functions), set(operations) - set(app.view_functions)


def test_public_operations_need_no_token_and_the_rest_need_the_bearer(doc):
    public = {(m, p) for p, ops in doc["paths"].items() for m, e in ops.items() if e.get("security") == []}
    assert public == {("get", "/api/health"), ("post", "/api/auth/login"), ("get", "/api/openapi.json"),
                      ("get", "/api/docs"), ("get", "/api/docs/{filename}")}
    assert doc["security"] == [{"bearer": []}]
    assert doc["paths"]["/api/auth/refresh"]["post"]["security"] == [{"refreshToken": []}]
    assert "401" in doc["paths"]["/api/tasks"]["get"]["responses"]


def test_each_operation_names_the_roles_allowed(doc):
    assert doc["paths"]["/api/vfx"]["post"]["description"].startswith("Roles: Producer, VFX (permission `vfx:write`)")
    assert doc["paths"]["/api/health"]["get"]["description"].startswith("Public")
    assert doc["paths"]["/api/auth/me"]["get"]["description"].startswith("Any signed-in user")


def test_envelopes_require_a_message(doc):
    schemas = doc["components"]["schemas"]
    assert schemas["Success"]["required"] == ["success", "data", "message"]
    assert schemas["Error"]["required"] == ["success", "message"]


def test_a_create_body_requires_what_the_validator_requires_and_an_update_nothing(doc):
    create = doc["paths"]["/api/tasks"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    update = doc["paths"]["/api/tasks/{task_id}"]["put"]["requestBody"]["content"]["application/json"]["schema"]
    assert create["required"] == ["title"]
    assert "required" not in update
    assert create["additionalProperties"] is False
    assert create["properties"]["title"] == {"type": "string", "maxLength": 200, "minLength": 1, "pattern": r"\S"}
    assert create["properties"]["estimatedHours"] == {"type": ["number", "null"], "minimum": 0, "maximum": 10000,
                                                      "default": None}


def test_documented_enums_are_the_validators_own(doc):
    properties = doc["components"]["schemas"]["Task"]["properties"]
    assert properties["status"]["enum"] == list(tasks.STATUSES) == ["todo", "in_progress", "done"]
    assert doc["components"]["schemas"]["User"]["properties"]["role"]["enum"] == list(users.SCHEMA["role"].choices)
    assert doc["components"]["schemas"]["VfxVersion"]["properties"]["status"]["enum"] == list(vfx.VERSION_STATUSES)
    for name, f in FIELDS:
        if hasattr(f, "choices"):
            assert json_schema_of(f)["enum"][:len(f.choices)] == list(f.choices), name


def test_list_operations_document_their_filters_sort_and_paging(doc):
    params = {p["name"]: p["schema"] for p in doc["paths"]["/api/tasks"]["get"]["parameters"]}
    assert params["status"]["enum"] == ["todo", "in_progress", "done"]
    assert "-dueDate" in params["sort"]["enum"]
    assert params["per_page"] == {"type": "integer", "minimum": 1, "maximum": 500}
    assert {"q", "category", "assigneeId", "page"} <= set(params)


# -- documented fields are what the validator accepts -------------------------------------------
def strategy(schema):
    """Values of a documented field schema, for the keywords the validator's fields emit."""
    known = {"type", "enum", "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum",
             "multipleOf", "anyOf", "items", "maxItems", "format", "default", "description", "properties", "required"}
    assert set(schema) <= known, f"teach this test the keywords {set(schema) - known}"
    if "anyOf" in schema:
        return st.one_of([strategy(option) for option in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return st.one_of([_of_kind(kind, schema) for kind in kinds])


def _of_kind(kind, schema):
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", -10**6))
        low += 1 if "exclusiveMinimum" in schema else 0
        whole = st.integers(min_value=low, max_value=schema.get("maximum", 10**6))
        if kind == "integer" or "multipleOf" not in schema:
            return whole
        step = Decimal(str(schema["multipleOf"]))
        return whole.map(lambda n: float(Decimal(n) * step))
    if kind == "object":  # an item of a list of objects: its required properties, and any of the others
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries({name: strategy(properties[name]) for name in required},
                                     optional={name: strategy(p) for name, p in properties.items() if name not in required})
    if kind == "array":
        return st.lists(strategy(schema["items"]) if "items" in schema else st.integers(),
                        max_size=min(schema.get("maxItems", 3), 3))
    return _string(schema)


def _string(schema):
    if schema.get("format") == "date":
        return st.dates().map(datetime.date.isoformat)
    if schema.get("format") == "date-time":
        zones = st.sampled_from([datetime.timezone.utc, datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))])
        return st.datetimes(timezones=zones).map(lambda moment: moment.isoformat().replace("+00:00", "Z"))
    low, high = schema.get("minLength", 0), schema.get("maxLength", 10**6)
    pattern = schema.get("pattern")
    if pattern is None:
        text = st.text(max_size=min(high, 60))
    elif pattern.startswith("^") and pattern.endswith("$"):  # JSON Schema's $ is the very end, unlike Python's
        text = st.from_regex(pattern[1:-1], fullmatch=True)
    else:
        text = st.from_regex(pattern)
    return text.filter(lambda value: low <= len(value) <= high)


@pytest.mark.parametrize("name,field", FIELDS, ids=[name for name, _f in FIELDS])
def test_every_body_field_documents_its_type(name, field):
    assert field.json_schema(), f"{name}: give {type(field).__name__} a json_schema() method"


@pytest.mark.parametrize("name,field", FIELDS, ids=[name for name, _f in FIELDS])
@settings(max_examples=25, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_values_the_document_allows_are_accepted_by_the_validator(name, field, data):
    schema = json_schema_of(field)
    if schema.get("not") == {}:  # documented as taking no value at all: the validator refuses any
        with pytest.raises(FieldError):
            field.clean(data.draw(st.one_of(st.none(), st.integers(), st.text(), st.lists(st.integers()))))
        return
    value = data.draw(strategy(schema))
    try:
        field.clean(value)
    except FieldError as exc:
        # The one bound a pattern cannot say: a size with a unit may total more than the maximum.
        if not (isinstance(field, FileSize) and "at most" in str(exc)):
            raise AssertionError(f"{name}: documented value {value!r} refused: {exc}") from None


def test_documented_defaults_are_the_validators(doc):
    properties = doc["components"]["schemas"]["Task"]["properties"]
    assert properties["priority"]["default"] == "medium"
    for name, f in FIELDS:
        if f.default is not MISSING and not callable(f.default):
            assert json_schema_of(f)["default"] == f.default, name


# -- Swagger UI, offline ---------------------------------------------------------------------------
OUTSIDE = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//(?!localhost|127\.0\.0\.1)""", re.I)
CSS_OUTSIDE = re.compile(r"""url\(\s*["']?(?:https?:)?//(?!localhost|127\.0\.0\.1)""", re.I)


def test_docs_page_is_html_that_loads_swagger_ui_from_this_server(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'src="/api/docs/swagger-ui-bundle.js"' in html
    assert 'url: "/api/openapi.json"' in html
    assert "persistAuthorization: true" in html
    assert not OUTSIDE.search(html)


def test_no_docs_asset_loads_anything_from_outside(client):
    html = client.get("/api/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/api/docs/[^"]+)"', html)
    assert sorted(assets) == sorted(f"/api/docs/{name}" for name in DOCS_FILES)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        if asset.endswith(".css"):
            assert not CSS_OUTSIDE.search(response.get_data(as_text=True)), asset
    assert "validatorUrl: null" in html  # Swagger UI would otherwise load a badge from its validator


def test_an_unknown_docs_file_is_a_json_404(client):
    response = client.get("/api/docs/../../app.py")
    assert response.status_code == 404
    response = client.get("/api/docs/swagger-ui-bundle.js.map")
    assert response.status_code == 404 and response.get_json()["success"] is False


def test_an_upload_documents_its_multipart_form_beside_json(app):
    upload = openapi.Op("Upload", form={"file": openapi.FILE, "tags": {"type": "string"}}, body={}, status=201)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "vfx.add_version")
    entry = openapi.operation(rule, "PUT", upload, "vfx:write")
    content = entry["requestBody"]["content"]
    assert content["multipart/form-data"]["schema"]["properties"]["file"] == {"type": "string", "format": "binary"}
    assert set(content) == {"application/json", "multipart/form-data"}
    assert {"201", "400", "413", "415"} <= set(entry["responses"])
