"""Reading request bodies the same way everywhere: JSON objects only, at most 1 MiB."""
from flask import request
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from utils.errors import ApiError

JSON_LIMIT = 1024 * 1024


def json_body(optional=False):
    """The request's JSON object. ``optional`` endpoints (logout...) take an empty body of any type."""
    if optional and not _has_body():
        return {}
    if not request.is_json:
        if not _has_body():
            raise ApiError("Request body must be a JSON object", errors={"body": "is required"})
        raise UnsupportedMediaType()
    # One byte of slack: werkzeug refuses a declared Content-Length over the limit itself, but cuts
    # a chunked body at the limit without an error, so reading one byte past 1 MiB is how "over
    # the limit" shows instead of a truncated, possibly still valid, document.
    request.max_content_length = JSON_LIMIT + 1
    if len(request.get_data(cache=True)) > JSON_LIMIT:
        raise RequestEntityTooLarge()
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        raise ApiError("Malformed JSON: nested too deeply", errors={"body": "must be valid JSON"}) from None
    if body is None:
        if not _has_body():
            raise ApiError("Request body must be a JSON object", errors={"body": "is required"})
        raise ApiError("Malformed JSON: the body does not parse", errors={"body": "must be valid JSON"})
    if not isinstance(body, dict):
        raise ApiError("Request body must be a JSON object", errors={"body": "must be a JSON object"})
    return body


def _has_body():
    return bool(request.content_length) or request.headers.get("Transfer-Encoding") == "chunked"
