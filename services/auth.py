"""Login with cross-process throttling, refresh-token rotation and logout (SPEC §3 Auth)."""
from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token

from services import users as users_service
from utils import clock
from utils.auth import revoke, seconds_until
from utils.errors import ApiError, Unauthorized, ValidationError
from utils.store import get_store
from utils.validation import String, validate

ATTEMPTS = "login_attempts"
MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
BAD_CREDENTIALS = "Invalid username or password"

LOGIN_SCHEMA = {
    "username": String(min_len=1, max_len=254),
    "email": String(min_len=1, max_len=254),
    "password": String(min_len=1, max_len=1024, strip=False, required=True),
}
LOGOUT_SCHEMA = {"refresh_token": String(min_len=1, max_len=8192)}


def init_app(_app):
    get_store().register(ATTEMPTS, dict)


def login(body):
    fields = validate(body, LOGIN_SCHEMA, ignored=frozenset())
    login_name = fields.get("username") or fields.get("email")
    if not login_name:
        raise ValidationError({"username": "is required"})
    key = login_name.strip().lower()
    _refuse_if_throttled(key)
    user = users_service.find_by_login(key)
    # The attempt is counted before the password is checked, under the lock that checks the count,
    # so N concurrent guesses cannot all slip past the limit while their hashes are computed.
    attempt = _reserve_attempt(key)
    try:
        valid = users_service.verify_password(user, fields["password"])
    except BaseException:
        _release_attempt(key, attempt)
        raise
    if not valid:
        raise Unauthorized(BAD_CREDENTIALS)  # the reserved attempt stays, as a failure
    _clear_failures(key)
    return {**issue_tokens(user["id"]), "user": users_service.public(user)}


def issue_tokens(user_id):
    expires = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return {
        "access_token": create_access_token(identity=user_id),
        "refresh_token": create_refresh_token(identity=user_id),
        "token_type": "Bearer",
        "expires_in": int(expires.total_seconds()),
    }


def refresh(claims):
    """Rotate: the refresh token presented is revoked and a new pair is issued, once."""
    if not revoke(claims):  # another request rotated this token since it was checked
        raise Unauthorized("Token has been revoked: log in again")
    return issue_tokens(claims["sub"])


def logout(claims, body):
    """Revoke the presented access token, and the refresh token when the body carries one."""
    fields = validate(body, LOGOUT_SCHEMA, partial=True, ignored=frozenset())
    refresh_claims = None
    if "refresh_token" in fields:
        try:
            refresh_claims = decode_token(fields["refresh_token"], allow_expired=True)
        except Exception:  # any malformed, forged or foreign token
            refresh_claims = None
        if not refresh_claims or refresh_claims.get("type") != "refresh" or refresh_claims["sub"] != claims["sub"]:
            raise ValidationError({"refresh_token": "must be a refresh token issued to you"})
    revoke(claims)
    if refresh_claims:
        revoke(refresh_claims)


def _recent_failures(attempts, key):
    horizon = clock.now() - WINDOW_SECONDS
    return sorted(moment for moment in attempts.get(key, []) if moment > horizon)


def _throttled(failures):
    """The 429 for a name with ``failures`` recent failures, or None while it may still try."""
    if len(failures) < MAX_FAILURES:
        return None
    # Attempts are allowed again once fewer than MAX_FAILURES remain inside the window.
    retry_after = seconds_until(failures[-MAX_FAILURES] + WINDOW_SECONDS)
    return ApiError(
        f"Too many failed logins; try again in {retry_after} seconds",
        status=429,
        headers={"Retry-After": str(retry_after)},
    )


def _refuse_if_throttled(key):
    """A lock-free first look, so a flood of refused attempts does not queue on the lock."""
    refusal = _throttled(_recent_failures(get_store().read(ATTEMPTS), key))
    if refusal:
        raise refusal


def _reserve_attempt(key):
    """Count an attempt as a failure up front (429 when the name is throttled); returns its moment."""
    with get_store().transaction(ATTEMPTS) as attempts:
        for name in list(attempts):  # prune every stale entry while we hold the lock
            attempts[name] = _recent_failures(attempts, name)
            if not attempts[name]:
                del attempts[name]
        refusal = _throttled(attempts.get(key, []))
        if refusal:
            raise refusal  # leaves the file untouched
        moment = clock.now()
        attempts.setdefault(key, []).append(moment)
    return moment


def _release_attempt(key, moment):
    """Take back a reserved attempt whose check could not be made (an error, not a wrong password)."""
    with get_store().transaction(ATTEMPTS) as attempts:
        if moment in attempts.get(key, []):
            attempts[key].remove(moment)
            if not attempts[key]:
                del attempts[key]


def _clear_failures(key):
    if key in get_store().read(ATTEMPTS):
        with get_store().transaction(ATTEMPTS) as attempts:
            attempts.pop(key, None)
