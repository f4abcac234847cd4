"""The Day-Out-of-Days (SPEC §3 Schedule): codes, holds, the one drop, paid days, cost and the CSV."""
import csv
import io

import pytest


@pytest.fixture
def producer(auth):
    return auth.headers("producer")


def plan(client, headers, days, **settings):
    """One scene per shooting day with the characters listed (an empty day holds no scene); then
    the DOOD rows by character."""
    placed = []
    for characters in days:
        ids = []
        if characters:
            response = client.post("/api/script/scenes", json={"characters": characters}, headers=headers)
            ids.append(response.get_json()["data"]["id"])
        placed.append({"sceneIds": ids})
    response = client.put("/api/schedule", json={**settings, "days": placed}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return dood(client, headers)


def dood(client, headers):
    response = client.get("/api/schedule/dood", headers=headers)
    assert response.status_code == 200, response.get_json()
    return {row["character"]: row for row in response.get_json()["data"]}


def codes(rows, character):
    return rows[character]["days"]


def test_one_work_day_is_swf(client, producer):
    rows = plan(client, producer, [[], ["MARA"], []])
    assert codes(rows, "MARA") == ["", "SWF", ""]
    assert rows["MARA"]["start"] == rows["MARA"]["finish"] == {"day": 2, "date": None}


def test_consecutive_work_days_start_work_and_finish(client, producer):
    rows = plan(client, producer, [["MARA"], ["MARA"], ["MARA"], ["MARA"]])
    assert codes(rows, "MARA") == ["SW", "W", "W", "WF"]
    assert (rows["MARA"]["work"], rows["MARA"]["hold"], rows["MARA"]["drop"], rows["MARA"]["paidDays"]) == (4, 0, 0, 4)


def test_a_day_between_two_work_days_is_held(client, producer):
    rows = plan(client, producer, [["MARA", "OLSEN"], ["OLSEN"], ["MARA"], ["OLSEN"]])
    assert codes(rows, "MARA") == ["SW", "H", "WF", ""]
    assert codes(rows, "OLSEN") == ["SW", "W", "H", "WF"]
    assert (rows["MARA"]["work"], rows["MARA"]["hold"], rows["MARA"]["paidDays"]) == (2, 1, 3)


def test_a_gap_over_drop_days_is_dropped_and_picked_up(client, producer):
    # no start date: the gap is counted in shooting days; 3 > dropDays 2
    rows = plan(client, producer, [["MARA"], ["MARA"], [], [], [], ["MARA"]], dropDays=2)
    assert codes(rows, "MARA") == ["SW", "WD", "", "", "", "PWF"]
    assert (rows["MARA"]["work"], rows["MARA"]["hold"], rows["MARA"]["drop"], rows["MARA"]["paidDays"]) == (3, 0, 3, 3)


def test_a_gap_of_exactly_drop_days_is_held(client, producer):
    rows = plan(client, producer, [["MARA"], [], [], ["MARA"]], dropDays=2)
    assert codes(rows, "MARA") == ["SW", "H", "H", "WF"]


def test_only_the_first_long_gap_is_a_drop_the_second_is_held(client, producer):
    rows = plan(client, producer, [["MARA"], [], [], [], ["MARA"], ["MARA"], [], [], [], ["MARA"]], dropDays=2)
    assert codes(rows, "MARA") == ["SWD", "", "", "", "PW", "W", "H", "H", "H", "WF"]
    assert (rows["MARA"]["work"], rows["MARA"]["hold"], rows["MARA"]["drop"], rows["MARA"]["paidDays"]) == (4, 3, 3, 7)


def test_a_cast_member_who_starts_with_a_drop(client, producer):
    rows = plan(client, producer, [["OLSEN"], ["MARA"], ["OLSEN"], ["OLSEN"], ["MARA"]], dropDays=1)
    assert codes(rows, "MARA") == ["", "SWD", "", "", "PWF"]
    assert codes(rows, "OLSEN") == ["SW", "H", "W", "WF"] + [""]  # a 1-day gap is not over dropDays 1


def test_the_gap_is_in_calendar_days_once_there_are_dates(client, producer):
    # Tue 1 Dec, Wed 2 Dec, then holidays to the 14th: day 3 is Tue 15 Dec; day 4 Wed 16 Dec
    holidays = [f"2026-12-{n:02d}" for n in range(3, 15)]
    rows = plan(client, producer, [["MARA", "OLSEN"], [], ["MARA"], ["OLSEN"]], startDate="2026-12-01",
                holidays=holidays)
    # MARA: 2 Dec to 15 Dec: 12 calendar days between (3-14), over 10, and day 2 lies in it: dropped
    assert codes(rows, "MARA") == ["SWD", "", "PWF", ""]
    assert rows["MARA"]["finish"] == {"day": 3, "date": "2026-12-15"}
    # OLSEN: 1 Dec to 16 Dec is a long gap too: dropped (days 2 and 3 lie in it)
    assert codes(rows, "OLSEN") == ["SWD", "", "", "PWF"]


def test_the_readme_drop_example(client, producer):
    # weekdays from Monday 7 December: day 3 is Wed 9, day 12 Tue 22; 12 calendar days between
    days = [["MARA"], ["OLSEN"], ["MARA"]] + [["OLSEN"]] * 8 + [["MARA"]]
    plan(client, producer, days, startDate="2026-12-07", daysOff=["Saturday", "Sunday"])
    client.put("/api/schedule/cast/MARA", json={"dailyRate": 2500}, headers=producer)
    mara = dood(client, producer)["MARA"]
    assert mara["days"] == ["SW", "H", "WD"] + [""] * 8 + ["PWF"]
    assert (mara["paidDays"], mara["cost"], mara["drop"]) == (4, 10000, 8)
    assert mara["finish"] == {"day": 12, "date": "2026-12-22"}


def test_a_long_calendar_gap_with_no_shooting_day_in_it_is_not_a_drop(client, producer):
    holidays = [f"2026-12-{n:02d}" for n in range(2, 20)]
    rows = plan(client, producer, [["MARA"], ["MARA"]], startDate="2026-12-01", holidays=holidays)
    assert codes(rows, "MARA") == ["SW", "WF"]  # 1 Dec and 21 Dec (20 is a Sunday), nothing between


def test_paid_days_and_cost_by_hand(client, producer):
    rows = plan(client, producer, [["MARA", "OLSEN"], ["OLSEN"], ["MARA"], [], [], [], ["MARA"], ["VENDOR"]],
                dropDays=2)
    client.put("/api/schedule/cast/MARA", json={"dailyRate": 1250.25}, headers=producer)
    client.put("/api/schedule/cast/OLSEN", json={"dailyRate": 800.1}, headers=producer)
    rows = dood(client, producer)
    # MARA: SW H W, then 3 days dropped, PWF: 3 work + 1 hold = 4 paid × 1,250.25 = 5,001.00
    assert codes(rows, "MARA") == ["SW", "H", "WD", "", "", "", "PWF", ""]
    assert (rows["MARA"]["paidDays"], rows["MARA"]["cost"]) == (4, 5001.0)
    # OLSEN: 2 work days × 800.10 = 1,600.20; VENDOR: 1 day at the default rate 0
    assert (rows["OLSEN"]["paidDays"], rows["OLSEN"]["cost"]) == (2, 1600.2)
    assert (rows["VENDOR"]["paidDays"], rows["VENDOR"]["cost"]) == (1, 0)
    board = client.get("/api/schedule", headers=producer).get_json()["data"]
    assert board["totals"]["castCost"] == 6601.2  # 5,001.00 + 1,600.20


def test_a_cast_member_only_in_the_boneyard_has_an_empty_row(client, producer):
    client.post("/api/script/scenes", json={"characters": ["VENDOR"]}, headers=producer)  # first to appear: 1
    rows = plan(client, producer, [["MARA"]])
    assert rows["VENDOR"] == {"castId": 1, "character": "VENDOR", "actor": "", "days": [""], "start": None,
                              "finish": None, "work": 0, "hold": 0, "drop": 0, "paidDays": 0, "cost": 0}


def test_the_csv_is_a_grid_a_spreadsheet_opens(client, producer):
    plan(client, producer, [["MARA"], [], ["MARA", "OLSEN"]], startDate="2026-12-04")
    client.put("/api/schedule/cast/OLSEN", json={"actor": "=HYPERLINK(\"x\")", "dailyRate": 100}, headers=producer)
    response = client.get("/api/schedule/dood?format=csv", headers=producer)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="day-out-of-days.csv"'
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == ["castId", "character", "actor", "Day 1 2026-12-04", "Day 2 2026-12-05", "Day 3 2026-12-07",
                        "start", "finish", "work", "hold", "drop", "paidDays", "cost"]
    assert table[1] == ["1", "MARA", "", "SW", "H", "WF", "1", "3", "2", "1", "0", "3", "0.00"]
    assert table[2] == ["2", "OLSEN", "'=HYPERLINK(\"x\")", "", "", "SWF", "3", "3", "1", "0", "0", "1", "100.00"]
    assert len(table) == 3


def test_an_unknown_format_is_a_400(client, producer):
    response = client.get("/api/schedule/dood?format=xlsx", headers=producer)
    assert response.status_code == 400 and "format" in response.get_json()["errors"]
