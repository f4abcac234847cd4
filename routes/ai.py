"""The original frontend's scheduling calls (SPEC §3 Schedule, last bullet): answered from the solver
and the board (services/ai_schedule.py), with the bare fields it reads beside the envelope."""
from flask import Blueprint, current_app

from services import ai_schedule
from utils.auth import requires
from utils.requests import json_body
from utils.responses import count, ok_bare
from services.openapi import ai as api
from utils.domains import Domain

bp = Blueprint("ai", __name__, url_prefix="/ai")


def _cap():
    return current_app.config.get("PROPOSE_SEARCH_CAP")


@bp.post("/generate_gemini_schedule")
@requires("schedule:write")
def generate_gemini_schedule():
    answer = ai_schedule.generate(json_body(optional=True), _cap())
    return ok_bare(answer, f"Schedule computed: {count(answer['total_shooting_days'], 'shooting day')} "
                           f"({'proven optimal' if answer['proposal']['optimal'] else 'best found in the time limit'})")


@bp.get("/preview_schedule")
@requires("schedule:read")
def preview_schedule():
    answer = ai_schedule.preview()
    return ok_bare(answer, f"Schedule preview: {answer['preview_count']} of "
                           f"{count(answer['total_scenes_available'], 'scene')}")


@bp.get("/schedule_analysis")
@requires("schedule:read")
def schedule_analysis():
    answer = ai_schedule.analysis()
    return ok_bare(answer, f"Schedule analysis: {count(answer['analysis']['total_scenes'], 'scene')}")


@bp.post("/sort_schedule")
@requires("schedule:write")
def sort_schedule():
    answer = ai_schedule.sort(json_body(optional=True), _cap())
    return ok_bare(answer, f"Scenes sorted: {count(answer['total_scenes'], 'scene')} (nothing stored)")


domain = Domain(bp, operations=api.OPERATIONS, components=api.SCHEMAS)
