"""One blueprint per domain, each registered under /api."""
from routes import assets, auth, meta, tasks, users, vfx

BLUEPRINTS = (meta.bp, auth.bp, users.bp, tasks.bp, vfx.bp, assets.bp)


def register_blueprints(app):
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint, url_prefix="/api" + (blueprint.url_prefix or ""))
