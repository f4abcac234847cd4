"""Script version control (SPEC §3 Script): revisions, colours, summaries, reading and restoring."""
import subprocess
import sys
from pathlib import Path

import pytest

from services import revisions
from tests.conftest import SECRET

ROOT = Path(__file__).resolve().parents[1]


def producer_put(client, auth, url, body):
    response = client.put(url, json=body, headers=auth.headers("producer"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


def new_scene(client, auth, **fields):
    response = client.post("/api/script/scenes", json=fields, headers=auth.headers("producer"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def history(client, auth):
    response = client.get("/api/script/versions", headers=auth.headers("crew"))
    assert response.status_code == 200
    return response.get_json()


def test_a_new_script_is_version_1_white_and_its_history_holds_it(client, auth):
    body = history(client, auth)
    assert body["message"] == "1 revision"
    [entry] = body["data"]
    assert entry == {"version": "1", "revisionColor": "White", "lastModified": entry["lastModified"],
                     "modifiedBy": None, "summary": "Initial script"}
    assert entry["lastModified"].endswith("Z")  # every entry has a timestamp, the first one included
    assert history(client, auth)["data"] == [entry]  # recorded once: the same time on every read
    state = client.get("/api/script/versions/1", headers=auth.headers("crew")).get_json()["data"]
    assert (state["scenes"], state["text"], state["summary"]) == ([], {"content": "", "pages": 0}, "Initial script")


def test_thirteen_successive_revisions_follow_the_industry_colours(client, auth, users):
    scene = new_scene(client, auth)
    for minutes in range(1, 12):
        producer_put(client, auth, f"/api/script/scene/{scene['id']}", {"estimated_runtime_minutes": minutes})
    entries = history(client, auth)["data"]
    expected = ["White", "Blue", "Pink", "Yellow", "Green", "Goldenrod", "Buff", "Salmon", "Cherry",
                "Double White", "Double Blue", "Double Pink", "Double Yellow"]
    assert [e["version"] for e in entries] == [str(v) for v in range(13, 0, -1)]
    assert [e["revisionColor"] for e in entries] == expected[::-1]
    assert entries[0]["summary"] == "Scene 1 updated: estimated_runtime_minutes"
    assert entries[-2]["summary"] == "Scene 1 added"
    assert all(e["modifiedBy"] == users["producer"]["id"] and e["lastModified"].endswith("Z") for e in entries[:-1])
    script = client.get("/api/script", headers=auth.headers("crew")).get_json()["data"]
    assert (script["version"], script["revisionColor"]) == ("13", "Double Yellow")
    assert script["modifiedBy"] == users["producer"]["id"]


@pytest.mark.parametrize("version, color", [
    (1, "White"), (9, "Cherry"), (10, "Double White"), (18, "Double Cherry"), (19, "Triple White"),
    (28, "Quadruple White"), (72, "Octuple Cherry"), (73, "9x White"),
])
def test_colour_of_a_version(version, color):
    assert revisions.color(version) == color


def test_summaries_say_what_changed_in_one_line(client, auth):
    scene = new_scene(client, auth, scene_number=4, title="INT. KITCHEN - NIGHT")
    producer_put(client, auth, f"/api/script/scene/{scene['id']}", {"location": "ROOF", "day_night": "DUSK",
                                                                   "title": "INT. KITCHEN - NIGHT"})
    producer_put(client, auth, "/api/script/text", {"content": "INT. ROOF - DUSK\n" * 60})
    producer_put(client, auth, "/api/script", {"title": "The Harbour Line"})
    client.delete(f"/api/script/scene/{scene['id']}", headers=auth.headers("producer"))
    summaries = [e["summary"] for e in history(client, auth)["data"]]
    assert summaries == [
        "Scene 4 deleted",
        "Script updated: title",
        "Screenplay text updated (2 pages)",
        "Scene 4 updated: location, day_night",
        "Scene 4 added: INT. KITCHEN - NIGHT",
        "Initial script",
    ]


def test_a_version_reads_back_in_full_with_its_scenes_and_text(client, auth):
    scene = new_scene(client, auth, title="INT. A - DAY", location="A")
    producer_put(client, auth, "/api/script/text", {"content": "INT. A - DAY\n\nMara waits.\n"})
    producer_put(client, auth, f"/api/script/scene/{scene['id']}", {"location": "B"})
    response = client.get("/api/script/versions/3", headers=auth.headers("distribution"))
    assert response.status_code == 200 and response.get_json()["message"] == "Script version 3 (Pink)"
    state = response.get_json()["data"]
    assert (state["version"], state["revisionColor"], state["summary"]) == ("3", "Pink", "Screenplay text updated (1 page)")
    assert [s["location"] for s in state["scenes"]] == ["A"] and state["scenes"][0]["number"] == 1
    assert state["locations"] == ["A"] and state["totalScenes"] == 1
    assert state["text"] == {"content": "INT. A - DAY\n\nMara waits.\n", "pages": 1}
    older = client.get("/api/script/versions/2", headers=auth.headers("crew")).get_json()["data"]
    assert older["text"]["content"] == ""
    assert client.get("/api/script", headers=auth.headers("crew")).get_json()["data"]["locations"] == ["B"]


@pytest.mark.parametrize("version", ["4", "0", "abc", "1.0", "-1"])
def test_unknown_version_is_404(client, auth, version):
    new_scene(client, auth)
    assert client.get(f"/api/script/versions/{version}", headers=auth.headers("crew")).status_code == 404
    assert client.post(f"/api/script/versions/{version}/restore", headers=auth.headers("producer")).status_code == 404


def test_restore_makes_a_new_revision_equal_to_the_old_one_scenes_and_text(client, auth, users):
    first = new_scene(client, auth, title="INT. A - DAY", location="A")
    producer_put(client, auth, "/api/script/text", {"content": "First draft\n"})  # version 3
    producer_put(client, auth, f"/api/script/scene/{first['id']}", {"location": "B"})
    new_scene(client, auth, title="EXT. C - NIGHT")
    producer_put(client, auth, "/api/script/text", {"content": "Second draft\n"})
    client.delete(f"/api/script/scene/{first['id']}", headers=auth.headers("producer"))  # version 7
    response = client.post("/api/script/versions/3/restore", headers={**auth.headers("director"),
                                                                     "Content-Type": "text/plain"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["message"] == "Version 3 restored as version 8 (Salmon)"
    script = response.get_json()["data"]
    assert (script["version"], script["revisionColor"], script["modifiedBy"]) == ("8", "Salmon", users["director"]["id"])
    assert [(s["id"], s["title"], s["location"]) for s in script["scenes"]] == [("1", "INT. A - DAY", "A")]
    text = client.get("/api/script/text", headers=auth.headers("crew")).get_json()["data"]
    assert text == {"content": "First draft\n", "pages": 1}
    assert history(client, auth)["data"][0]["summary"] == "Restored version 3 (Pink)"
    assert new_scene(client, auth)["id"] == "3"  # the restore does not hand out an id again


def test_restore_of_the_initial_version_empties_the_script(client, auth):
    new_scene(client, auth)
    producer_put(client, auth, "/api/script/text", {"content": "Draft\n"})
    response = client.post("/api/script/versions/1/restore", headers=auth.headers("producer"))
    assert response.status_code == 201
    assert response.get_json()["data"]["scenes"] == [] and response.get_json()["data"]["version"] == "4"
    assert client.get("/api/script/text", headers=auth.headers("crew")).get_json()["data"]["content"] == ""


def test_restore_unlinks_shots_of_scenes_the_old_version_lacks(client, auth):
    new_scene(client, auth)  # version 2
    later = new_scene(client, auth)
    shot = client.post("/api/vfx", json={"shotName": "SH1", "sceneId": later["id"]}, headers=auth.headers("vfx"))
    assert client.post("/api/script/versions/2/restore", headers=auth.headers("producer")).status_code == 201
    assert client.get(f"/api/vfx/{shot.get_json()['data']['id']}", headers=auth.headers("vfx")).get_json()[
        "data"]["sceneId"] is None


def test_text_round_trip_and_pages_at_55_lines(client, auth):
    empty = client.get("/api/script/text", headers=auth.headers("crew"))
    assert empty.status_code == 200 and empty.get_json()["data"] == {"content": "", "pages": 0}
    assert empty.get_json()["message"] == "Screenplay text: 0 pages"
    content = "line\n" * 111  # 111 lines: 2 full pages and one line more
    saved = client.put("/api/script/text", json={"content": content}, headers=auth.headers("director"))
    assert saved.status_code == 200 and saved.get_json()["data"] == {"content": content, "pages": 3}
    assert client.get("/api/script/text", headers=auth.headers("crew")).get_json()["data"]["pages"] == 3
    assert producer_put(client, auth, "/api/script/text", {"content": ""}) == {"content": "", "pages": 0}


@pytest.mark.parametrize("body, field", [({}, "content"), ({"content": 5}, "content"), ({"content": None}, "content"),
                                         ({"content": "x", "pages": 3}, "pages")])
def test_invalid_text_is_400(client, auth, body, field):
    response = client.put("/api/script/text", json=body, headers=auth.headers("producer"))
    assert response.status_code == 400 and field in response.get_json()["errors"]


def test_an_unchanged_text_is_stored_once_and_makes_no_revision(app, client, auth):
    data_dir = Path(app.config["DATA_DIR"])
    producer_put(client, auth, "/api/script/text", {"content": "Draft A\n"})
    producer_put(client, auth, "/api/script/text", {"content": "Draft A\n"})
    assert [e["version"] for e in history(client, auth)["data"]] == ["2", "1"]
    producer_put(client, auth, "/api/script/text", {"content": "Draft B\n"})
    producer_put(client, auth, "/api/script/text", {"content": "Draft A\n"})
    for number in range(3):
        new_scene(client, auth)
    assert len(list(data_dir.glob("script_text_*.json"))) == 2
    assert len(list(data_dir.glob("script_revision_*.json"))) == 7


def test_saving_a_revision_leaves_older_revision_files_untouched(app, client, auth):
    new_scene(client, auth)
    path = Path(app.config["DATA_DIR"]) / "script_revision_2.json"
    before = (path.stat().st_mtime_ns, path.read_bytes())
    for _ in range(3):
        new_scene(client, auth)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_text_and_restore_record_script_events(client, auth, monkeypatch):
    from utils import activity
    events = []
    monkeypatch.setattr(activity, "record", lambda *args, **kw: events.append((args, kw)))
    producer_put(client, auth, "/api/script/text", {"content": "Draft\n"})
    client.post("/api/script/versions/1/restore", headers=auth.headers("producer"))
    assert [args for args, _ in events] == [("update", "script", None), ("restore", "script", None)]
    assert (events[0][1]["before"]["content"], events[0][1]["after"]["content"]) == ("", "Draft\n")


def test_versions_list_pages(client, auth):
    for _ in range(4):
        new_scene(client, auth)
    response = client.get("/api/script/versions?page=2&per_page=2", headers=auth.headers("crew"))
    assert [e["version"] for e in response.get_json()["data"]] == ["3", "2"]
    assert response.get_json()["meta"] == {"page": 2, "per_page": 2, "total": 5}


# -- two processes editing two scenes at once ----------------------------------------------------
EDITOR = f"""
import os, sys, time
sys.path.insert(0, {str(ROOT)!r})
from app import create_app
from services import scenes
app = create_app({{"DATA_DIR": sys.argv[1], "UPLOAD_DIR": sys.argv[1] + "-uploads", "AUTO_SEED": False,
                  "SECRET_KEY": {SECRET!r}, "JWT_SECRET_KEY": {SECRET!r}}})
scene_id, edits = sys.argv[2], int(sys.argv[3])
print("ready", flush=True)
while not os.path.exists(os.path.join(sys.argv[1], "go")):
    time.sleep(0.001)
with app.app_context():
    for i in range(edits):
        scenes.update_scene(scene_id, {{"notes": f"edit {{i:02d}}"}}, {{"id": "editor-" + scene_id}})
"""


def test_two_processes_editing_two_scenes_both_keep_every_change_each_in_its_own_revision(app, client, auth):
    first, second = new_scene(client, auth), new_scene(client, auth)  # the script is at version 3
    data_dir = app.config["DATA_DIR"]
    edits = 12
    children = [subprocess.Popen([sys.executable, "-c", EDITOR, data_dir, scene["id"], str(edits)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for scene in (first, second)]
    for child in children:
        assert child.stdout.readline() == "ready\n", child.stderr.read()
    Path(data_dir, "go").touch()
    for child in children:
        _, stderr = child.communicate(timeout=120)
        assert child.returncode == 0, stderr
    script = client.get("/api/script", headers=auth.headers("crew")).get_json()["data"]
    assert [s["notes"] for s in script["scenes"]] == ["edit 11", "edit 11"]
    assert script["version"] == str(3 + 2 * edits)
    entries = history(client, auth)["data"]
    assert [e["version"] for e in entries] == [str(v) for v in range(3 + 2 * edits, 0, -1)]
    mine = {scene_id: [e for e in entries if e["modifiedBy"] == f"editor-{scene_id}"] for scene_id in ("1", "2")}
    assert {k: len(v) for k, v in mine.items()} == {"1": edits, "2": edits}
    assert all(e["summary"] == "Scene 1 updated: notes" for e in mine["1"])
    assert all(e["summary"] == "Scene 2 updated: notes" for e in mine["2"])
    # each revision holds the state after its own edit: the editor's scene shows its newest note
    for entry in mine["1"][:3]:
        state = client.get(f"/api/script/versions/{entry['version']}", headers=auth.headers("crew")).get_json()["data"]
        position = edits - 1 - mine["1"].index(entry)
        assert state["scenes"][0]["notes"] == f"edit {position:02d}"


def test_check_data_names_a_missing_revision_file_and_a_missing_text(app, client, auth, runner):
    producer_put(client, auth, "/api/script/text", {"content": "Draft\n"})
    new_scene(client, auth)
    assert runner.invoke(args=["check-data"]).exit_code == 0
    data_dir = Path(app.config["DATA_DIR"])
    (data_dir / "script_revision_3.json").unlink()
    text_file = next(data_dir.glob("script_text_*.json"))
    text_file.unlink()
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 1
    assert "script_revisions.json: version 3 has no file script_revision_3.json" in result.output
    assert f"Data file {text_file.name} is broken (missing, or without its content)" in result.output
