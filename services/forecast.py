"""The budget forecast (SPEC §3 Budget): where the money goes at the current rate, as of a date.

Pure functions over the stored budget document, so every figure is reproducible with ``asOf``.
Money stays ``Decimal`` until ``money()`` rounds it to cents for the response.
"""
import datetime
import math
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
AT_RISK_SHARE = Decimal("0.9")


def amount(value):
    """A stored JSON number as an exact Decimal (``str`` avoids binary float noise: 0.1 is 0.1)."""
    return Decimal(str(value))


def money(value):
    """A Decimal rounded to cents, as a JSON number (0.3, not "0.30")."""
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def percent(part, whole):
    """part / whole × 100 rounded to 2 places; 0 when whole is 0."""
    return money(part * 100 / whole) if whole else 0.0


def spent_by_category(entries, as_of=None):
    """Category name -> Decimal spent, counting entries dated on or before ``as_of`` (all when None)."""
    spent = {}
    for entry in entries:
        if as_of is None or entry["date"] <= as_of:
            spent[entry["category"]] = spent.get(entry["category"], Decimal(0)) + amount(entry["amount"])
    return spent


def forecast(document, as_of):
    """The forecast of SPEC §3 for the stored budget ``document`` as of the date string ``as_of``."""
    currency = document["currency"]
    counted = [entry for entry in document["entries"] if entry["date"] <= as_of]
    by_category = spent_by_category(counted)
    total = sum((amount(c["budgeted"]) for c in document["categories"]), Decimal(0))
    spent = sum(by_category.values(), Decimal(0))
    remaining = total - spent
    days_spending = _days_spending(document.get("startDate"), counted, as_of)
    fraction = _elapsed_fraction(document.get("startDate"), document.get("endDate"), as_of)

    categories, risks = [], []
    for category in document["categories"]:
        row = _category_row(category, by_category.get(category["name"], Decimal(0)), fraction)
        categories.append({key: value for key, value in row.items() if key != "exact"})
        risks += _category_risks(row, currency)
    projected_total = spent / fraction if fraction else max(total, spent)
    over_budget = max(Decimal(0), projected_total - total)
    if fraction is None:
        risks.append("Production start and end dates are not set, so the projection assumes spending stops "
                     "at the budget: set both with PUT /api/budget for a projection by elapsed time")
    if over_budget > 0:
        risks.append(f"Projected total {_format(projected_total, currency)} exceeds the budget of "
                     f"{_format(total, currency)} by {_format(over_budget, currency)}")
    return {
        "asOf": as_of,
        "total": money(total),
        "spent": money(spent),
        "remaining": money(remaining),
        "burnRatePerDay": money(spent / days_spending),
        "depletionDate": _depletion_date(as_of, remaining, spent, days_spending),
        "projectedTotal": money(projected_total),
        "overBudget": money(over_budget),
        "riskFactors": risks,
        "categories": categories,
    }


def _days_spending(start, counted, as_of):
    """D: days from startDate (or the earliest counted entry) to asOf, both counted, at least 1."""
    first = start or min((entry["date"] for entry in counted), default=as_of)
    return max(1, _days_between(first, as_of) + 1)


def _elapsed_fraction(start, end, as_of):
    """Share of the production elapsed by asOf (as an exact Decimal, capped at 1), or None without both dates."""
    if not (start and end):
        return None
    elapsed = max(1, _days_between(start, as_of) + 1)
    length = _days_between(start, end) + 1
    return min(Decimal(1), Decimal(elapsed) / Decimal(length))


def _depletion_date(as_of, remaining, spent, days_spending):
    """asOf + floor(remaining / rate) days; null when nothing is spent (rate 0); asOf when nothing remains.
    A date past the calendar's end (year 9999) is also null: the money does not run out."""
    if spent == 0:
        return None
    if remaining <= 0:
        return as_of
    days = math.floor(remaining * days_spending / spent)  # remaining / (spent / D), exactly
    try:
        return (datetime.date.fromisoformat(as_of) + datetime.timedelta(days=days)).isoformat()
    except OverflowError:
        return None


def _category_row(category, spent, fraction):
    budgeted = amount(category["budgeted"])
    projected = spent / fraction if fraction else max(budgeted, spent)
    if spent > budgeted:
        status = "over"
    elif (budgeted and spent >= budgeted * AT_RISK_SHARE) or projected > budgeted:
        status = "at_risk"
    else:
        status = "ok"
    return {"name": category["name"], "budgeted": money(budgeted), "spent": money(spent),
            "projected": money(projected), "status": status,
            "exact": (budgeted, spent, projected)}


def _category_risks(row, currency):
    budgeted, spent, projected = row["exact"]
    name = row["name"]
    if row["status"] == "over":
        return [f"{name} is over budget: {_format(spent, currency)} spent of {_format(budgeted, currency)} "
                f"budgeted ({_format(spent - budgeted, currency)} over)"]
    if row["status"] != "at_risk":
        return []
    if projected > budgeted:
        return [f"{name} is at risk: projected to spend {_format(projected, currency)} of "
                f"{_format(budgeted, currency)} budgeted ({_format(projected - budgeted, currency)} over)"]
    return [f"{name} is at risk: {_format(spent, currency)} spent is {percent(spent, budgeted):.2f}% of "
            f"{_format(budgeted, currency)} budgeted"]


def _format(value, currency):
    return f"{currency} {value.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def _days_between(first, last):
    return (datetime.date.fromisoformat(last) - datetime.date.fromisoformat(first)).days
