from flask import Blueprint, current_app, request

from services import callsheet, cast, propose, schedule, schedule_pdf
from services.dood import to_csv
from utils import downloads
from utils.auth import requires
from utils.listing import query
from utils.requests import json_body
from utils.responses import cached, count, ok, ok_list, ok_resource
from utils.validation import validate_query
from services import demo
from services.openapi import schedule as api
from utils.domains import Domain, Entity

bp = Blueprint("schedule", __name__, url_prefix="/schedule")


@bp.get("")
@requires("schedule:read")
def get_board():
    def answer():
        board = schedule.get_board()
        totals = board["totals"]
        return ok_resource(board, f"Schedule: {count(totals['days'], 'shooting day')}, "
                                  f"{count(len(board['boneyard']), 'scene')} in the boneyard")
    return cached(answer, schedule.DEPENDS, "all")


@bp.put("")
@requires("schedule:write")
def update_board():
    return ok_resource(schedule.update(json_body(), request.headers.get("If-Match")), "Schedule updated")


@bp.post("/propose")
@requires("schedule:write")
def propose_schedule():
    answer, applied = propose.propose(json_body(optional=True), propose.apply_flag(request.args.get("apply")),
                                      current_app.config.get("PROPOSE_SEARCH_CAP"))
    message = (f"Proposal: {count(len(answer['days']), 'shooting day')}, cost {answer['cost']['total']:,.2f}"
               + (", proven optimal" if answer["optimal"] else "") + (" (applied)" if applied else " (not stored)"))
    return ok(answer, message, status=201 if applied else 200)


@bp.get("/cast")
@requires("schedule:read")
def list_cast():
    return ok_list(query(cast.list_cast(), request.args, cast.LISTING), "cast member")


@bp.put("/cast/<path:character>")
@requires("schedule:write")
def update_cast_member(character):
    member = cast.update_member(character, json_body(), request.headers.get("If-Match"))
    return ok_resource(member, f"Cast member {member['castId']} {member['character']} updated")


@bp.get("/dood")
@requires("schedule:read")
def get_dood():
    wanted = validate_query(request.args, schedule_pdf.DOOD_QUERY).get("format", "json")
    rows, days = schedule.get_dood()
    if wanted == "csv":
        return downloads.generated(to_csv(rows, days).encode("utf-8"), "day-out-of-days.csv", "text/csv")
    return ok_list(query(rows, request.args, cast.DOOD_LISTING), "cast member")


@bp.get("/callsheet/<int:day>")
@requires("schedule:read")
def get_call_sheet(day):
    wanted = validate_query(request.args, schedule_pdf.PDF_QUERY).get("format", "json")
    sheet = callsheet.call_sheet(day)
    if wanted == "pdf":
        return downloads.generated(schedule_pdf.call_sheet(sheet), f"call-sheet-day-{day}.pdf", "application/pdf")
    return ok_resource(sheet, f"Call sheet: day {sheet['day']} of {sheet['of']}" + (f", {sheet['date']}" if sheet["date"] else ""))


@bp.get("/stripboard")
@requires("schedule:read")
def print_stripboard():
    validate_query(request.args, schedule_pdf.BOARD_QUERY)
    return downloads.generated(schedule_pdf.stripboard(schedule.build(), schedule.title()), "stripboard.pdf", "application/pdf")


domain = Domain(bp, documents={schedule.SCHEDULE: schedule.empty_schedule, cast.CAST: cast.empty_cast},
                checks=(schedule.check_data, cast.check_data), seed=demo.seed_schedule,
                entities=(Entity("schedule", "the schedule"), Entity("cast_member", "cast member")),
                operations=api.OPERATIONS, components=api.SCHEMAS)
