from flask import Blueprint, g, request

from services import budget as budget_service
from utils.auth import requires
from utils.requests import json_body
from utils.responses import count, ok, ok_list, ok_resource
from services import demo
from services.openapi import budget as api
from utils.domains import Domain, Entity

bp = Blueprint("budget", __name__, url_prefix="/budget")


@bp.get("")
@requires("budget:read")
def overview():
    budget = budget_service.overview()
    categories = count(len(budget["categories"]), "category", "categories")
    return ok_resource(budget, f"Budget: {budget['currency']} {budget['total']:,.2f} across {categories}")


@bp.put("")
@requires("budget:write")
def update_settings():
    return ok_resource(budget_service.update_settings(json_body(), request.headers.get("If-Match")),
                       "Budget settings updated")


@bp.get("/categories")
@requires("budget:read")
def list_categories():
    return ok_list(budget_service.list_categories(request.args), "category", "categories")


# <path:...> so a name with a slash ("Hair/Make-up") is one name; the React client does not encode
# names, and "VFX & CGI" or "Post production" arrive the same encoded or not (see docs/budget.md).
@bp.put("/category/<path:name>")
@requires("budget:write")
def put_category(name):
    category, created = budget_service.put_category(name, json_body(), request.headers.get("If-Match"))
    if created:
        return ok_resource(category, f"Category {category['name']} created", status=201)
    return ok_resource(category, f"Category {category['name']} updated")


@bp.get("/history")
@requires("budget:read")
def list_history():
    return ok_list(budget_service.list_history(request.args), "ledger entry", "ledger entries")


@bp.post("/history")
@requires("budget:write")
def add_entry():
    return ok_resource(budget_service.add_entry(json_body(), g.user), "Expense recorded", status=201)


@bp.get("/forecast")
@requires("budget:read")
def get_forecast():
    result = budget_service.get_forecast(request.args.get("asOf"))
    return ok(result, f"Budget forecast as of {result['asOf']}")


domain = Domain(bp, documents={budget_service.BUDGET: budget_service.empty_budget},
                checks=(budget_service.check_data,), seed=demo.seed_budget,
                entities=(Entity("budget", "the budget settings"),
                          Entity("budget_category", "budget category", labelled=False,
                                 phrase=budget_service.category_phrase),
                          Entity("budget_entry", "ledger entry", phrase=budget_service.entry_phrase)),
                operations=api.OPERATIONS, components=api.SCHEMAS)
