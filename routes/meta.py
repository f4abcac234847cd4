import functools
import mimetypes
from importlib.resources import files

from flask import Blueprint, Response, current_app, jsonify, render_template

from services import openapi
from utils.auth import PUBLIC, requires
from utils.errors import NotFound
from utils.responses import ok

VERSION = "1.0.0"
# Swagger UI's files come from the installed flask-swagger-ui package: nothing from a CDN.
SWAGGER_UI_DIST = files("flask_swagger_ui") / "dist"
from services.openapi import meta as api
from utils.domains import Domain

bp = Blueprint("meta", __name__, template_folder="templates")


@bp.get("/health")
@requires(PUBLIC)
def health():
    return ok({"status": "ok", "version": VERSION}, "API is up")


@bp.get("/openapi.json")
@requires(PUBLIC)
def openapi_document():
    return jsonify(openapi.document(current_app, VERSION))  # the bare document: not an envelope


@bp.get("/docs")
@requires(PUBLIC)
def docs():
    return render_template("docs.html")


@bp.get("/docs/<filename>")
@requires(PUBLIC)
def docs_file(filename):
    if filename not in api.DOCS_FILES:
        raise NotFound(f"No docs file named {filename}")
    response = Response(_docs_file(filename), mimetype=mimetypes.guess_type(filename)[0])
    response.cache_control.max_age = 3600
    return response


@functools.cache
def _docs_file(filename):
    """A few static files of an installed package: read once, kept in memory."""
    return (SWAGGER_UI_DIST / filename).read_bytes()


domain = Domain(bp, operations=api.OPERATIONS, components=api.SCHEMAS)
