"""Domain errors raised by services, and the one place that turns every failure into the envelope."""
import logging
import uuid

from flask import g
from werkzeug.exceptions import HTTPException

from utils.durable import StorageError
from utils.responses import envelope
from utils.store import StoreCorruptError

log = logging.getLogger("prodsight")


class ApiError(Exception):
    """A failure a client can act on: a status, a message and, for validation, the fields."""

    status = 400

    def __init__(self, message, errors=None, status=None, headers=None):
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.headers = headers or {}
        if status is not None:
            self.status = status


class ValidationError(ApiError):
    def __init__(self, errors, message="Validation failed"):
        super().__init__(message, errors=errors)


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class PreconditionFailed(ApiError):
    status = 412


def error_response(status, message, errors=None, headers=None):
    response = envelope(False, message=message, errors=errors, status=status)
    response.headers.update(headers or {})
    return response


def register_error_handlers(app):
    @app.errorhandler(ApiError)
    def handle_api_error(exc):
        return error_response(exc.status, exc.message, exc.errors, exc.headers)

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc):
        # Keep werkzeug's status and headers (Allow on a 405, Retry-After...), replace the body.
        response = exc.get_response()
        response.set_data(envelope(False, message=_http_message(exc)).get_data())
        response.content_type = "application/json"
        return response

    @app.errorhandler(StoreCorruptError)
    def handle_corrupt_store(exc):
        log.error("request %s: %s", _request_id(), exc)
        return error_response(500, str(exc), headers={"X-Request-Id": _request_id()})

    @app.errorhandler(StorageError)
    def handle_storage_error(exc):
        # The disk, not the request: 507 when it is full, 503 when it fails; the file is intact.
        log.error("request %s: %s", _request_id(), exc)
        return error_response(exc.status, str(exc), headers={"X-Request-Id": _request_id()})

    @app.errorhandler(Exception)
    def handle_unexpected(exc):
        request_id = _request_id()
        log.exception("request %s failed", request_id)
        return error_response(
            500,
            f"Internal server error; quote request id {request_id} when reporting it",
            headers={"X-Request-Id": request_id},
        )


_MESSAGES = {
    404: "Not found: no such URL",
    405: "Method not allowed for this URL",
    413: "Request body too large",
    415: "Unsupported media type: send JSON with Content-Type: application/json",
}


def _http_message(exc):
    return _MESSAGES.get(exc.code) or exc.description or exc.name


def _request_id():
    if "request_id" not in g:
        g.request_id = uuid.uuid4().hex[:12]
    return g.request_id
