"""OpenAPI of /users."""
from services import users
from services.openapi.shapes import NONE, Op, crud, model

STORED_USER = {name: f for name, f in users.STORED_SCHEMA.items() if name != "passwordHash"}
SCHEMAS = {
    "User": model(STORED_USER, permissions={"type": "array", "items": {"type": "string"}, "readOnly": True}),
}
NOTE = ("Writes: a Producer any user; a Production Manager users whose role is and stays Crew or VFX; "
        "anyone their own name, email, avatar and password (with `current_password`).")
OPERATIONS = {
    **crud("users", "user", "users", "User", users.SCHEMA, users.LISTING, errors=(403, 409), note=NOTE),
    "users.delete_user": Op("Delete a user (their tasks and shots are unassigned)", NONE, if_match=True,
                            errors=(403, 409), note=NOTE),
}
