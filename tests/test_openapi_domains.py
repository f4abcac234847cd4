"""The OpenAPI document of the budget, script, assets, analytics and activity routes: what each
takes beyond a JSON body (query parameters, multipart forms), the second 201 answers, the download,
and the query parameters documented from the very schemas the services check them with."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services import activity as events
from services import budget, scene_fields
from services.openapi.shapes import query_of
from tests.test_openapi import strategy  # values of a documented schema, for the validator's keywords
from utils.errors import ValidationError
from utils.validation import QueryDate, validate_query


@pytest.fixture
def doc(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def query_params(doc, path, method="get"):
    return {p["name"]: p["schema"] for p in doc["paths"][path][method]["parameters"] if p["in"] == "query"}


def test_date_query_parameters_are_documented_as_dates_only(doc):
    date = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    assert query_params(doc, "/api/budget/forecast")["asOf"] == date
    assert query_params(doc, "/api/analytics/summary")["asOf"] == date
    history = query_params(doc, "/api/budget/history")
    assert history["from"] == history["to"] == date
    assert {"category", "q", "sort", "page", "per_page"} <= set(history)
    assert "400" in doc["paths"]["/api/budget/forecast"]["get"]["responses"]


def test_activity_documents_its_filters_and_paging_but_no_sort(doc):
    params = query_params(doc, "/api/activity")
    assert set(params) == {"entity", "action", "entityId", "actorId", "from", "to", "after", "page", "per_page"}
    assert sorted(params["entity"]["enum"]) == sorted([  # SPEC's entities, declared by their domains
        "user", "task", "vfx_shot", "vfx_version", "scene", "script", "budget", "budget_category", "budget_entry",
        "asset", "cast_member", "schedule", "release", "deliverable"])
    assert params["action"]["enum"] == ["create", "update", "delete", "restore"]
    assert params["per_page"] == {"type": "integer", "minimum": 1, "maximum": 500}
    # bounded: an unbounded one let a served check build URLs over the server's line limit (a 414)
    assert params["entityId"]["maxLength"] == params["actorId"]["maxLength"] == 100


def test_a_list_without_sortable_fields_or_search_documents_only_paging(doc):
    assert set(query_params(doc, "/api/script/versions")) == {"page", "per_page"}


def test_assets_list_documents_its_case_insensitive_type_filter(doc):
    params = query_params(doc, "/api/assets")
    assert params["type"]["type"] == "string" and "ignoring case" in params["type"]["description"]
    assert "enum" not in params["category"] and "ignoring case" in params["category"]["description"]


def test_uploads_document_their_multipart_forms(doc):
    upload = doc["paths"]["/api/assets/upload"]["post"]["requestBody"]["content"]
    assert set(upload) == {"multipart/form-data"}
    fields = upload["multipart/form-data"]["schema"]["properties"]
    assert set(fields) == {"file", "description", "tags", "category", "sceneId", "shotId"}
    assert fields["file"] == {"type": "string", "format": "binary"}
    assert upload["multipart/form-data"]["schema"]["required"] == ["file"]
    assert "null" not in str(fields["category"])  # a form sends text: an empty value, never null
    version = doc["paths"]["/api/vfx/version/{shot_id}"]["put"]["requestBody"]["content"]
    assert set(version) == {"application/json", "multipart/form-data"}
    assert set(version["multipart/form-data"]["schema"]["properties"]) == {"file", "status", "notes", "date"}
    breakdown = doc["paths"]["/api/script/breakdown"]["post"]
    assert set(breakdown["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert breakdown["requestBody"]["required"] is False  # neither text nor file: the stored text
    assert query_params(doc, "/api/script/breakdown", "post")["apply"]["enum"] == ["true", "false", "1", "0"]


def test_a_put_that_creates_and_an_applied_breakdown_document_their_201(doc):
    category = doc["paths"]["/api/budget/category/{name}"]["put"]["responses"]
    assert {"200", "201", "409", "412"} <= set(category)
    breakdown = doc["paths"]["/api/script/breakdown"]["post"]["responses"]
    data = [breakdown[status]["content"]["application/json"]["schema"]["allOf"][1]["properties"]["data"]
            for status in ("200", "201")]
    assert data == [{"$ref": "#/components/schemas/Breakdown"}, {"$ref": "#/components/schemas/Script"}]
    assert "201" in doc["paths"]["/api/script/versions/{version}/restore"]["post"]["responses"]


def test_the_download_documents_bytes_ranges_and_not_modified(doc):
    download = doc["paths"]["/api/assets/download/{filename}"]["get"]
    responses = download["responses"]
    # a file goes out as its asset's type (image/png...): any type (a served check found application/octet-stream false)
    assert set(responses["200"]["content"]) == set(responses["206"]["content"]) == {"*/*"}
    assert "content" not in responses["304"]
    assert {"401", "403", "404", "416"} <= set(responses)


def test_scene_bodies_document_the_legacy_aliases(doc):
    body = doc["paths"]["/api/script/scenes"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["timeOfDay"] == body["properties"]["day_night"]
    assert body["properties"]["status"]["enum"] == list(scene_fields.SCENE_STATUSES)


def test_a_broken_down_scene_has_no_id_but_a_stored_one_has(doc):
    schemas = doc["components"]["schemas"]
    assert "id" in schemas["Scene"]["required"]
    assert "id" not in schemas["ParsedScene"]["required"]


QUERIES = {"budget.history": budget.HISTORY_QUERY, "budget.asOf": budget.AS_OF_QUERY, "activity": events.FILTERS}  # `entity` needs the app: its values are the domains'


@pytest.mark.parametrize("name", QUERIES)
@settings(max_examples=25, derandomize=True, database=None, deadline=None)
@given(data=st.data())
def test_documented_query_values_are_accepted(name, data):
    schema = QUERIES[name]
    documented = query_of(schema)
    args = {param: data.draw(strategy(spec)) for param, spec in documented.items()}
    assert validate_query(args, schema) == args


def test_a_query_date_refuses_a_timestamp_and_names_the_parameter():
    with pytest.raises(ValidationError) as caught:
        validate_query({"from": "2026-11-25T17:04:28Z", "page": "x"}, {"from": QueryDate()})
    assert caught.value.errors == {"from": "must be a date YYYY-MM-DD"}
    assert caught.value.message == "Invalid query parameters"


def test_the_activity_after_filter_is_still_checked_against_the_log(client, auth):
    response = client.get("/api/activity?after=999999", headers=auth.headers("producer"))
    assert response.status_code == 400
    assert response.get_json() == {"success": False, "message": "Invalid query parameters",
                                   "errors": {"after": "must be the id of an event in the log"}}


@pytest.mark.parametrize("after, message", [
    ("9" * 5000, "must be at most 20 characters"),  # was a 500: int() refuses over 4300 digits (fuzzing found it)
    ("abc", "must be the id of an event in the log"),
])
def test_an_absurd_activity_after_is_a_400_not_a_500(client, auth, after, message):
    response = client.get(f"/api/activity?after={after}", headers=auth.headers("producer"))
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"after": message}


def test_an_overlong_activity_id_filter_is_a_400(client, auth):
    response = client.get("/api/activity?entityId=" + "x" * 101, headers=auth.headers("producer"))
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"entityId": "must be at most 100 characters"}
