"""Decoded access tokens, remembered: verifying a JWT (signature and PyJWT's segment checks) is
about half the cost of a small authenticated read, and a client presents the same token on every
request until it expires.

Only the decoding is remembered: expiry is checked again on each use (an expired or not-yet-valid
token goes through the full decode, which raises as before), and revocation and the user lookup
still run on every request, after this.
"""
import functools
import threading

from flask_jwt_extended import JWTManager, view_decorators
from flask_jwt_extended.config import config

from utils import clock

MAX_TOKENS = 4096  # per worker; past that the memory starts over


class CachingJWTManager(JWTManager):
    def __init__(self, app=None, **kwargs):
        self._decoded = {}
        self._decoded_guard = threading.Lock()
        super().__init__(app, **kwargs)

    def _decode_jwt_from_config(self, encoded_token, csrf_value=None, allow_expired=False):
        key = (encoded_token, csrf_value, allow_expired)
        claims = self._decoded.get(key)
        if claims is not None and _valid_now(claims, allow_expired):
            return dict(claims)  # a copy: callers may keep or change theirs
        claims = super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        with self._decoded_guard:
            if len(self._decoded) >= MAX_TOKENS:
                self._decoded.clear()
            self._decoded[key] = dict(claims)
        return claims


def _valid_now(claims, allow_expired):
    now, leeway = clock.now(), _seconds(config.leeway)
    if not allow_expired and "exp" in claims and claims["exp"] <= now - leeway:
        return False
    return not ("nbf" in claims and claims["nbf"] > now + leeway)


def _seconds(leeway):
    return leeway.total_seconds() if hasattr(leeway, "total_seconds") else float(leeway or 0)


@functools.lru_cache(maxsize=MAX_TOKENS)
def _headers_of(encoded_token):
    return _unverified_headers(encoded_token)


def _cached_headers(encoded_token):
    """The token's header, a pure function of its text: parsed once per token (a copy each time)."""
    return dict(_headers_of(encoded_token))


# The decorator path re-parses the header of every token it has just decoded; it looks the
# function up in its own module, so that is where the remembered one goes.
_unverified_headers = view_decorators.get_unverified_jwt_headers
view_decorators.get_unverified_jwt_headers = _cached_headers
