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
    if not users_service.verify_password(user, fields["password"]):
        _record_failure(key)
        raise Unauthorized(BAD_CREDENTIALS)
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
    """Rotate: the refresh token presented is revoked and a new pair is issued."""
    revoke(claims)
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
    return [moment for moment in attempts.get(key, []) if moment > horizon]


def _refuse_if_throttled(key):
    failures = _recent_failures(get_store().read(ATTEMPTS), key)
    if len(failures) >= MAX_FAILURES:
        retry_after = seconds_until(failures[-MAX_FAILURES] + WINDOW_SECONDS)
        raise ApiError(
            f"Too many failed logins; try again in {retry_after} seconds",
            status=429,
            headers={"Retry-After": str(retry_after)},
        )


def _record_failure(key):
    with get_store().transaction(ATTEMPTS) as attempts:
        for name in list(attempts):  # prune every stale entry while we hold the lock
            attempts[name] = _recent_failures(attempts, name)
            if not attempts[name]:
                del attempts[name]
        attempts.setdefault(key, []).append(clock.now())


def _clear_failures(key):
    if key in get_store().read(ATTEMPTS):
        with get_store().transaction(ATTEMPTS) as attempts:
            attempts.pop(key, None)
