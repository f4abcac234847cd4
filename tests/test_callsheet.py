"""Call sheets and the printed stripboard (SPEC §3 Schedule): JSON, 404s, and PDFs whose text holds the day."""
import io

import pytest
from pypdf import PdfReader


@pytest.fixture
def board(client, auth):
    """Two shooting days from Friday 4 December: scenes 1 and 2, then scene 3; scene 4 in the boneyard."""
    headers = auth.headers("producer")
    scenes = [
        {"title": "EXT. HARBOUR - DUSK", "int_ext": "EXT", "day_night": "DUSK", "location": "HARBOUR",
         "characters": ["MARA"], "estimated_runtime_minutes": 2.5, "scene_description": "Cranes against the sky."},
        {"title": "INT. OFFICE - NIGHT", "int_ext": "INT", "day_night": "NIGHT", "location": "OFFICE",
         "characters": ["OLSEN", "MARA"], "estimated_runtime_minutes": 0.875, "scene_description": "Olsen waits."},
        {"title": "EXT. OPEN SEA - NIGHT", "int_ext": "EXT", "day_night": "NIGHT", "location": "OPEN SEA",
         "characters": ["CAPTAIN REYES", "MARA"], "estimated_runtime_minutes": 4},
        {"title": "INT. VAN - DAY", "characters": ["COURIER"]},
    ]
    ids = [client.post("/api/script/scenes", json=s, headers=headers).get_json()["data"]["id"] for s in scenes]
    for character, actor in (("MARA", "Ines Marlow"), ("OLSEN", "Henrik Dahl"), ("CAPTAIN REYES", "Rafael Ortega")):
        client.put(f"/api/schedule/cast/{character}", json={"actor": actor}, headers=headers)
    response = client.put("/api/schedule", headers=headers, json={"startDate": "2026-12-04", "days": [
        {"sceneIds": [ids[0], ids[1]], "callTime": "16:30", "note": "Rain towers on the quay"},
        {"sceneIds": [], "note": "Travel day"},
        {"sceneIds": [ids[2]], "callTime": "18:00"}]})
    assert response.status_code == 200
    return headers


def test_a_call_sheet_holds_the_day_its_scenes_cast_and_advance_schedule(client, board):
    response = client.get("/api/schedule/callsheet/1", headers=board)
    assert response.status_code == 200 and response.headers["ETag"]
    sheet = response.get_json()["data"]
    assert response.get_json()["message"] == "Call sheet: day 1 of 3, 2026-12-04"
    assert (sheet["day"], sheet["of"], sheet["date"], sheet["callTime"], sheet["note"]) == (
        1, 3, "2026-12-04", "16:30", "Rain towers on the quay")
    assert sheet["locations"] == ["HARBOUR", "OFFICE"]
    assert [(s["scene_number"], s["pages"], s["scene_description"]) for s in sheet["scenes"]] == [
        (1, "2 4/8", "Cranes against the sky."), (2, "7/8", "Olsen waits.")]
    assert (sheet["eighths"], sheet["pages"]) == (27, "3 3/8")
    # MARA works days 1 and 3 (held on the travel day); OLSEN only today; REYES starts on day 3
    assert sheet["cast"] == [
        {"castId": 1, "character": "MARA", "actor": "Ines Marlow", "code": "SW", "callTime": "16:30"},
        {"castId": 2, "character": "OLSEN", "actor": "Henrik Dahl", "code": "SWF", "callTime": "16:30"}]
    assert sheet["advance"] == [] and sheet["advanceDay"] == {"day": 2, "date": "2026-12-05"}


def test_a_held_cast_member_is_listed_without_a_call(client, board):
    sheet = client.get("/api/schedule/callsheet/2", headers=board).get_json()["data"]
    assert sheet["cast"] == [{"castId": 1, "character": "MARA", "actor": "Ines Marlow", "code": "H", "callTime": None}]
    assert [s["scene_number"] for s in sheet["advance"]] == [3]
    last = client.get("/api/schedule/callsheet/3", headers=board).get_json()["data"]
    assert (last["advance"], last["advanceDay"]) == ([], None)


@pytest.mark.parametrize("day", [0, 4, 99])
def test_a_day_that_does_not_exist_is_a_404(client, board, day):
    for query in ("", "?format=pdf"):
        response = client.get(f"/api/schedule/callsheet/{day}{query}", headers=board)
        assert response.status_code == 404 and "day" in response.get_json()["message"]
    assert client.get("/api/schedule/callsheet/-1", headers=board).status_code == 404


def test_an_unknown_format_is_a_400(client, board):
    for url in ("/api/schedule/callsheet/1?format=docx", "/api/schedule/stripboard?format=png"):
        response = client.get(url, headers=board)
        assert response.status_code == 400 and "format" in response.get_json()["errors"]


def pdf_text(response):
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def test_the_call_sheet_pdf_holds_the_day_date_scenes_and_cast(client, board):
    response = client.get("/api/schedule/callsheet/1?format=pdf", headers=board)
    assert response.headers["Content-Disposition"] == 'attachment; filename="call-sheet-day-1.pdf"'
    text = pdf_text(response)
    for expected in ("CALL SHEET", "Day 1 of 3", "2026-12-04", "General call: 16:30", "HARBOUR; OFFICE",
                     "EXT. HARBOUR - DUSK", "INT. OFFICE - NIGHT", "2 4/8", "7/8", "Ines Marlow", "Henrik Dahl",
                     "MARA", "OLSEN", "SWF", "Rain towers on the quay", "Advance schedule: day 2", "2026-12-05"):
        assert expected in text, expected
    assert "Rafael Ortega" not in text  # not called on day 1


def test_the_stripboard_pdf_prints_every_day_and_the_boneyard(client, board):
    text = pdf_text(client.get("/api/schedule/stripboard?format=pdf", headers=board))
    for expected in ("END OF DAY 1", "2026-12-04", "3 3/8 pages", "END OF DAY 2", "2026-12-05", "END OF DAY 3",
                     "2026-12-07", "EXT. OPEN SEA - NIGHT", "Boneyard (1 scenes", "INT. VAN - DAY", "1, 2"):
        assert expected in text, expected
    assert client.get("/api/schedule/stripboard", headers=board).data.startswith(b"%PDF")  # pdf is the default


def test_a_long_board_prints_on_several_pages(client, auth):
    headers = auth.headers("producer")
    ids = [client.post("/api/script/scenes", json={"characters": ["MARA"], "scene_description": "word " * 200},
                       headers=headers).get_json()["data"]["id"] for _ in range(60)]
    client.put("/api/schedule", json={"days": [{"sceneIds": ids}]}, headers=headers)
    board = PdfReader(io.BytesIO(client.get("/api/schedule/stripboard", headers=headers).data))
    sheet = PdfReader(io.BytesIO(client.get("/api/schedule/callsheet/1?format=pdf", headers=headers).data))
    assert len(board.pages) > 1 and len(sheet.pages) > 1
    assert "(continued)" in sheet.pages[1].extract_text()
    assert "date to be set" in sheet.pages[0].extract_text()  # no start date
