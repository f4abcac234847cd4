"""Authentication: JWTs via flask-jwt-extended, persistent revocation, and the permission decorator.

Every route declares what it needs with exactly one ``@requires(...)`` line: ``PUBLIC``,
``SIGNED_IN`` (any valid access token; the service applies ownership rules) or a permission from
``utils.permissions``. The user is re-read from the store on every request, so a role change or a
deletion applies at once.
"""
import functools
import math

from flask import g
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


def requires(permission, refresh=False):
    """Declare what a route needs; ``refresh=True`` accepts only a refresh token (and no other)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if permission != PUBLIC:
                authenticate(refresh)
                if permission != SIGNED_IN and not can(g.user, permission):
                    raise Forbidden(f"Your role ({g.user['role']}) does not allow this")
            return view(*args, **kwargs)

        wrapper.permission = permission
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


# -- revocation, persisted so it holds across restarts and worker processes ------------------
def revoke(claims):
    """Revoke a decoded token until it would have expired anyway; prune entries past expiry.

    Returns False when the token was already revoked: the check and the write share the lock, so
    of two requests racing with one refresh token only one wins the rotation.
    """
    with get_store().transaction(REVOKED) as revoked:
        moment = clock.now()
        for jti in [jti for jti, entry in revoked.items() if entry["expires"] < moment]:
            del revoked[jti]
        if claims["jti"] in revoked:
            return False
        revoked[claims["jti"]] = {"type": claims["type"], "expires": claims["exp"]}
    return True


def is_revoked(claims):
    return claims["jti"] in get_store().read(REVOKED)


def init_app(app):
    get_store().register(REVOKED, dict)
    jwt = CachingJWTManager(app)

    @jwt.user_lookup_loader
    def load_user(_header, claims):
        return get_store().read("users")["items"].get(claims["sub"])

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
