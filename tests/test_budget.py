"""The budget: settings, categories, the ledger and its derived totals (SPEC §3 Budget, §4 budget row)."""
import datetime
import types

import pytest

from services import demo
from utils import activity, clock
from utils.store import get_store

ROLES = ("producer", "director", "pm", "crew", "vfx", "distribution")
READERS = {"producer", "pm", "distribution"}
WRITERS = {"producer", "pm"}


@pytest.fixture
def budget(client, auth):
    """Helpers that write through the API as the Producer and assert the write succeeded."""

    class Budget:
        headers = auth.headers("producer")

        def category(self, name, budgeted):
            response = client.put(f"/api/budget/category/{name}", json={"budgeted": budgeted}, headers=self.headers)
            assert response.status_code in (200, 201), response.get_json()
            return response.get_json()["data"]

        def spend(self, category, amount, date="2026-11-20", description="Expense"):
            body = {"category": category, "amount": amount, "date": date, "description": description}
            response = client.post("/api/budget/history", json=body, headers=self.headers)
            assert response.status_code == 201, response.get_json()
            return response.get_json()["data"]

        def settings(self, **fields):
            response = client.put("/api/budget", json=fields, headers=self.headers)
            assert response.status_code == 200, response.get_json()
            return response.get_json()["data"]

        def get(self, url="/api/budget"):
            response = client.get(url, headers=self.headers)
            assert response.status_code == 200, response.get_json()
            return response.get_json()["data"]

    return Budget()


def stored_budget(app):
    """The budget document as stored."""
    with app.app_context():
        return get_store().read("budget")


@pytest.fixture
def events(monkeypatch):
    """The activity events the services note, as (action, entity, entityId) tuples."""
    noted = []
    real = activity.record

    def spy(action, entity, entity_id, **kwargs):
        noted.append((action, entity, entity_id))
        return real(action, entity, entity_id, **kwargs)

    monkeypatch.setattr(activity, "record", spy)
    return noted


# -- reading an empty budget and the derived totals ------------------------------------------
def test_empty_budget_is_usd_with_nothing_in_it(client, auth):
    response = client.get("/api/budget", headers=auth.headers("producer"))
    assert response.status_code == 200 and response.headers["ETag"]
    body = response.get_json()
    assert body["message"] == "Budget: USD 0.00 across 0 categories"
    data = body["data"]
    assert list(data) == ["currency", "startDate", "endDate", "total", "spent", "remaining", "categories",
                          "history", "forecast"]
    assert (data["currency"], data["startDate"], data["endDate"]) == ("USD", None, None)
    assert (data["total"], data["spent"], data["remaining"], data["categories"], data["history"]) == (0, 0, 0, [], [])
    assert data["forecast"]["asOf"] == clock.today()


def test_totals_and_category_figures_are_derived_from_the_ledger(app, budget):
    budget.category("Camera", 1000)
    budget.category("Catering", 250.50)
    budget.category("Legal", 0)
    budget.spend("Camera", 400)
    budget.spend("Camera", 133.33)
    budget.spend("Catering", 250.50)
    data = budget.get()
    # total 1000 + 250.50 + 0 = 1250.50; spent 400 + 133.33 + 250.50 = 783.83; remaining 466.67
    assert (data["total"], data["spent"], data["remaining"]) == (1250.5, 783.83, 466.67)
    assert data["categories"] == [
        {"name": "Camera", "budgeted": 1000, "spent": 533.33, "remaining": 466.67, "percentUsed": 53.33},
        {"name": "Catering", "budgeted": 250.5, "spent": 250.5, "remaining": 0, "percentUsed": 100},
        {"name": "Legal", "budgeted": 0, "spent": 0, "remaining": 0, "percentUsed": 0},
    ]
    assert budget.get("/api/budget/categories") == data["categories"]
    stored = stored_budget(app)
    assert stored["categories"][0] == {"name": "Camera", "budgeted": 1000}  # nothing derived is stored
    assert "spent" not in stored and "total" not in stored


def test_cents_add_up_exactly(budget):
    budget.category("Props", 1)
    budget.spend("Props", 0.10)
    budget.spend("Props", 0.20)
    data = budget.get()
    assert (data["spent"], data["remaining"]) == (0.3, 0.7)  # floats would give 0.30000000000000004
    assert data["categories"][0]["percentUsed"] == 30


def test_a_thousand_entries_of_one_cent_sum_to_ten(app, budget):
    budget.category("Petty cash", 20)
    with app.app_context():
        with get_store().edit("budget") as document:
            for number in range(1, 1001):
                document["seq"] = number
                document["entries"].append({"id": str(number), "date": "2026-11-20", "amount": 0.01,
                                            "category": "Petty cash", "description": "Cent",
                                            "createdBy": "1", "createdAt": "2026-11-20T10:00:00Z"})
    data = budget.get()
    assert (data["spent"], data["remaining"]) == (10, 10)
    assert data["categories"][0]["percentUsed"] == 50


def test_derived_fields_echoed_back_by_the_frontend_are_ignored(client, budget):
    budget.category("Camera", 1000)
    budget.spend("Camera", 100)
    echoed = {"name": "Camera", "budgeted": 1200, "spent": 5, "remaining": 1, "percentUsed": 99}
    response = client.put("/api/budget/category/Camera", json=echoed, headers=budget.headers)
    assert response.status_code == 200
    assert response.get_json()["message"] == "Category Camera updated"
    assert response.get_json()["data"] == {"name": "Camera", "budgeted": 1200, "spent": 100, "remaining": 1100,
                                           "percentUsed": 8.33}
    settings = client.put("/api/budget", json={"currency": "EUR", "total": 1, "spent": 2, "remaining": 3,
                                               "forecast": {}}, headers=budget.headers)
    assert settings.status_code == 200 and settings.get_json()["data"]["total"] == 1200


# -- settings ------------------------------------------------------------------------------
def test_settings_update_partially_and_answer_the_whole_budget(client, budget):
    budget.category("Camera", 1000)
    data = budget.settings(currency="EUR", startDate="2026-11-01")
    assert (data["currency"], data["startDate"], data["endDate"], data["total"]) == ("EUR", "2026-11-01", None, 1000)
    data = budget.settings(endDate="2027-01-29T23:30:00-02:00")  # the UTC date of that instant
    assert (data["currency"], data["startDate"], data["endDate"]) == ("EUR", "2026-11-01", "2027-01-30")
    assert data["forecast"]["categories"][0]["name"] == "Camera"
    cleared = client.put("/api/budget", json={"startDate": None}, headers=budget.headers)
    assert cleared.get_json()["message"] == "Budget settings updated"
    assert (cleared.get_json()["data"]["startDate"], cleared.get_json()["data"]["endDate"]) == (None, "2027-01-30")


@pytest.mark.parametrize("stored, body, field, message", [
    ({}, {"currency": "usd"}, "currency", "must be 3 capital letters, e.g. USD"),
    ({}, {"currency": "EURO"}, "currency", "must be 3 capital letters, e.g. USD"),
    ({}, {"currency": 840}, "currency", "must be a string"),
    ({}, {"startDate": "01/11/2026"}, "startDate", "must be a date YYYY-MM-DD"),
    ({}, {"endDate": "2026-02-30"}, "endDate", "must be a real calendar date YYYY-MM-DD"),
    ({}, {"endDate": "2026-11-01T10:00:00"}, "endDate",
     "must be a date YYYY-MM-DD or a timestamp with Z or an offset, e.g. 2026-11-25T17:04:28Z"),
    ({}, {"startDate": "2026-11-10", "endDate": "2026-11-09"}, "endDate",
     "the end date (2026-11-09) must not be before the start date (2026-11-10)"),
    ({"startDate": "2026-11-10"}, {"endDate": "2026-11-01"}, "endDate",
     "the end date (2026-11-01) must not be before the start date (2026-11-10)"),
    ({"endDate": "2026-11-10"}, {"startDate": "2026-12-01"}, "startDate",
     "the end date (2026-11-10) must not be before the start date (2026-12-01)"),
    ({}, {"categories": []}, "categories", "are changed with PUT /api/budget/category/{name}, not here"),
    ({}, {"history": []}, "history", "are changed with POST /api/budget/history, not here"),
    ({}, {"owner": "me"}, "owner", "unknown field"),
])
def test_settings_validation_names_the_field(app, client, budget, stored, body, field, message):
    if stored:
        budget.settings(**stored)
    before = stored_budget(app)
    response = client.put("/api/budget", json=body, headers=budget.headers)
    assert response.status_code == 400
    assert response.get_json()["errors"] == {field: message}
    assert stored_budget(app) == before  # no partial write


def test_settings_body_must_be_a_json_object(client, budget):
    assert client.put("/api/budget", json=[1], headers=budget.headers).status_code == 400
    assert client.put("/api/budget", data="x", content_type="text/plain", headers=budget.headers).status_code == 415
    assert client.put("/api/budget", headers=budget.headers).get_json()["errors"] == {"body": "is required"}


def test_a_stale_if_match_is_refused(client, budget):
    etag = client.get("/api/budget", headers=budget.headers).headers["ETag"]
    budget.category("Camera", 10)
    stale = client.put("/api/budget", json={"currency": "EUR"}, headers={**budget.headers, "If-Match": etag})
    assert stale.status_code == 412
    fresh = client.get("/api/budget", headers=budget.headers).headers["ETag"]
    assert client.put("/api/budget", json={"currency": "EUR"}, headers={**budget.headers, "If-Match": fresh}).status_code == 200
    category_etag = client.put("/api/budget/category/Camera", json={"budgeted": 20}, headers=budget.headers).headers["ETag"]
    budget.spend("Camera", 1)
    stale = client.put("/api/budget/category/Camera", json={"budgeted": 30}, headers={**budget.headers, "If-Match": category_etag})
    assert stale.status_code == 412
    assert budget.get("/api/budget/categories")[0]["budgeted"] == 20


# -- categories ----------------------------------------------------------------------------
def test_a_new_category_name_creates_it_with_201(client, budget):
    response = client.put("/api/budget/category/Camera", json={"budgeted": 5000}, headers=budget.headers)
    assert response.status_code == 201
    assert response.get_json()["message"] == "Category Camera created"
    assert response.get_json()["data"] == {"name": "Camera", "budgeted": 5000, "spent": 0, "remaining": 5000,
                                           "percentUsed": 0}
    again = client.put("/api/budget/category/Camera", json={"budgeted": 6000}, headers=budget.headers)
    assert again.status_code == 200 and again.get_json()["data"]["budgeted"] == 6000
    assert len(budget.get("/api/budget/categories")) == 1


@pytest.mark.parametrize("name", ["Post-production", "VFX & CGI", "Hair and make-up", "Hair/Make-up", "Café crème"])
def test_category_names_round_trip_encoded_or_not(client, budget, name):
    from urllib.parse import quote

    created = client.put(f"/api/budget/category/{name}", json={"budgeted": 100}, headers=budget.headers)
    assert created.status_code == 201 and created.get_json()["data"]["name"] == name
    encoded = client.put(f"/api/budget/category/{quote(name, safe='')}", json={"budgeted": 200}, headers=budget.headers)
    assert encoded.status_code == 200, "the encoded form names the same category"
    assert budget.get("/api/budget/categories") == [
        {"name": name, "budgeted": 200, "spent": 0, "remaining": 200, "percentUsed": 0}]
    budget.spend(name, 50)
    history = client.get("/api/budget/history", query_string={"category": name}, headers=budget.headers)
    assert [entry["category"] for entry in history.get_json()["data"]] == [name]


def test_rename_carries_the_ledger_entries_along(client, budget, events):
    budget.category("VFX", 1000)
    budget.category("Sound", 300)
    budget.spend("VFX", 400, description="Previs")
    budget.spend("Sound", 100)
    response = client.put("/api/budget/category/VFX", json={"name": "VFX & CGI", "budgeted": 1500}, headers=budget.headers)
    assert response.status_code == 200
    assert response.get_json()["message"] == "Category VFX & CGI updated"
    assert response.get_json()["data"] == {"name": "VFX & CGI", "budgeted": 1500, "spent": 400, "remaining": 1100,
                                           "percentUsed": 26.67}
    history = budget.get("/api/budget/history")
    assert sorted(entry["category"] for entry in history) == ["Sound", "VFX & CGI"]
    assert [c["name"] for c in budget.get("/api/budget/categories")] == ["VFX & CGI", "Sound"]
    assert events[-1] == ("update", "budget_category", "VFX & CGI")
    old = client.post("/api/budget/history", json={"amount": 1, "category": "VFX", "description": "x"}, headers=budget.headers)
    assert old.status_code == 400 and old.get_json()["errors"] == {"category": "no budget category named 'VFX'"}


@pytest.mark.parametrize("target", ["Sound", "sound"])
def test_renaming_onto_an_existing_name_is_a_conflict(app, client, budget, target):
    budget.category("VFX", 1000)
    budget.category("Sound", 300)
    budget.spend("VFX", 400)
    before = stored_budget(app)
    response = client.put("/api/budget/category/VFX", json={"name": target}, headers=budget.headers)
    assert response.status_code == 409
    assert response.get_json() == {"success": False, "message": "A budget category named 'Sound' already exists",
                                   "errors": {"name": "already exists"}}
    assert stored_budget(app) == before


def test_creating_a_name_that_differs_only_by_case_is_a_conflict(client, budget):
    budget.category("VFX", 1000)
    response = client.put("/api/budget/category/vfx", json={"budgeted": 1}, headers=budget.headers)
    assert response.status_code == 409
    assert response.get_json()["message"] == "A budget category named 'VFX' already exists"


def test_renaming_a_category_to_another_case_of_its_own_name_is_allowed(client, budget):
    budget.category("Vfx", 1000)
    response = client.put("/api/budget/category/Vfx", json={"name": "VFX"}, headers=budget.headers)
    assert response.status_code == 200 and response.get_json()["data"]["name"] == "VFX"


@pytest.mark.parametrize("url_name, body, field, message", [
    ("Camera", {}, "budgeted", "is required to create a category"),
    ("Camera", {"budgeted": "1000"}, "budgeted", "must be a number"),
    ("Camera", {"budgeted": -1}, "budgeted", "must be at least 0"),
    ("Camera", {"budgeted": 10.005}, "budgeted", "must have at most 2 decimal places"),
    ("Camera", {"budgeted": 1e13}, "budgeted", "must be at most 1000000000000"),
    ("Camera", {"budgeted": True}, "budgeted", "must be a number"),
    ("Camera", {"budgeted": 1, "name": "Lenses"}, "name",
     "differs from the URL's 'Camera': a new category takes the URL's name"),
    ("Camera", {"budgeted": 1, "name": ""}, "name", "is required"),
    ("Camera", {"budgeted": 1, "owner": "me"}, "owner", "unknown field"),
    ("x" * 101, {"budgeted": 1}, "name", "must be at most 100 characters"),
    ("%20", {"budgeted": 1}, "name", "is required"),
])
def test_category_validation_names_the_field(app, client, budget, url_name, body, field, message):
    response = client.put(f"/api/budget/category/{url_name}", json=body, headers=budget.headers)
    assert response.status_code == 400
    assert response.get_json()["errors"] == {field: message}
    assert stored_budget(app)["categories"] == []


# -- ledger entries ------------------------------------------------------------------------
def test_an_entry_is_created_with_201_and_server_owned_fields(client, budget, users):
    budget.category("Camera", 1000)
    response = client.post("/api/budget/history", headers=budget.headers, json={
        "amount": 250.75, "category": "Camera", "description": "Lens rental", "date": "2026-11-20",
        "id": "99", "createdBy": "someone", "createdAt": "1999-01-01T00:00:00Z",
    })
    assert response.status_code == 201
    body = response.get_json()
    assert body["message"] == "Expense recorded"
    entry = body["data"]
    assert (entry["id"], entry["amount"], entry["date"], entry["category"]) == ("1", 250.75, "2026-11-20", "Camera")
    assert entry["createdBy"] == users["producer"]["id"] and entry["createdAt"].endswith("Z")
    assert entry["createdAt"] != "1999-01-01T00:00:00Z"
    assert response.headers["ETag"]


def test_an_undated_entry_is_dated_today_in_utc(client, budget, monkeypatch):
    budget.category("Camera", 1000)
    monkeypatch.setattr(clock, "today", lambda: "2026-06-15")
    response = client.post("/api/budget/history", json={"amount": 5, "category": "Camera", "description": "Tape"},
                           headers=budget.headers)
    assert response.get_json()["data"]["date"] == "2026-06-15"


def test_an_entry_dated_with_a_javascript_timestamp_keeps_its_utc_date(budget):
    budget.category("Camera", 1000)
    assert budget.spend("Camera", 5, date="2026-12-01T18:40:00.123Z")["date"] == "2026-12-01"
    assert budget.spend("Camera", 5, date="2026-12-01T23:30:00-02:00")["date"] == "2026-12-02"


def test_entry_ids_are_never_reused(app, budget):
    budget.category("Camera", 1000)
    budget.spend("Camera", 1)
    with app.app_context():
        with get_store().edit("budget") as document:
            document["entries"].clear()  # an entry removed by hand keeps its id spent
    assert budget.spend("Camera", 2)["id"] == "2"


@pytest.mark.parametrize("body, field, message", [
    ({"category": "Camera", "description": "d"}, "amount", "is required"),
    ({"amount": "100", "category": "Camera", "description": "d"}, "amount", "must be a number"),
    ({"amount": 0.001, "category": "Camera", "description": "d"}, "amount", "must have at most 2 decimal places"),
    ({"amount": 10.125, "category": "Camera", "description": "d"}, "amount", "must have at most 2 decimal places"),
    ({"amount": 0, "category": "Camera", "description": "d"}, "amount", "must be greater than 0"),
    ({"amount": -5, "category": "Camera", "description": "d"}, "amount", "must be greater than 0"),
    ({"amount": 1e13, "category": "Camera", "description": "d"}, "amount", "must be at most 1000000000000"),
    ({"amount": None, "category": "Camera", "description": "d"}, "amount", "must not be null"),
    ({"amount": 5, "description": "d"}, "category", "is required"),
    ({"amount": 5, "category": "Catering", "description": "d"}, "category", "no budget category named 'Catering'"),
    ({"amount": 5, "category": "Camera"}, "description", "is required"),
    ({"amount": 5, "category": "Camera", "description": " "}, "description", "is required"),
    ({"amount": 5, "category": "Camera", "description": "d", "date": "yesterday"}, "date", "must be a date YYYY-MM-DD"),
    ({"amount": 5, "category": "Camera", "description": "d", "vendor": "ACME"}, "vendor", "unknown field"),
])
def test_entry_validation_names_the_field(app, client, budget, body, field, message):
    budget.category("Camera", 1000)
    response = client.post("/api/budget/history", json=body, headers=budget.headers)
    assert response.status_code == 400
    assert response.get_json()["errors"] == {field: message}
    assert stored_budget(app)["entries"] == []


# -- history: order, filters, paging --------------------------------------------------------
def test_history_is_newest_first_by_date_then_by_creation(budget, monkeypatch):
    budget.category("Camera", 1000)
    stamps = iter(["2026-11-20T10:00:03Z", "2026-11-20T10:00:01Z", "2026-11-20T10:00:02Z", "2026-11-20T10:00:04Z"])
    monkeypatch.setattr(clock, "timestamp", lambda: next(stamps))
    monkeypatch.setattr(activity, "clock", types.SimpleNamespace(timestamp=lambda: "2026-11-20T10:00:05Z"))
    budget.spend("Camera", 1, date="2026-11-10")  # id 1, created 10:00:03
    budget.spend("Camera", 2, date="2026-11-12")  # id 2, created 10:00:01
    budget.spend("Camera", 3, date="2026-11-10")  # id 3, created 10:00:02
    budget.spend("Camera", 4, date="2026-11-12")  # id 4, created 10:00:04
    assert [entry["id"] for entry in budget.get("/api/budget/history")] == ["4", "2", "1", "3"]
    assert [entry["id"] for entry in budget.get()["history"]] == ["4", "2", "1", "3"]


@pytest.fixture
def ledger(budget):
    budget.category("Camera", 1000)
    budget.category("Sound", 1000)
    for day, category in ((1, "Camera"), (5, "Sound"), (10, "Camera"), (15, "Sound"), (20, "Camera")):
        budget.spend(category, day, date=f"2026-11-{day:02d}")
    return budget


@pytest.mark.parametrize("query, dates", [
    ({"category": "Camera"}, ["2026-11-20", "2026-11-10", "2026-11-01"]),
    ({"from": "2026-11-10"}, ["2026-11-20", "2026-11-15", "2026-11-10"]),
    ({"to": "2026-11-05"}, ["2026-11-05", "2026-11-01"]),
    ({"from": "2026-11-05", "to": "2026-11-15"}, ["2026-11-15", "2026-11-10", "2026-11-05"]),
    ({"from": "2026-11-05", "to": "2026-11-15", "category": "Sound"}, ["2026-11-15", "2026-11-05"]),
    ({"category": "Lighting"}, []),
    ({"from": "2026-11-16", "to": "2026-11-19"}, []),
    ({"sort": "amount"}, ["2026-11-01", "2026-11-05", "2026-11-10", "2026-11-15", "2026-11-20"]),
])
def test_history_filters_are_inclusive_and_combine(client, ledger, query, dates):
    response = client.get("/api/budget/history", query_string=query, headers=ledger.headers)
    assert response.status_code == 200
    assert [entry["date"] for entry in response.get_json()["data"]] == dates
    assert response.headers["X-Total-Count"] == str(len(dates))
    expected = f"{len(dates)} ledger {'entry' if len(dates) == 1 else 'entries'}"
    assert response.get_json()["message"] == expected


@pytest.mark.parametrize("query, field, message", [
    ({"from": "2026-13-01"}, "from", "must be a real calendar date YYYY-MM-DD"),
    ({"to": "last week"}, "to", "must be a date YYYY-MM-DD"),
    ({"from": "2026-11-01T00:00:00Z"}, "from", "must be a date YYYY-MM-DD"),
    ({"per_page": "0"}, "per_page", "must be a whole number of at least 1"),
])
def test_history_bad_query_parameters_are_named(client, ledger, query, field, message):
    response = client.get("/api/budget/history", query_string=query, headers=ledger.headers)
    assert response.status_code == 400
    assert response.get_json()["errors"] == {field: message}


def test_history_is_paged_with_the_list_conventions(client, ledger):
    response = client.get("/api/budget/history?page=2&per_page=2", headers=ledger.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert [entry["date"] for entry in body["data"]] == ["2026-11-10", "2026-11-05"]
    assert body["meta"] == {"page": 2, "per_page": 2, "total": 5}
    assert response.headers["X-Total-Count"] == "5"
    assert body["message"] == "5 ledger entries"


def test_categories_list_follows_the_list_conventions(client, ledger):
    response = client.get("/api/budget/categories?sort=-spent", headers=ledger.headers)
    # Camera spent 1 + 10 + 20 = 31, Sound 5 + 15 = 20
    assert [(c["name"], c["spent"]) for c in response.get_json()["data"]] == [("Camera", 31), ("Sound", 20)]
    assert response.headers["X-Total-Count"] == "2" and response.get_json()["message"] == "2 categories"


# -- activity ------------------------------------------------------------------------------
def test_every_write_notes_exactly_one_event(client, budget, events):
    budget.settings(currency="EUR")
    budget.category("Camera", 100)
    budget.category("Camera", 200)
    entry = budget.spend("Camera", 5)
    client.put("/api/budget/category/Camera", json={"name": "Cameras"}, headers=budget.headers)
    client.post("/api/budget/history", json={"amount": "5"}, headers=budget.headers)  # refused: no event
    assert events == [("update", "budget", None), ("create", "budget_category", "Camera"),
                      ("update", "budget_category", "Camera"), ("create", "budget_entry", entry["id"]),
                      ("update", "budget_category", "Cameras")]


# -- roles ---------------------------------------------------------------------------------
ENDPOINTS = (
    ("GET", "/api/budget", None, 200, READERS),
    ("PUT", "/api/budget", {"currency": "EUR"}, 200, WRITERS),
    ("GET", "/api/budget/categories", None, 200, READERS),
    ("PUT", "/api/budget/category/Camera", {"budgeted": 2000}, 200, WRITERS),
    ("PUT", "/api/budget/category/VFX & CGI", {"budgeted": 2000}, 201, WRITERS),
    ("GET", "/api/budget/history", None, 200, READERS),
    ("POST", "/api/budget/history", {"amount": 5, "category": "Camera", "description": "Tape"}, 201, WRITERS),
    ("GET", "/api/budget/forecast", None, 200, READERS),
)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, body, status, allowed", ENDPOINTS, ids=[f"{e[0]} {e[1]}" for e in ENDPOINTS])
def test_budget_role_matrix(app, client, auth, budget, role, method, url, body, status, allowed):
    budget.category("Camera", 1000)
    before = stored_budget(app)
    response = client.open(url, method=method, json=body, headers=auth.headers(role))
    if role in allowed:
        assert response.status_code == status, response.get_json()
        assert response.get_json()["success"] is True
    else:
        assert response.status_code == 403
        assert response.get_json()["message"] == f"Your role ({auth.tokens(role)['user']['role']}) does not allow this"
        assert stored_budget(app) == before


@pytest.mark.parametrize("method, url, body, status, allowed", ENDPOINTS, ids=[f"{e[0]} {e[1]}" for e in ENDPOINTS])
def test_budget_endpoints_need_a_token(client, method, url, body, status, allowed):
    assert client.open(url, method=method, json=body).status_code == 401


# -- the demo budget -------------------------------------------------------------------------
@pytest.mark.parametrize("today", ["2026-12-01", "2028-02-29", "2027-01-01"])
def test_demo_forecast_shows_one_category_at_risk_and_one_over_on_any_day(app, runner, monkeypatch, today):
    monkeypatch.setattr(clock, "today", lambda: today)
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    client = app.test_client()
    login = client.post("/api/auth/login", json={"username": "distribution", "password": app.config["DEMO_PASSWORD"]})
    headers = {"Authorization": "Bearer " + login.get_json()["data"]["access_token"]}
    budget = client.get("/api/budget", headers=headers).get_json()["data"]
    day = datetime.date.fromisoformat(today)
    assert budget["startDate"] == (day - datetime.timedelta(days=45)).isoformat()
    assert budget["endDate"] == (day + datetime.timedelta(days=44)).isoformat()
    assert len(budget["categories"]) == 6 and len(budget["history"]) == len(demo.DEMO_LEDGER) == 20
    # budgeted 80k + 350k + 150k + 120k + 200k + 100k; spent 38k + 160k + 70k + 126.5k + 130k + 20k
    assert (budget["total"], budget["spent"], budget["remaining"]) == (1_000_000, 544_500, 455_500)
    forecast = budget["forecast"]
    assert forecast["asOf"] == today
    statuses = {c["name"]: c["status"] for c in forecast["categories"]}
    assert statuses == {"Pre-production": "ok", "Cast & Crew": "ok", "Locations": "ok",
                        "Camera & Lighting": "over", "VFX & CGI": "at_risk", "Post-production": "ok"}
    # day 46 of 90: burn 544,500 / 46; depletion in floor(455,500 × 46 / 544,500) = 38 days;
    # projected 544,500 × 90 / 46 = 1,065,326.087
    assert forecast["burnRatePerDay"] == 11836.96
    assert forecast["depletionDate"] == (day + datetime.timedelta(days=38)).isoformat()
    assert (forecast["projectedTotal"], forecast["overBudget"]) == (1065326.09, 65326.09)
    assert forecast["riskFactors"] == [
        "Camera & Lighting is over budget: USD 126,500.00 spent of USD 120,000.00 budgeted (USD 6,500.00 over)",
        "VFX & CGI is at risk: projected to spend USD 254,347.83 of USD 200,000.00 budgeted (USD 54,347.83 over)",
        "Projected total USD 1,065,326.09 exceeds the budget of USD 1,000,000.00 by USD 65,326.09",
    ]


def test_check_data_accepts_the_demo_budget_and_names_a_broken_entry(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["check-data"]).exit_code == 0
    with app.app_context():
        with get_store().edit("budget") as document:
            document["entries"][0]["amount"] = "lots"
            document["entries"][1]["category"] = "Catering"
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 1
    assert "budget.json ledger entry 1: amount must be a number" in result.output
    assert "budget.json ledger entry 2: category 'Catering' does not exist" in result.output


def test_budget_json_is_claimed_as_the_budget_document(app, client, auth):
    with app.app_context():
        assert get_store().read("budget") == {"currency": "USD", "categories": [], "seq": 0, "entries": []}
    with open(get_path(app), "w") as handle:
        handle.write('{"seq": 0, "items": {}}')  # the record-collection shape is not a budget
    response = client.get("/api/budget", headers=auth.headers("producer"))
    assert response.status_code == 500
    assert response.get_json()["message"].startswith("Data file budget.json is broken")


def get_path(app):
    with app.app_context():
        return get_store().path("budget")
