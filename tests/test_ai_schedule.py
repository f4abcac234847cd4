"""The original frontend's scheduling calls (SPEC §3 Schedule, last bullet), with the bodies its Scheduling page
and API client build, and who may call them and POST /schedule/propose (SPEC §4)."""
import datetime
import io

import pytest

from services import propose
from tests.test_schedule import add_scene, put_board

ROLES = ("producer", "director", "pm", "crew", "vfx", "distribution")
SCHEDULE_WRITERS = {"producer", "director", "pm"}
SCRIPT_WRITERS = {"producer", "director"}  # the breakdown's permission, script:write

# what src/pages/Scheduling/Scheduling.tsx posts (generateAISchedule), key for key
FRONTEND_CONSTRAINTS = {
    "actor_constraints": {
        "Maya": {"max_consecutive_days": 3, "preferred_call_times": ["09:00", "10:00"]},
        "Rahul": {"available_days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]},
    },
    "location_preferences": {
        "Radio Station": {"setup_time_hours": 2, "weather_dependent": False},
        "Beach - Kochi": {"weather_dependent": True, "setup_time_hours": 1},
    },
}
SCENE_KEYS = {"scene_number", "scene_title", "location", "time_of_day", "estimated_duration_minutes", "actors_needed",
              "extras_needed", "call_time", "estimated_wrap", "setup_notes"}
SUMMARY_KEYS = {"total_scenes", "total_duration_minutes", "primary_actors", "location_changes", "special_requirements"}
SCREENPLAY = "Title: Night Signal\n\nINT. RADIO STATION - NIGHT\n\nMAYA leans into the microphone.\n\nMAYA\nAnyone?\n"


@pytest.fixture
def producer(auth):
    return auth.headers("producer")


@pytest.fixture
def production(client, producer):
    """Maya and Rahul at the radio station and on the beach; the board starts on a Friday, no day off.
    Rahul's two scenes need two days: unconstrained, the cheapest board works him on the weekend."""
    put_board(client, producer, {"startDate": "2026-12-04", "daysOff": []})
    scenes = [add_scene(client, producer, ["MAYA", "RAHUL"], location="RADIO STATION - BOOTH", day_night="NIGHT",
                        page_eighths=32, extras=["night DJ"]),
              add_scene(client, producer, ["RAHUL"], location="BEACH - KOCHI", page_eighths=32),
              add_scene(client, producer, ["MAYA"], location="BEACH - KOCHI", page_eighths=24),
              add_scene(client, producer, ["MAYA"], location="RADIO STATION - BOOTH", day_night="NIGHT",
                        page_eighths=16, vfx_required=True)]
    for name, rate in (("MAYA", 900), ("RAHUL", 700)):
        assert client.put(f"/api/schedule/cast/{name}", json={"dailyRate": rate}, headers=producer).status_code == 200
    return scenes


def raw_fetch(client, headers, body):
    """The page's own fetch: Content-Type JSON and (with the patch) the token."""
    response = client.post("/api/ai/generate_gemini_schedule", json=body,
                           headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_generate_answers_the_shape_the_scheduling_page_reads(client, producer, production):
    answer = raw_fetch(client, producer, FRONTEND_CONSTRAINTS)
    assert answer["success"] is True and answer["message"]
    assert answer["status"] == "success" and answer["is_mock"] is False
    assert answer["data"]["schedule_data"] == answer["schedule_data"]  # the envelope and the bare fields agree
    info = answer["generation_info"]
    assert info["ai_model"] == propose.SOLVER_NAME and info["input_scenes"] == 4 and info["generated_at"].endswith("Z")
    data = answer["schedule_data"]
    assert set(data) == {"scheduling_strategy", "total_shooting_days", "daily_schedules", "actor_schedules",
                         "location_schedule", "optimization_benefits", "potential_risks"}
    assert answer["total_shooting_days"] == data["total_shooting_days"] == len(data["daily_schedules"])
    numbers = []
    for day in data["daily_schedules"]:
        assert set(day) == {"day", "date", "location_focus", "scenes", "daily_summary"}
        assert set(day["daily_summary"]) == SUMMARY_KEYS
        for scene in day["scenes"]:
            assert set(scene) == SCENE_KEYS
            numbers.append(scene["scene_number"])
    assert sorted(numbers) == [1, 2, 3, 4]
    assert set(data["actor_schedules"]) == {"MAYA", "RAHUL"}
    assert set(data["actor_schedules"]["MAYA"]) == {"total_working_days", "scenes", "schedule_notes"}
    assert set(data["location_schedule"]["BEACH - KOCHI"]) == {"days_needed", "total_scenes", "setup_requirements"}
    assert any("max_consecutive_days" in risk for risk in data["potential_risks"])  # said, not silently dropped


def test_available_days_are_honoured(client, producer, production):
    data = raw_fetch(client, producer, FRONTEND_CONSTRAINTS)["schedule_data"]
    for day in data["daily_schedules"]:
        if any("RAHUL" in scene["actors_needed"] for scene in day["scenes"]):
            assert datetime.date.fromisoformat(day["date"]).weekday() < 5, day["date"]  # never Saturday or Sunday
    # without the constraint the cheapest board does work Rahul on the weekend (day 2 is Saturday)
    free = raw_fetch(client, producer, {})["schedule_data"]
    weekend = [day for day in free["daily_schedules"] if datetime.date.fromisoformat(day["date"]).weekday() >= 5
               and any("RAHUL" in scene["actors_needed"] for scene in day["scenes"])]
    assert weekend


def test_setup_time_comes_before_the_first_scene_at_the_location(client, producer, production):
    data = raw_fetch(client, producer, FRONTEND_CONSTRAINTS)["schedule_data"]
    for day in data["daily_schedules"]:
        first = day["scenes"][0]
        setup = 120 if "RADIO STATION" in first["location"] else 60  # both sets have a setup time
        assert first["call_time"] == f"{7 + setup // 60:02d}:00"  # the day's call is 07:00
        assert f"{setup // 60} h setup at {first['location']}" in first["setup_notes"]
        end = [int(part) for part in day["scenes"][-1]["estimated_wrap"].split(":")]
        assert day["daily_summary"]["total_duration_minutes"] == end[0] * 60 + end[1] - 7 * 60
    beach = data["location_schedule"]["BEACH - KOCHI"]
    assert beach["setup_requirements"] == "1 h setup on each day there"
    assert any("weather-dependent: Beach - Kochi" in req for day in data["daily_schedules"]
               for req in day["daily_summary"]["special_requirements"])


def test_generate_through_the_api_client_with_no_body(client, producer, production):
    """endpoints.ts: apiClient.post('/ai/generate_gemini_schedule', constraints || {})."""
    assert raw_fetch(client, producer, {})["status"] == "success"


@pytest.mark.parametrize("body, field", [
    ({"actor_constraints": {"Rahul": {"available_days": ["Someday"]}}}, "actor_constraints.Rahul.available_days"),
    ({"actor_constraints": ["Maya"]}, "actor_constraints"),
    ({"location_preferences": {"Radio Station": {"setup_time_hours": -2}}},
     "location_preferences.Radio Station.setup_time_hours"),
    ({"timeLimitSeconds": 0}, "timeLimitSeconds"),
])
def test_bad_constraints_are_400s_naming_them(client, producer, production, body, field):
    response = client.post("/api/ai/generate_gemini_schedule", json=body, headers=producer)
    assert response.status_code == 400 and field in response.get_json()["errors"], response.get_json()


def test_null_or_odd_constraints_are_taken_as_none(client, producer, production):
    body = {"actor_constraints": {"Maya": None, "Nobody": {"available_days": ["Monday"]}},
            "location_preferences": {"Radio Station": None, "Beach": {"equipment_requirements": "crane"}}}
    data = raw_fetch(client, producer, body)["schedule_data"]
    assert "Nobody is not in the script's cast: their constraints were not applied" in data["potential_risks"]


def test_generate_with_no_scene_is_a_400(client, producer):
    response = client.post("/api/ai/generate_gemini_schedule", json=FRONTEND_CONSTRAINTS, headers=producer)
    assert response.status_code == 400


def test_preview_is_the_first_five_scenes_of_the_board(client, producer, production):
    ids = [scene["id"] for scene in production]
    put_board(client, producer, {"days": [{"sceneIds": [ids[3], ids[1]]}]})
    answer = client.get("/api/ai/preview_schedule", headers=producer).get_json()
    assert answer["status"] == "success" and answer["total_scenes_available"] == 4 and answer["preview_count"] == 4
    assert [(s["scene_number"], s["day"]) for s in answer["preview_scenes"]] == [(4, 1), (2, 1), (1, None), (3, None)]
    assert answer["preview_scenes"][2]["extras_count"] == 1 and answer["preview_scenes"][2]["actor_count"] == 2
    assert answer["preview_scenes"][0]["estimated_duration"] == 240  # 2 pages at 120 minutes a page (5 a 10-hour day)
    assert answer["data"] == {k: v for k, v in answer.items() if k not in ("success", "data", "message")}


def test_schedule_analysis_counts_the_script(client, producer, production):
    answer = client.get("/api/ai/schedule_analysis", headers=producer).get_json()
    analysis = answer["analysis"]
    assert answer["status"] == "success"
    assert analysis["total_scenes"] == 4 and analysis["unique_locations"] == 2
    assert analysis["time_distribution"] == {"DAY": 2, "DUSK": 0, "NIGHT": 2}
    assert analysis["busiest_actors"] == {"MAYA": 3, "RAHUL": 2}
    assert analysis["locations_breakdown"] == {"RADIO STATION - BOOTH": 2, "BEACH - KOCHI": 2}
    # script order changes set 2 times (booth, beach, beach, booth); grouped, once: one change saved
    assert analysis["optimization_potential"] == {"can_group_locations": True, "location_savings": 1}


def test_sort_schedule_answers_the_proposals_order_and_stores_nothing(client, producer, production):
    before = client.get("/api/schedule", headers=producer).get_json()["data"]
    answer = client.post("/api/ai/sort_schedule", json={}, headers=producer).get_json()
    assert answer["status"] == "success" and answer["total_scenes"] == 4
    assert sorted(s["scene_number"] for s in answer["sorted_scenes"]) == [1, 2, 3, 4]
    assert set(answer["sorted_scenes"][0]) == {"scene_number", "scene_title", "location", "time_of_day", "actors",
                                               "extras", "day"}
    assert client.get("/api/schedule", headers=producer).get_json()["data"] == before


def test_analysis_routes_are_the_breakdown(client, producer):
    breakdown = client.post("/api/script/breakdown", json={"text": SCREENPLAY}, headers=producer).get_json()["data"]
    text = client.post("/api/analysis/script/text", json={"text": SCREENPLAY}, headers=producer).get_json()
    assert text["status"] == "success" and text["scenes"] == breakdown["scenes"] == text["data"]["scenes"]
    upload = client.post("/api/analysis/script", data={"file": (io.BytesIO(SCREENPLAY.encode()), "night.fountain")},
                         headers=producer, content_type="multipart/form-data").get_json()
    assert upload["scenes"] == breakdown["scenes"] and upload["title"] == "Night Signal"
    assert client.get("/api/script", headers=producer).get_json()["data"]["scenes"] == []  # nothing applied


def test_analysis_bad_input_is_a_400(client, producer):
    assert client.post("/api/analysis/script/text", json={}, headers=producer).status_code == 400
    assert client.post("/api/analysis/script", data={}, headers=producer,
                       content_type="multipart/form-data").status_code == 400
    wrong = client.post("/api/analysis/script", data={"file": (io.BytesIO(b"x"), "script.exe")}, headers=producer,
                        content_type="multipart/form-data")
    assert wrong.status_code == 400


# -- who may call them (SPEC §4) -----------------------------------------------------------------------
def call(client, headers, method, url, body):
    if body == "file":
        return client.post(url, data={"file": (io.BytesIO(SCREENPLAY.encode()), "night.fountain")}, headers=headers,
                           content_type="multipart/form-data")
    return getattr(client, method)(url, json=body, headers=headers) if body is not None else \
        getattr(client, method)(url, headers=headers)


CELLS = [
    ("post", "/api/schedule/propose", {"timeLimitSeconds": 0.5}, SCHEDULE_WRITERS, 200),
    ("post", "/api/schedule/propose?apply=true", {"timeLimitSeconds": 0.5}, SCHEDULE_WRITERS, 201),
    ("post", "/api/ai/generate_gemini_schedule", FRONTEND_CONSTRAINTS, SCHEDULE_WRITERS, 200),
    ("post", "/api/ai/sort_schedule", {}, SCHEDULE_WRITERS, 200),
    ("get", "/api/ai/preview_schedule", None, set(ROLES), 200),
    ("get", "/api/ai/schedule_analysis", None, set(ROLES), 200),
    ("post", "/api/analysis/script/text", {"text": SCREENPLAY}, SCRIPT_WRITERS, 200),
    ("post", "/api/analysis/script", "file", SCRIPT_WRITERS, 200),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, body, allowed, status", CELLS)
def test_every_role_and_route(client, auth, production, role, method, url, body, allowed, status):
    response = call(client, auth.headers(role), method, url, body)
    assert response.status_code == (status if role in allowed else 403), response.get_json()


@pytest.mark.parametrize("method, url, body, allowed, status", CELLS)
def test_without_a_token_every_route_is_a_401(client, method, url, body, allowed, status):
    assert call(client, {}, method, url, body).status_code == 401
