"""Prodsight API: `create_app()` builds the Flask app; `python app.py` serves it."""
import logging
import sys

from flask import Flask, request
from flask_cors import CORS
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.serving import WSGIRequestHandler

import cli
from routes import (activity as activity_routes, ai, analysis, analytics, assets, auth as auth_routes, budget,
                    distribution, meta, schedule, script, tasks, users, vfx)
from services import demo
from utils import activity, auth, domains, errors, serialise, settings, store, uploads
from utils.requests import JSON_LIMIT

log = logging.getLogger("prodsight")

# Every domain, once (utils/domains.py). The order is the demo production's: users before the tasks
# assigned to them, the script before the shots and the schedule made of its scenes, assets before
# the deliverables made of them.
DOMAINS = (meta.domain, auth_routes.domain, users.domain, tasks.domain, script.domain, vfx.domain, budget.domain,
           assets.domain, distribution.domain, schedule.domain, ai.domain, analysis.domain, analytics.domain,
           activity_routes.domain)


def create_app(config=None):
    """Defaults from the environment and `.env`, then ``config`` overrides (tests use that)."""
    app = Flask(__name__)
    app.config.update(settings.from_environment())
    app.config.update(AUTO_SEED=True, JWT_TOKEN_LOCATION=["headers"])
    app.config.update(config or {})
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    app.json = serialise.JSONProvider(app)  # orjson: lists of thousands of tasks encode fast
    app.json.sort_keys = False  # records keep their field order
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    data_store = store.init_app(app)
    uploads.init_app(app)
    settings.settle_secrets(app.config, data_store)
    with app.app_context():
        auth.init_app(app)
        domains.init_app(app, DOMAINS)
        _report_store_problems(data_store)
        _warn_about_demo_password()

    CORS(
        app,
        resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}},
        allow_headers=["Authorization", "Content-Type", "If-Match"],
        expose_headers=["ETag", "X-Total-Count"],
        always_send=False,  # only answer requests that carry an Origin
    )
    errors.register_error_handlers(app)
    activity.init_app(app)
    cli.init_app(app)
    _limit_json_bodies(app)
    _seed_on_first_request(app)
    _harden_answers(app)
    return app


def _report_store_problems(data_store):
    for entry in data_store.remove_temp_files():
        log.warning("Removed %s, left by an interrupted write", entry)
    for filename, problem in data_store.broken_files().items():
        log.error("%s: requests that need it will fail until a person fixes it", problem)
    if activity.repair_log():
        log.warning("Cut a torn last line off %s, left by an interrupted write", activity.event_log().filename)


def _warn_about_demo_password():
    try:
        demo.warn_if_default_password()
    except store.StoreCorruptError:
        pass  # already reported by name above


def _limit_json_bodies(app):
    @app.before_request
    def refuse_large_json():
        if request.mimetype != "multipart/form-data" and (request.content_length or 0) > JSON_LIMIT:
            raise RequestEntityTooLarge()


def _harden_answers(app):
    """SPEC §2 and §6: no answer is sniffed into another type, and a browser's preflight to any
    /api URL, known or not, is a 200 (flask-cors adds its headers for an allowed origin), so the
    request it precedes gets its JSON 404 instead of a CORS failure."""

    @app.before_request
    def answer_every_preflight():
        if (request.method == "OPTIONS" and request.routing_exception is not None
                and request.path.startswith("/api/") and "Access-Control-Request-Method" in request.headers):
            return app.response_class(status=200)
        return None

    @app.after_request
    def no_sniffing(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


class AnonymousRequestHandler(WSGIRequestHandler):
    """The development server without its ``Server: Werkzeug/... Python/...`` header (SPEC §2)."""

    def send_header(self, keyword, value):
        if keyword.lower() != "server":
            super().send_header(keyword, value)


def _seed_on_first_request(app):
    """Serving an empty data directory creates the demo production before the first response.
    CLI commands serve no request, so they never seed implicitly."""
    if not app.config["AUTO_SEED"] or app.config["PRODSIGHT_ENV"] == "production":
        return
    state = {"checked": False}

    @app.before_request
    def seed_once():
        if state["checked"]:
            return
        with activity.muted():  # the seed's writes are not this request's event
            seeded = demo.seed_if_empty()
        if seeded:
            demo.warn_if_default_password()
        state["checked"] = True


if __name__ == "__main__":
    try:
        application = create_app()
    except settings.ConfigError as exc:
        sys.exit(f"Prodsight cannot start: {exc}")
    application.run(host=application.config["HOST"], port=application.config["PORT"],
                    request_handler=AnonymousRequestHandler)
