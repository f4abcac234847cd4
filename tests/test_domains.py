"""A domain is wired in one place (issue 18, utils/domains.py): one ``Domain`` declaration added to
app.DOMAINS gives the store its collection, check-data its schema and checks, the demo its seed step,
the activity log its entity and words, and the OpenAPI document its operations and schemas."""
import pytest
from flask import Blueprint, g

import app as app_module
from services import integrity
from services.openapi.shapes import LIST, Op, model, ref
from services.records import Records
from utils import domains
from utils.auth import SIGNED_IN, requires
from utils.domains import Domain, Entity
from utils.requests import json_body
from utils.responses import ok_list, ok_resource
from utils.store import get_store
from utils.validation import String, validate

PROPS = "props"
SCHEMA = {"name": String(min_len=1, max_len=50, required=True)}
props = Records(PROPS, "Prop", lambda record: record, entity="prop")


def toy_domain():
    """A small domain of its own: stage props, listed and created through one blueprint."""
    bp = Blueprint("props", __name__, url_prefix="/props")

    @bp.get("")
    @requires(SIGNED_IN)
    def list_props():
        items = props.all()
        return ok_list(type("Page", (), {"items": items, "total": len(items), "meta": None})(), "prop")

    @bp.post("")
    @requires(SIGNED_IN)
    def create_prop():
        return ok_resource(props.create(validate(json_body(), SCHEMA), g.user), "Prop created", 201)

    def seed(demo):
        props.create({"name": f"Lantern for {demo.people['director']['name']}"}, demo.producer)

    def no_unnamed_lantern():
        return [f"props.json record {key}: a lantern needs a name" for key, record in integrity.records(PROPS)
                if record.get("name") == "lantern"]

    return Domain(bp, collections=(PROPS,), schemas={PROPS: SCHEMA}, checks=(no_unnamed_lantern,), seed=seed,
                  entities=(Entity("prop", "stage prop"),),
                  operations={"props.list_props": Op("List stage props", LIST, ref("Prop")),
                              "props.create_prop": Op("Create a stage prop", data=ref("Prop"), body=SCHEMA, status=201)},
                  components={"Prop": model(SCHEMA)})


@pytest.fixture(autouse=True)
def with_toy_domain(monkeypatch):
    """Every app these tests make (conftest's ``app``) lists the toy domain after the real ones."""
    monkeypatch.setattr(app_module, "DOMAINS", (*app_module.DOMAINS, toy_domain()))


def test_the_store_knows_the_domain_collection(app):
    with app.app_context():
        with get_store().transaction(PROPS) as transaction:  # a record collection, not a document
            assert transaction.records(PROPS).insert({"name": "Rope"})["id"] == "1"
        assert PROPS in domains.production_names()


def test_a_write_logs_one_event_with_the_domain_noun(client, auth):
    created = client.post("/api/props", json={"name": "Brass lantern"}, headers=auth.headers("crew"))
    assert created.status_code == 201, created.get_json()
    events = client.get("/api/activity?entity=prop", headers=auth.headers("producer")).get_json()["data"]
    assert [(e["action"], e["entityId"], e["summary"]) for e in events] == [
        ("create", created.get_json()["data"]["id"], 'Crew created stage prop 1 "Brass lantern"')]


def test_an_entity_no_domain_declares_is_refused(client, auth):
    response = client.get("/api/activity?entity=spaceship", headers=auth.headers("producer"))
    assert response.status_code == 400
    assert "prop" in response.get_json()["errors"]["entity"]


def test_the_demo_seeds_the_domain_after_the_ones_before_it(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        assert [record["name"] for record in get_store().scan(PROPS)] == ["Lantern for Daniel Director"]


def test_check_data_runs_the_domain_schema_and_checks(app, runner):
    with app.app_context():
        with get_store().transaction(PROPS) as transaction:
            transaction.records(PROPS).insert({"name": "lantern"})
            transaction.records(PROPS).insert({"name": 7})
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 1
    assert "props.json record 1: a lantern needs a name" in result.output
    assert "props.json record 2: name must be a string" in result.output


def test_the_openapi_document_holds_the_domain_operations(client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["paths"]["/api/props"]["post"]["summary"] == "Create a stage prop"
    assert doc["paths"]["/api/props"]["get"]["summary"] == "List stage props"
    assert "Prop" in doc["components"]["schemas"]
