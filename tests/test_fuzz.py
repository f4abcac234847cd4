"""Generated traffic against the WSGI app, from /api/openapi.json (schemathesis, seeded and bounded).

Every operation, signed in as a Producer on the demo production, with data that fits the document
and data that does not: no 5xx, every status and content type documented, every body matching its
documented schema, and a missing or invalid token always a 401.
"""
import pytest
import schemathesis
from flask_jwt_extended import create_access_token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from services import demo
from tests.conftest import SECRET

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, ignored_auth]
EXAMPLES_PER_OPERATION = 8


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzz")
    app = create_app({
        "TESTING": True, "DATA_DIR": str(base / "data"), "UPLOAD_DIR": str(base / "uploads"),
        "SECRET_KEY": SECRET, "JWT_SECRET_KEY": SECRET, "AUTO_SEED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    })
    with app.app_context():
        demo.seed_if_empty()
    return app


@pytest.fixture(scope="module")
def api_schema(fuzzed_app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", fuzzed_app)
    schema.config.generation.update(
        modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
        max_examples=EXAMPLES_PER_OPERATION, deterministic=True, database="none",
    )
    return schema


@pytest.fixture(scope="module")
def producer_token(fuzzed_app):
    return lambda: _token_for(fuzzed_app, "producer")


def _token_for(app, username):
    with app.app_context():
        from services.users import find_by_login

        return create_access_token(identity=find_by_login(username)["id"])


fuzzed = schemathesis.pytest.from_fixture("api_schema")


@fuzzed.parametrize()
def test_generated_requests_get_documented_answers(case, producer_token):
    # A fresh token per request: a generated logout revokes the token it is sent with.
    case.call_and_validate(headers={"Authorization": f"Bearer {producer_token()}"}, checks=CHECKS)
