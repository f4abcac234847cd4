"""OpenAPI of /auth: login, refresh, logout, me."""
from services import auth
from services.openapi.shapes import NONE, Op, ref

SCHEMAS = {
    "Tokens": {"type": "object", "required": ["access_token", "refresh_token", "token_type", "expires_in"],
               "properties": {"access_token": {"type": "string"}, "refresh_token": {"type": "string"},
                              "token_type": {"const": "Bearer"}, "expires_in": {"type": "integer"}}},
}
LOGIN = {"allOf": [ref("Tokens"), {"type": "object", "required": ["user"], "properties": {"user": ref("User")}}]}
OPERATIONS = {
    "auth.login": Op("Log in with username (or email) and password", data=LOGIN, body=auth.LOGIN_SCHEMA, errors=(401, 429),
                     note="Wrong user and wrong password give the same 401; 5 failures in 15 minutes lock the name."),
    "auth.me": Op("The signed-in user", data=ref("User")),
    "auth.refresh": Op("New token pair for the refresh token sent as Bearer (rotation)", data=ref("Tokens"),
                       note="Send the refresh token, not the access token; the one used is revoked."),
    "auth.logout": Op("Revoke the presented token (and `refresh_token` if sent)", NONE, body=auth.LOGOUT_SCHEMA,
                      partial=True, body_optional=True),
}
