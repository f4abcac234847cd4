"""Every route declares what it needs with the one permission decorator, and the role table is whole."""
from utils.auth import PUBLIC
from utils.permissions import PERMISSIONS, ROLES

PUBLIC_ROUTES = {"/api/health", "/api/auth/login", "/api/openapi.json", "/api/docs", "/api/docs/<filename>"}


def test_every_api_route_declares_a_permission(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api"):
            continue
        view = app.view_functions[rule.endpoint]
        assert hasattr(view, "permission"), f"{rule.rule} has no @requires"
        assert (view.permission == PUBLIC) == (rule.rule in PUBLIC_ROUTES), rule.rule


def test_every_role_has_a_row_and_every_row_is_a_role():
    assert set(PERMISSIONS) == set(ROLES)


def test_user_permissions_show_the_role_table(client, auth):
    me = client.get("/api/auth/me", headers=auth.headers("crew")).get_json()["data"]
    assert me["permissions"] == sorted(PERMISSIONS["Crew"])
    assert "tasks:write" not in me["permissions"]
