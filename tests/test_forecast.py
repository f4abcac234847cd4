"""The budget forecast (SPEC §3 Budget): each scenario worked by hand in its test."""
import pytest

from utils import clock

MISSING_DATES = ("Production start and end dates are not set, so the projection assumes spending stops at the "
                 "budget: set both with PUT /api/budget for a projection by elapsed time")


@pytest.fixture
def production(client, auth):
    """``production(categories, entries, **settings)`` writes a budget through the API and returns
    ``forecast(asOf)``, which reads ``GET /api/budget/forecast?asOf=``."""
    headers = auth.headers("producer")

    def make(categories, entries=(), **settings):
        if settings:
            assert client.put("/api/budget", json=settings, headers=headers).status_code == 200
        for name, budgeted in categories.items():
            assert client.put(f"/api/budget/category/{name}", json={"budgeted": budgeted}, headers=headers).status_code == 201
        for date, category, amount in entries:
            body = {"date": date, "category": category, "amount": amount, "description": "Spend"}
            assert client.post("/api/budget/history", json=body, headers=headers).status_code == 201

        def forecast(as_of=None):
            response = client.get("/api/budget/forecast", query_string={"asOf": as_of} if as_of else {}, headers=headers)
            assert response.status_code == 200, response.get_json()
            assert response.get_json()["message"] == f"Budget forecast as of {response.get_json()['data']['asOf']}"
            return response.get_json()["data"]

        return forecast

    return make


def test_without_production_dates_the_projection_is_the_budget(production):
    forecast = production({"Camera": 1000, "Sound": 500},
                          [("2026-11-01", "Camera", 300), ("2026-11-10", "Sound", 100)])
    data = forecast("2026-11-30")
    # D = 1 Nov (earliest entry) .. 30 Nov = 30 days; rate 400 / 30 = 13.333...
    # depletion: floor(1100 / (400 / 30)) = floor(82.5) = 82 days after 30 Nov = 20 Feb 2027
    assert data == {
        "asOf": "2026-11-30", "total": 1500, "spent": 400, "remaining": 1100,
        "burnRatePerDay": 13.33, "depletionDate": "2027-02-20",
        "projectedTotal": 1500, "overBudget": 0,
        "riskFactors": [MISSING_DATES],
        "categories": [
            {"name": "Camera", "budgeted": 1000, "spent": 300, "projected": 1000, "status": "ok"},
            {"name": "Sound", "budgeted": 500, "spent": 100, "projected": 500, "status": "ok"},
        ],
    }


def test_with_only_one_date_the_projection_still_needs_both(production):
    forecast = production({"Camera": 1000}, [("2026-11-20", "Camera", 1200)], startDate="2026-11-01")
    data = forecast("2026-11-30")
    # D counts from startDate: 1..30 Nov = 30 days; 1200 / 30 = 40 a day; nothing remains
    assert (data["burnRatePerDay"], data["depletionDate"]) == (40, "2026-11-30")
    assert (data["projectedTotal"], data["overBudget"]) == (1200, 200)  # max(total, spent)
    assert data["categories"] == [{"name": "Camera", "budgeted": 1000, "spent": 1200, "projected": 1200, "status": "over"}]
    assert MISSING_DATES in data["riskFactors"]


def test_on_track_mid_production(production):
    forecast = production({"Camera": 1000, "Sound": 1000},
                          [("2026-11-05", "Camera", 400), ("2026-11-20", "Sound", 450)],
                          startDate="2026-11-01", endDate="2026-12-30")
    data = forecast("2026-11-30")
    # 30 of 60 days elapsed: fraction 0.5; rate 850 / 30 = 28.333...; remaining 1150
    # depletion: floor(1150 × 30 / 850) = floor(40.59) = 40 days after 30 Nov = 9 Jan 2027
    assert data == {
        "asOf": "2026-11-30", "total": 2000, "spent": 850, "remaining": 1150,
        "burnRatePerDay": 28.33, "depletionDate": "2027-01-09",
        "projectedTotal": 1700, "overBudget": 0, "riskFactors": [],
        "categories": [
            {"name": "Camera", "budgeted": 1000, "spent": 400, "projected": 800, "status": "ok"},
            {"name": "Sound", "budgeted": 1000, "spent": 450, "projected": 900, "status": "ok"},
        ],
    }


def test_a_projected_overrun_is_a_risk(production):
    forecast = production({"Camera": 1000, "Sound": 1000},
                          [("2026-11-05", "Camera", 600), ("2026-11-20", "Sound", 450)],
                          startDate="2026-11-01", endDate="2026-12-30")
    data = forecast("2026-11-30")
    # fraction 0.5: Camera projects 1200 > 1000 (at risk at 60% spent); total 2100 - 2000 = 100 over
    # rate 1050 / 30 = 35; depletion floor(950 / 35) = 27 days after 30 Nov = 27 Dec
    assert (data["spent"], data["burnRatePerDay"], data["depletionDate"]) == (1050, 35, "2026-12-27")
    assert (data["projectedTotal"], data["overBudget"]) == (2100, 100)
    assert [c["status"] for c in data["categories"]] == ["at_risk", "ok"]
    assert data["categories"][0]["projected"] == 1200
    assert data["riskFactors"] == [
        "Camera is at risk: projected to spend USD 1,200.00 of USD 1,000.00 budgeted (USD 200.00 over)",
        "Projected total USD 2,100.00 exceeds the budget of USD 2,000.00 by USD 100.00",
    ]


def test_no_spending_means_no_depletion_date(production):
    forecast = production({"Camera": 1000}, [("2026-12-05", "Camera", 100)],
                          startDate="2026-11-01", endDate="2026-12-30")
    data = forecast("2026-11-30")  # the only entry is dated after asOf: it does not count yet
    assert (data["spent"], data["remaining"], data["burnRatePerDay"]) == (0, 1000, 0)
    assert (data["depletionDate"], data["projectedTotal"], data["overBudget"]) == (None, 0, 0)
    assert data["categories"] == [{"name": "Camera", "budgeted": 1000, "spent": 0, "projected": 0, "status": "ok"}]
    assert data["riskFactors"] == []


def test_an_empty_budget_forecasts_zeros(production):
    data = production({})("2026-11-30")
    assert (data["total"], data["spent"], data["burnRatePerDay"], data["depletionDate"]) == (0, 0, 0, None)
    assert data["categories"] == [] and data["riskFactors"] == [MISSING_DATES]


@pytest.mark.parametrize("spent, remaining", [(1000, 0), (1250, -250)])
def test_nothing_remaining_means_depletion_on_as_of(production, spent, remaining):
    forecast = production({"Camera": 1000}, [("2026-11-10", "Camera", spent)],
                          startDate="2026-11-01", endDate="2026-12-30")
    data = forecast("2026-11-30")
    assert (data["remaining"], data["depletionDate"]) == (remaining, "2026-11-30")


def test_after_the_end_date_the_elapsed_fraction_is_capped_at_one(production):
    forecast = production({"Camera": 1000}, [("2026-11-10", "Camera", 900)],
                          startDate="2026-11-01", endDate="2026-11-30")
    data = forecast("2026-12-15")
    # fraction min(45 / 30, 1) = 1: projected = spent; D = 1 Nov..15 Dec = 45 days, rate 20 a day;
    # depletion floor(100 / 20) = 5 days after 15 Dec
    assert (data["projectedTotal"], data["overBudget"], data["burnRatePerDay"]) == (900, 0, 20)
    assert data["depletionDate"] == "2026-12-20"
    assert data["categories"] == [{"name": "Camera", "budgeted": 1000, "spent": 900, "projected": 900, "status": "at_risk"}]
    assert data["riskFactors"] == ["Camera is at risk: USD 900.00 spent is 90.00% of USD 1,000.00 budgeted"]


def test_before_the_start_date_one_day_counts_as_elapsed(production):
    forecast = production({"Camera": 1000}, [("2026-10-20", "Camera", 10)],
                          startDate="2026-11-01", endDate="2026-11-10")
    data = forecast("2026-10-25")
    # fraction at least 1 / 10 days: projected 10 / 0.1 = 100; D at least 1: rate 10
    assert (data["projectedTotal"], data["burnRatePerDay"]) == (100, 10)
    assert data["depletionDate"] == "2027-02-01"  # floor(990 / 10) = 99 days after 25 Oct


@pytest.mark.parametrize("spent, status", [
    (899.99, "ok"), (900, "at_risk"), (999.99, "at_risk"), (1000, "at_risk"), (1000.01, "over"),
])
def test_at_risk_starts_at_ninety_percent_spent(production, spent, status):
    forecast = production({"Camera": 1000}, [("2026-11-10", "Camera", spent)])
    assert forecast("2026-11-30")["categories"][0]["status"] == status


def test_a_category_budgeted_at_zero_is_ok_until_it_spends(production):
    forecast = production({"Contingency": 0, "Legal": 0}, [("2026-11-10", "Legal", 1)])
    data = forecast("2026-11-30")
    assert [c["status"] for c in data["categories"]] == ["ok", "over"]
    assert "Legal is over budget: USD 1.00 spent of USD 0.00 budgeted (USD 1.00 over)" in data["riskFactors"]


def test_over_budget_sentences_name_the_category_and_the_amount(production, client, auth):
    forecast = production({"VFX & CGI": 50000}, [("2026-11-10", "VFX & CGI", 52300.5)], currency="EUR")
    assert forecast("2026-11-30")["riskFactors"] == [
        "VFX & CGI is over budget: EUR 52,300.50 spent of EUR 50,000.00 budgeted (EUR 2,300.50 over)",
        MISSING_DATES,
        "Projected total EUR 52,300.50 exceeds the budget of EUR 50,000.00 by EUR 2,300.50",
    ]


def test_a_depletion_beyond_the_calendar_is_null(production):
    forecast = production({"Camera": 10**12}, [("2026-11-30", "Camera", 0.01)])
    data = forecast("2026-11-30")  # 10^14 days at a cent a day
    assert (data["burnRatePerDay"], data["depletionDate"]) == (0.01, None)


def test_as_of_defaults_to_today(production, monkeypatch):
    forecast = production({"Camera": 1000}, [("2026-06-14", "Camera", 100), ("2026-06-16", "Camera", 200)])
    monkeypatch.setattr(clock, "today", lambda: "2026-06-15")
    data = forecast()
    assert (data["asOf"], data["spent"]) == ("2026-06-15", 100)


@pytest.mark.parametrize("as_of, message", [
    ("2026-02-30", "must be a real calendar date YYYY-MM-DD"),
    ("2026-11-30T10:00:00Z", "must be a date YYYY-MM-DD"),
    ("soon", "must be a date YYYY-MM-DD"),
])
def test_a_bad_as_of_is_a_400_naming_it(client, auth, as_of, message):
    response = client.get("/api/budget/forecast", query_string={"asOf": as_of}, headers=auth.headers("pm"))
    assert response.status_code == 400
    assert response.get_json() == {"success": False, "message": "Invalid query parameters", "errors": {"asOf": message}}
