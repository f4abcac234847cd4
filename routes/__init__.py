"""One blueprint per domain, each registered under /api."""
from routes import (activity, ai, analysis, analytics, assets, auth, budget, distribution, meta, schedule, script, tasks,
                    users, vfx)

BLUEPRINTS = (meta.bp, auth.bp, users.bp, tasks.bp, vfx.bp, budget.bp, script.bp, assets.bp, analytics.bp,
              activity.bp, schedule.bp, distribution.bp, ai.bp, analysis.bp)


def register_blueprints(app):
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint, url_prefix="/api" + (blueprint.url_prefix or ""))
