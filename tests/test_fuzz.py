"""Generated traffic against the WSGI app, from /api/openapi.json (schemathesis, seeded and bounded).

Every operation, signed in as a Producer on the demo production, with data that fits the document
and data that does not: no 5xx, every status and content type documented, every body matching its
documented schema, and a missing or invalid token always a 401.
"""
import os

import pytest
import schemathesis
from flask_jwt_extended import create_access_token, create_refresh_token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from services import demo
from services import users as users_service
from tests.conftest import SECRET

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, ignored_auth]
# Small and derandomized for CI; raise it by hand for a deeper search (PRODSIGHT_FUZZ_EXAMPLES=200).
EXAMPLES_PER_OPERATION = int(os.environ.get("PRODSIGHT_FUZZ_EXAMPLES", "8"))


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzz")
    app = create_app({
        "TESTING": True, "DATA_DIR": str(base / "data"), "UPLOAD_DIR": str(base / "uploads"),
        "SECRET_KEY": SECRET, "JWT_SECRET_KEY": SECRET, "AUTO_SEED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "PROPOSE_SEARCH_CAP": 0.05,  # generated proposals search 50 ms at most, whatever timeLimitSeconds says
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
    """A fresh Producer token for a generated request: the refresh token where that is what the
    operation takes, and a new one each time since a generated logout revokes the token it sends."""

    def token(case):
        with fuzzed_app.app_context():
            producer_id = users_service.find_by_login("producer")["id"]
            if case.operation.path == "/api/auth/refresh":
                return create_refresh_token(identity=producer_id)
            return create_access_token(identity=producer_id)

    return token


fuzzed = schemathesis.pytest.from_fixture("api_schema")


@fuzzed.parametrize()
def test_generated_requests_get_documented_answers(case, producer_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {producer_token(case)}"}, checks=CHECKS)
