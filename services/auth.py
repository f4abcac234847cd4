"""Login with cross-process throttling, refresh-token rotation and logout (SPEC §3 Auth)."""
import uuid

from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token

from services import users as users_service
from utils import clock
from utils.auth import NUMBER, SESSION, STAMP, number_of, password_stamp, revoke, seconds_until, session_of
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


def login(body):
    fields = validate(body, LOGIN_SCHEMA, ignored=frozenset())
    login_name = fields.get("username") or fields.get("email")
    if not login_name:
        raise ValidationError({"username": "is required"})
    key = login_name.strip().lower()
    _refuse_if_throttled(key)
    user = users_service.find_by_login(key)
    # Only a failed check counts, so any number of right passwords at once all get in. Guesses
    # made at once are all checked, but a failure is counted under the lock that checks the limit,
    # and a success is refused (429) once the limit was reached meanwhile: of N guesses at once, at
    # most MAX_FAILURES are answered "wrong" and a right one gets in only before they are.
    if not users_service.verify_password(user, fields["password"]):
        _count_failure(key)
        raise Unauthorized(BAD_CREDENTIALS)
    _clear_failures(key)
    return {**issue_tokens(user), "user": users_service.public(user)}


def issue_tokens(user, session=None):
    """A new token pair for ``user`` as stored when checked; ``session`` (id, number) continues a
    refresh rotation, else a new session starts (a login)."""
    session_id, number = session or (uuid.uuid4().hex, 0)
    stamp = {STAMP: password_stamp(user)}
    expires = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return {
        "access_token": create_access_token(identity=user["id"], additional_claims=stamp),
        "refresh_token": create_refresh_token(identity=user["id"],
                                              additional_claims={**stamp, SESSION: session_id, NUMBER: number}),
        "token_type": "Bearer",
        "expires_in": int(expires.total_seconds()),
    }


def refresh(claims, user):
    """Rotate: the refresh token presented is revoked and a new pair is issued, once."""
    lifetime = current_app.config["JWT_REFRESH_TOKEN_EXPIRES"].total_seconds()
    if not revoke(claims, lifetime):  # another request rotated this token since it was checked
        raise Unauthorized("Token has been revoked: log in again")
    return issue_tokens(user, (session_of(claims), number_of(claims) + 1))


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


def _recent_failures(entry):
    """The failure times of a login name's entry (``{"failures": [...], "expires"}``) still inside
    the window."""
    horizon = clock.now() - WINDOW_SECONDS
    failures = entry.get("failures", []) if isinstance(entry, dict) else []
    return sorted(moment for moment in failures if moment > horizon)


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
    refusal = _throttled(_recent_failures(get_store().entry(ATTEMPTS, key)))
    if refusal:
        raise refusal


def _count_failure(key):
    """Count a failed attempt; a 429 instead when the name reached the limit while it was checked."""
    with get_store().transaction(ATTEMPTS) as transaction:
        attempts = transaction.entries(ATTEMPTS)
        attempts.prune(clock.now())  # names whose last failure left the window, while we hold the lock
        failures = _recent_failures(attempts.get(key))
        refusal = _throttled(failures)
        if refusal:
            raise refusal  # leaves the stored attempts untouched
        now = clock.now()
        attempts.put(key, {"failures": [*failures, now], "expires": now + WINDOW_SECONDS})


def _clear_failures(key):
    """A success forgets the name's failures, unless they reached the limit while it was checked."""
    if get_store().entry(ATTEMPTS, key) is not None:
        with get_store().transaction(ATTEMPTS) as transaction:
            attempts = transaction.entries(ATTEMPTS)
            refusal = _throttled(_recent_failures(attempts.get(key)))
            if refusal:
                raise refusal
            attempts.delete(key)
