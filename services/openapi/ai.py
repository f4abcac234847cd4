"""OpenAPI of the original frontend's scheduling calls (/ai/*) and its breakdown paths (/analysis/*)."""
from services import propose, schedule, screenplay
from services.openapi.shapes import (COUNT, DATA, DATE, FILE, STRING, TIMESTAMP, Op, array, json_schema_of, obj,
                                     or_null, ref)

SCENE_NUMBER = {"type": "integer", "minimum": 1}
NAMES = array(STRING)
SCHEMAS = {
    "FrontendSchedule": obj(
        status={"const": "success"},
        schedule_data=obj(
            scheduling_strategy=STRING, total_shooting_days=COUNT,
            daily_schedules=array(obj(
                day={"type": "integer", "minimum": 1}, date=or_null(DATE), location_focus=STRING,
                scenes=array(obj(scene_number=SCENE_NUMBER, scene_title=STRING, location=STRING, time_of_day=STRING,
                                 estimated_duration_minutes=COUNT, actors_needed=NAMES, extras_needed=NAMES,
                                 call_time=STRING, estimated_wrap=STRING, setup_notes=STRING)),
                daily_summary=obj(total_scenes=COUNT, total_duration_minutes=COUNT, primary_actors=NAMES,
                                  location_changes=COUNT, special_requirements=NAMES))),
            actor_schedules={"type": "object"}, location_schedule={"type": "object"},
            optimization_benefits=NAMES, potential_risks=NAMES),
        generation_info=obj(generated_at=TIMESTAMP, ai_model=STRING, input_scenes=COUNT),
        total_shooting_days=COUNT, is_mock={"const": False}, proposal=ref("ProposalSummary")),
    "FrontendPreview": obj(status={"const": "success"}, total_scenes_available=COUNT, preview_count=COUNT,
                           preview_scenes=array(obj(scene_number=SCENE_NUMBER, scene_title=STRING, location=STRING,
                                                    time_of_day=STRING, estimated_duration=COUNT, actor_count=COUNT,
                                                    extras_count=COUNT, day=or_null({"type": "integer"})))),
    "FrontendAnalysis": obj(status={"const": "success"}, data_source=STRING, analysis=obj(
        total_scenes=COUNT, unique_locations=COUNT, location_clusters_identified=COUNT,
        time_distribution=obj(DAY=COUNT, DUSK=COUNT, NIGHT=COUNT), busiest_actors={"type": "object"},
        locations_breakdown={"type": "object"},
        optimization_potential=obj(can_group_locations={"type": "boolean"}, location_savings=COUNT),
        data_source=STRING)),
    "FrontendSorted": obj(status={"const": "success"}, total_scenes=COUNT, proposal=ref("ProposalSummary"),
                          sorted_scenes=array(obj(scene_number=SCENE_NUMBER, scene_title=STRING, location=STRING,
                                                  time_of_day=STRING, actors=NAMES, extras=NAMES,
                                                  day={"type": "integer", "minimum": 1}))),
}
FRONTEND_NOTE = ("The original frontend's call: the fields of `data` are also at the top level of the answer "
                 "(it reads them there). Computed by the solver; nothing calls a remote model.")
CONSTRAINTS = {"type": "object", "properties": {
    "actor_constraints": {"type": "object", "additionalProperties": {"type": "object", "properties": {
        "available_days": array({"type": "string", "enum": list(schedule.WEEKDAYS)}),
        "max_consecutive_days": {"type": "integer"}, "preferred_call_times": array(STRING)}}},
    "location_preferences": {"type": "object", "additionalProperties": {"type": "object", "properties": {
        "setup_time_hours": {"type": "number", "minimum": 0, "maximum": 24}, "weather_dependent": {"type": "boolean"},
        "equipment_requirements": array(STRING)}}},
    **{name: json_schema_of(f) for name, f in propose.SCHEMA.items()}}}
OPERATIONS = {
    "ai.generate_gemini_schedule": Op("The original frontend's AI schedule: a proposal in its schedule_data shape",
                                      DATA, ref("FrontendSchedule"), raw_body=CONSTRAINTS, body_optional=True,
                                      note=FRONTEND_NOTE),
    "ai.preview_schedule": Op("The first five scenes of the board in shooting order", DATA, ref("FrontendPreview"),
                              note=FRONTEND_NOTE),
    "ai.schedule_analysis": Op("The script's scenes counted: locations, times of day, busiest cast", DATA,
                               ref("FrontendAnalysis"), note=FRONTEND_NOTE),
    "ai.sort_schedule": Op("The legacy sort: the proposal's scene order (nothing stored)", DATA, ref("FrontendSorted"),
                           body=propose.SCHEMA, partial=True, body_optional=True, note=FRONTEND_NOTE),
}
ANALYSIS_OPERATIONS = {
    "analysis.analyse_text": Op("The breakdown of a screenplay sent as text (the original frontend's path)", DATA,
                                ref("Breakdown"), body={"text": screenplay.BREAKDOWN_SCHEMA["text"]},
                                note="As POST /script/breakdown without apply; the fields also at the top level."),
    "analysis.analyse_file": Op("The breakdown of an uploaded screenplay (the original frontend's path)", DATA,
                                ref("Breakdown"), form={"file": FILE},
                                note="As POST /script/breakdown with a file; the fields also at the top level."),
}
