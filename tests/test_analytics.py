"""The production summary (SPEC §3 Analytics, §4 analytics row)."""
import pytest

from utils import clock
from utils.store import get_store

ROLES = ("producer", "director", "pm", "crew", "vfx", "distribution")
READERS = {"producer", "pm", "distribution"}
ROLE_ZEROS = {"Producer": 0, "Director": 0, "Production Manager": 0, "Crew": 0, "VFX": 0, "Distribution Manager": 0}


def summary(client, headers, as_of=None):
    response = client.get("/api/analytics/summary", query_string={"asOf": as_of} if as_of else {}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["message"] == f"Production summary as of {response.get_json()['data']['asOf']}"
    return response.get_json()["data"]


def test_an_empty_production_lists_every_value_with_zeros(client, auth, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: "2026-11-30")
    assert summary(client, auth.headers("distribution")) == {
        "asOf": "2026-11-30",
        "tasks": {"total": 0, "byStatus": {"todo": 0, "in_progress": 0, "done": 0}, "overdue": 0, "completionRate": 0},
        "vfx": {"total": 0, "byStatus": {"todo": 0, "in_progress": 0, "in_review": 0, "done": 0},
                "versions": 0, "approvedVersions": 0},
        "script": {"totalScenes": 0, "vfxScenes": 0, "totalEstimatedDuration": 0,
                   "byStatus": {"Not Shot": 0, "In Progress": 0, "Completed": 0, "In Review": 0, "Approved": 0}},
        "budget": {"total": 0, "spent": 0, "percentUsed": 0, "projectedTotal": 0, "overBudget": 0},
        "assets": {"count": 0, "totalBytes": 0, "byCategory": {}},
        "users": {"total": 6, "byRole": {role: 1 for role in ROLE_ZEROS}},
        "distribution": {"releases": 0, "byStatus": {"scheduled": 0, "active": 0, "completed": 0, "cancelled": 0},
                         "deliverables": 0, "overdueDeliverables": 0},
        "schedule": {"days": 0, "scheduledScenes": 0, "boneyardScenes": 0, "castCost": 0},
    }


def test_overdue_and_completion_rate_follow_as_of(client, auth):
    headers = auth.headers("producer")
    for title, status, due in (("Book crane", "todo", "2026-11-10"), ("Hire gaffer", "in_progress", "2026-11-20"),
                               ("Lock cut", "done", "2026-11-05")):
        body = {"title": title, "status": status, "dueDate": due}
        assert client.post("/api/tasks", json=body, headers=headers).status_code == 201
    assert summary(client, headers, "2026-11-10")["tasks"]["overdue"] == 0  # due on asOf is not overdue yet
    assert summary(client, headers, "2026-11-15")["tasks"]["overdue"] == 1  # the done task never is
    tasks = summary(client, headers, "2026-11-21")["tasks"]
    assert tasks == {"total": 3, "byStatus": {"todo": 1, "in_progress": 1, "done": 1}, "overdue": 2,
                     "completionRate": 0.3333}


def test_budget_figures_follow_the_forecast_for_as_of(client, auth):
    headers = auth.headers("producer")
    client.put("/api/budget", json={"startDate": "2026-11-01", "endDate": "2026-11-30"}, headers=headers)
    client.put("/api/budget/category/Camera", json={"budgeted": 800}, headers=headers)
    for date, amount in (("2026-11-05", 100), ("2026-11-20", 500)):
        body = {"date": date, "amount": amount, "category": "Camera", "description": "Rental"}
        assert client.post("/api/budget/history", json=body, headers=headers).status_code == 201
    # asOf 10 Nov: 100 spent; 10 of 30 days elapsed, projected 100 × 3 = 300; 100 / 800 = 12.5 %
    assert summary(client, headers, "2026-11-10")["budget"] == {
        "total": 800, "spent": 100, "percentUsed": 12.5, "projectedTotal": 300, "overBudget": 0}
    # asOf 20 Nov: 600 spent; 20 of 30 days, projected 600 × 1.5 = 900, 100 over; 600 / 800 = 75 %
    assert summary(client, headers, "2026-11-20")["budget"] == {
        "total": 800, "spent": 600, "percentUsed": 75, "projectedTotal": 900, "overBudget": 100}


def test_script_and_assets_are_read_from_their_stored_documents(app, client, auth):
    with app.app_context():
        with get_store().edit("script") as script:
            script["scenes"] = [
                {"id": "1", "scene_status": "Completed", "vfx_required": True, "estimated_runtime_minutes": 2.5},
                {"id": "2", "scene_status": "Not Shot", "vfx_required": False, "estimated_runtime_minutes": 3},
                {"id": "3", "scene_status": "Completed", "vfx_required": True, "estimated_runtime_minutes": 1.25},
                {"id": "4", "scene_status": "Approved", "vfx_required": False},
            ]
        with get_store().edit("assets") as assets:
            assets["items"] = {
                "1": {"id": "1", "size": 1000, "category": "Storyboards"},
                "2": {"id": "2", "size": 2048, "category": "Storyboards"},
                "3": {"id": "3", "size": 5, "category": ""},
            }
    data = summary(client, auth.headers("pm"))
    assert data["script"] == {"totalScenes": 4, "vfxScenes": 2, "totalEstimatedDuration": 6.75,  # 2.5 + 3 + 1.25
                              "byStatus": {"Not Shot": 1, "In Progress": 0, "Completed": 2, "In Review": 0,
                                           "Approved": 1}}
    assert data["assets"] == {"count": 3, "totalBytes": 3053, "byCategory": {"Storyboards": 2, "Uncategorized": 1}}


def test_summary_of_the_demo_production(app, runner, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: "2026-12-01")
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    client = app.test_client()
    login = client.post("/api/auth/login", json={"username": "producer", "password": app.config["DEMO_PASSWORD"]})
    data = summary(client, {"Authorization": "Bearer " + login.get_json()["data"]["access_token"]})
    assert data["asOf"] == "2026-12-01"
    # 12 demo tasks: 3 done, 4 in progress, 5 to do; overdue: casting (-3 days), camera (-1), archive rights (-5)
    assert data["tasks"] == {"total": 12, "byStatus": {"todo": 5, "in_progress": 4, "done": 3}, "overdue": 3,
                             "completionRate": 0.25}
    # 5 shots; versions 3 + 2 + 1, one approved (SH010's v003)
    assert data["vfx"] == {"total": 5, "byStatus": {"todo": 2, "in_progress": 1, "in_review": 1, "done": 1},
                           "versions": 6, "approvedVersions": 1}
    # 1,000,000 budgeted, 544,500 spent (54.45 %), day 46 of 90: projected 544,500 × 90 / 46
    assert data["budget"] == {"total": 1_000_000, "spent": 544_500, "percentUsed": 54.45,
                              "projectedTotal": 1065326.09, "overBudget": 65326.09}
    assert data["users"] == {"total": 6, "byRole": {role: 1 for role in ROLE_ZEROS}}
    # 9 scenes: 1-2 completed, 3 in review, 4-5 in progress, 6-9 not shot; VFX in 1, 3, 5, 6, 7;
    # runtimes 2.5 + 3 + 4 + 1.5 + 3.5 + 2 + 4.5 + 1 + 2 minutes
    assert data["script"] == {"totalScenes": 9, "vfxScenes": 5, "totalEstimatedDuration": 24,
                              "byStatus": {"Not Shot": 4, "In Progress": 2, "Completed": 2, "In Review": 1,
                                           "Approved": 0}}
    # a storyboard PNG (355 bytes), a call sheet PDF (844) and the screenplay (1,439); the files of four
    # deliverables: key art (375) and a still (355) as images, chain of title (687) and E&O (691) as documents
    assert data["assets"] == {"count": 7, "totalBytes": 355 + 844 + 1439 + 375 + 355 + 687 + 691,
                              "byCategory": {"call_sheet": 1, "document": 2, "image": 2, "script": 1, "storyboard": 1}}
    # a theatrical window from day +60 and an SVOD one from day +240: both scheduled; the 13 items of
    # the feature checklist, of which the trailer (due 30 days ago, never submitted) is overdue
    assert data["distribution"] == {"releases": 2, "deliverables": 13, "overdueDeliverables": 1,
                                    "byStatus": {"scheduled": 2, "active": 0, "completed": 0, "cancelled": 0}}
    # 5 shooting days of 7 scenes (6 and 8 in the boneyard); paid days: Mara 3 (SW H WF) × 2,500,
    # Reyes 3 (SW H WF) × 1,800, Olsen 1 × 1,200, the courier 1 × 900; the vendor is only in the boneyard
    assert data["schedule"] == {"days": 5, "scheduledScenes": 7, "boneyardScenes": 2,
                                "castCost": 3 * 2500 + 3 * 1800 + 1200 + 900}


@pytest.mark.parametrize("as_of, message", [
    ("2026-11-31", "must be a real calendar date YYYY-MM-DD"),
    ("yesterday", "must be a date YYYY-MM-DD"),
])
def test_a_bad_as_of_is_a_400_naming_it(client, auth, as_of, message):
    response = client.get("/api/analytics/summary", query_string={"asOf": as_of}, headers=auth.headers("producer"))
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"asOf": message}


@pytest.mark.parametrize("role", ROLES)
def test_analytics_role_matrix(client, auth, role):
    response = client.get("/api/analytics/summary", headers=auth.headers(role))
    if role in READERS:
        assert response.status_code == 200 and response.get_json()["data"]["users"]["total"] == 6
    else:
        assert response.status_code == 403
        assert response.get_json()["message"] == f"Your role ({auth.tokens(role)['user']['role']}) does not allow this"


def test_analytics_needs_a_token(client):
    assert client.get("/api/analytics/summary").status_code == 401
