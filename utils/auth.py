"""Authentication: JWTs via flask-jwt-extended, persistent revocation, and the permission decorator.

Every route declares what it needs with exactly one ``@requires(...)`` line: ``PUBLIC``,
``SIGNED_IN`` (any valid access token; the service applies ownership rules) or a permission from
``utils.permissions``. The user is re-read from the store on every request, so a role change or a
deletion applies at once.

Every token carries a stamp of its user's password hash (``password_stamp``), checked against the
user as stored now: setting a password makes a new hash (a new salt, even for the same password),
so every token issued before it, access and refresh, is refused from then on (SPEC §3 Auth).
"""
import functools
import hashlib
import hmac
import math

from flask import current_app, g
from flask_jwt_extended import get_current_user, get_jwt, verify_jwt_in_request
from flask_jwt_extended.exceptions import (
    JWTExtendedException,
    NoAuthorizationError,
    RevokedTokenError,
    UserLookupError,
    WrongTokenError,
)
from jwt.exceptions import ExpiredSignatureError, PyJWTError

from utils import clock
from utils.errors import Forbidden, Unauthorized, error_response
from utils.jwt_cache import CachingJWTManager
from utils.permissions import can
from utils.store import get_store

PUBLIC = "public"
SIGNED_IN = "signed-in"
REVOKED = "revoked_tokens"
STAMP = "pw"  # the claim holding the password stamp
SESSION, NUMBER = "sid", "n"  # a refresh token's session (one login) and its place in the rotation


def requires(permission, refresh=False, owner=None):
    """Declare what a route needs; ``refresh=True`` accepts only a refresh token (and no other).

    ``owner(user, **view_args)`` is an ownership rule: it lets a user whose role lacks the
    permission act on one resource of their own (the assignee of a task, the uploader of an asset)
    and raises ``Forbidden`` otherwise. It runs here, before the view reads a body, an ``If-Match``
    or looks anything up, so a refused user learns nothing a 403 should hide (no 412, no 404)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if permission != PUBLIC:
                authenticate(refresh)
                if permission != SIGNED_IN and not can(g.user, permission):
                    if owner is None:
                        raise Forbidden(f"Your role ({g.user['role']}) does not allow this")
                    owner(g.user, **kwargs)
            return view(*args, **kwargs)

        wrapper.permission = permission
        wrapper.owner = owner
        wrapper.refresh = refresh  # read by the OpenAPI document
        return wrapper

    return decorator


def authenticate(refresh=False):
    """Verify the bearer token and load its user into ``g.user``; any failure is a 401."""
    try:
        verify_jwt_in_request(refresh=refresh)
    except NoAuthorizationError:
        raise Unauthorized("Missing token: send 'Authorization: Bearer <token>'") from None
    except ExpiredSignatureError:
        raise Unauthorized("Token has expired: log in again or refresh") from None
    except WrongTokenError:
        wanted = "a refresh token" if refresh else "an access token"
        raise Unauthorized(f"Wrong token type: this endpoint needs {wanted}") from None
    except RevokedTokenError:
        raise Unauthorized("Token has been revoked: log in again") from None
    except UserLookupError:
        raise Unauthorized("The user of this token no longer exists") from None
    except (JWTExtendedException, PyJWTError):
        raise Unauthorized("Invalid token") from None
    g.user = get_current_user()
    g.token = get_jwt()
    if not hmac.compare_digest(str(g.token.get(STAMP)), password_stamp(g.user)):
        raise Unauthorized("Session ended: the password was changed; log in again")


def password_stamp(user):
    """A keyed digest of the user's password hash: it changes whenever a password is set, and tells
    nothing about the hash to whoever reads the token."""
    key = current_app.config["JWT_SECRET_KEY"].encode("utf-8")
    return hmac.new(key, user["passwordHash"].encode("utf-8"), hashlib.sha256).hexdigest()[:22]


# -- revocation, persisted so it holds across restarts and worker processes ------------------
# One document, one entry per revoked access token (by its jti) and per refresh session (by its sid):
# a session's entry holds the number of the one refresh token it still accepts (rotation moves it
# on, logout closes it with None). A client refreshing in a loop so rewrites one entry instead of
# adding one a call, and an entry is pruned once every token it can refuse has expired: the
# document holds no more than the tokens still alive.
def revoke(claims, lifetime=None):
    """Revoke a decoded token until it would have expired anyway; prune entries past expiry. A
    refresh token given ``lifetime`` (seconds) is rotated: its session then accepts only the next
    one, which expires ``lifetime`` from now; without, its session is closed.

    Returns False when the token was already revoked: the check and the write share the lock, so
    of two requests racing with one refresh token only one wins the rotation.
    """
    with get_store().transaction(REVOKED) as transaction:
        revoked = transaction.entries(REVOKED)
        moment = clock.now()
        revoked.prune(moment)
        if _revoked(revoked.get, claims):
            return False
        if claims["type"] != "refresh":
            revoked.put(claims["jti"], {"type": claims["type"], "expires": claims["exp"]})
        elif lifetime is None:
            expires = max(claims["exp"], (revoked.get(session_of(claims)) or {}).get("expires", 0))
            revoked.put(session_of(claims), {"type": "session", "next": None, "expires": expires})
        else:
            revoked.put(session_of(claims), {"type": "session", "next": number_of(claims) + 1,
                                             "expires": math.ceil(moment + lifetime)})
    return True


def is_revoked(claims):
    return _revoked(lambda key: get_store().entry(REVOKED, key), claims)


def _revoked(lookup, claims):
    """Whether the store refuses this token; ``lookup(key)`` gives an entry or None."""
    if claims["type"] != "refresh":
        return lookup(claims["jti"]) is not None
    session = lookup(session_of(claims))  # an older version's entry (by jti) has no "next": revoked
    return session is not None and session.get("next") != number_of(claims)


def session_of(claims):
    """A refresh token's session; one made without (by hand, or by an older version) is its own."""
    return claims.get(SESSION) or claims["jti"]


def number_of(claims):
    return claims.get(NUMBER, 0)


def init_app(app):
    jwt = CachingJWTManager(app)

    @jwt.user_lookup_loader
    def load_user(_header, claims):
        return get_store().get("users", claims["sub"])

    @jwt.additional_claims_loader
    def stamp(identity):  # login and refresh pass the stamp of the very record they checked
        user = get_store().get("users", identity)
        return {STAMP: password_stamp(user)} if user else {}

    @jwt.token_in_blocklist_loader
    def check_revoked(_header, claims):
        return is_revoked(claims)

    # Our decorator turns token errors into 401s itself; these loaders keep any path the library
    # handles on its own (it answers 422 for a bad token by default) inside the same envelope.
    def unauthorized(message):
        return lambda *_args: error_response(401, message)

    jwt.unauthorized_loader(lambda reason: error_response(401, f"Missing token: {reason}"))
    jwt.invalid_token_loader(lambda reason: error_response(401, f"Invalid token: {reason}"))
    jwt.expired_token_loader(unauthorized("Token has expired: log in again or refresh"))
    jwt.revoked_token_loader(unauthorized("Token has been revoked: log in again"))
    jwt.user_lookup_error_loader(unauthorized("The user of this token no longer exists"))
    jwt.needs_fresh_token_loader(unauthorized("A fresh token is required"))
    jwt.token_verification_failed_loader(unauthorized("Token verification failed"))


def seconds_until(epoch):
    return max(1, math.ceil(epoch - clock.now()))
