"""The demo production (SPEC §5): a board across the three statuses, shots with versions."""
import datetime

from services import demo


def test_demo_production_has_a_realistic_board_and_pipeline(app, client, demo_login):
    headers = demo_login("producer")

    tasks = client.get("/api/tasks", headers=headers).get_json()["data"]
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    assert len(tasks) == len(demo.DEMO_TASKS) == 12
    assert {task["status"] for task in tasks} == {"todo", "in_progress", "done"}
    assert len({task["assigneeId"] for task in tasks if task["assigneeId"]}) >= 4
    overdue = [t for t in tasks if t["dueDate"] < today and t["status"] != "done"]
    assert len(overdue) >= 2
    assert all(task["assignee"] for task in tasks if task["assigneeId"])

    shots = client.get("/api/vfx", headers=headers).get_json()["data"]
    assert len(shots) == 5
    assert len({shot["status"] for shot in shots}) >= 3
    labels = [[v["version"] for v in shot["versions"]] for shot in shots]
    assert ["v001", "v002", "v003"] in labels and [] in labels

    crew_view = client.post("/api/auth/login", json={"username": "crew", "password": app.config["DEMO_PASSWORD"]})
    crew_headers = {"Authorization": "Bearer " + crew_view.get_json()["data"]["access_token"]}
    crew_tasks = client.get("/api/tasks", headers=crew_headers).get_json()["data"]
    assert crew_tasks and all(task["assignee"] == "Carlos Crew" for task in crew_tasks)


def test_demo_production_shows_a_board_a_dood_and_a_call_sheet(client, demo_login):
    headers = demo_login("crew")  # every role reads the schedule
    board = client.get("/api/schedule", headers=headers).get_json()["data"]
    assert len(board["days"]) == 5 and board["daysOff"] == ["Saturday", "Sunday"]
    assert [[s["scene_number"] for s in day["strips"]] for day in board["days"]] == [[1, 9], [3], [2, 4], [7], [5]]
    assert [s["scene_number"] for s in board["boneyard"]] == [6, 8]
    assert datetime.date.fromisoformat(board["days"][0]["date"]).weekday() == 0  # a Monday
    assert board["totals"]["castCost"] == 3 * 2500 + 3 * 1800 + 1200 + 900
    dood = {row["character"]: row["days"] for row in client.get("/api/schedule/dood", headers=headers).get_json()["data"]}
    assert dood["MARA"] == ["SW", "H", "WF", "", ""] and dood["CAPTAIN REYES"] == ["", "SW", "H", "WF", ""]
    sheet = client.get("/api/schedule/callsheet/1", headers=headers).get_json()["data"]
    assert sheet["production"] == "The Harbour Line" and sheet["cast"][0]["actor"] == "Ines Marlow"
    cast = client.get("/api/schedule/cast", headers=headers).get_json()["data"]
    assert all(member["actor"] and member["dailyRate"] > 0 for member in cast)
