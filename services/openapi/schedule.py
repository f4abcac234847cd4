"""OpenAPI of /schedule: the cast, the stripboard, the proposal, DOOD and call sheets."""
from services import cast, propose, scene_fields, schedule, schedule_pdf
from services.openapi.shapes import (COUNT, DATA, DATE, ID, LIST, MONEY, NUMBER, RAW, STRING, Op, array, obj, or_null,
                                     query_of, ref)

PAGES_TEXT = {"type": "string", "pattern": r"^(0|[1-9][0-9]*|([1-9][0-9]* )?[1-7]/8)$", "description": 'pages: "2 3/8", "7/8", "3"'}
DAY_AND_DATE = obj(day={"type": "integer", "minimum": 1}, date=or_null(DATE))
CAST_IDS = array({"type": "integer", "minimum": 1})
SCHEMAS = {
    "Strip": obj(sceneId=ID, scene_number={"type": "integer", "minimum": 1},
                 int_ext={"type": "string", "enum": list(scene_fields.INT_EXT)},
                 day_night={"type": "string", "enum": list(scene_fields.DAY_NIGHT)}, location=STRING,
                 page_eighths={"type": "integer", "minimum": 1}, pages=PAGES_TEXT, castIds=CAST_IDS, title=STRING,
                 color={"type": "string", "enum": sorted(set(schedule.COLORS.values()))}),
    "ScheduleDay": obj(day={"type": "integer", "minimum": 1}, date=or_null(DATE), callTime=STRING, note=STRING,
                       strips=array(ref("Strip")), eighths=COUNT, pages=PAGES_TEXT, overCapacity={"type": "boolean"},
                       unavailableCast={**CAST_IDS, "description": "cast ids working on a date they are unavailable"}),
    "Schedule": obj(startDate=or_null(DATE), daysOff=array({"type": "string", "enum": list(schedule.WEEKDAYS)}),
                    holidays=array(DATE), pagesPerDay=NUMBER, dropDays=COUNT, days=array(ref("ScheduleDay")),
                    boneyard=array(ref("Strip")),
                    totals=obj(days=COUNT, scheduledEighths=COUNT, scheduledPages=PAGES_TEXT, boneyardEighths=COUNT,
                               boneyardPages=PAGES_TEXT, castCost=MONEY)),
    "CastMember": obj(castId={"type": "integer", "minimum": 1}, character=STRING, actor=STRING, userId=or_null(ID),
                      dailyRate=MONEY, unavailable=array(DATE), scenes=COUNT),
    "DoodRow": obj(castId={"type": "integer", "minimum": 1}, character=STRING, actor=STRING,
                   days=array({"type": "string", "enum": ["", "SW", "W", "WF", "SWF", "H", "WD", "SWD", "PW", "PWF"]}),
                   start=or_null(DAY_AND_DATE), finish=or_null(DAY_AND_DATE), work=COUNT, hold=COUNT, drop=COUNT,
                   paidDays=COUNT, cost=MONEY),
    "CallSheet": obj(production=STRING, day={"type": "integer", "minimum": 1}, of={"type": "integer", "minimum": 1},
                     date=or_null(DATE), callTime=STRING, locations=array(STRING),
                     scenes=array({"allOf": [ref("Strip"), obj(scene_description=STRING)]}), eighths=COUNT, pages=PAGES_TEXT,
                     overCapacity={"type": "boolean"},
                     cast=array(obj(castId={"type": "integer", "minimum": 1}, character=STRING, actor=STRING,
                                    code={"type": "string", "minLength": 1}, callTime=or_null(STRING))),
                     note=STRING, advance=array(ref("Strip")), advanceDay=or_null(DAY_AND_DATE)),
}
NOTE = "Scenes come from the script: the schedule keeps only their order into shooting days."

SCHEMAS.update({
    "ProposalCost": obj(total=MONEY, cast={**MONEY, "description": "the DOOD total of the proposed board"},
                        moves={**COUNT, "description": "location changes between consecutive scenes of a day"},
                        dayNight={**COUNT, "description": "day/night switches between consecutive scenes of a day"}),
    "Proposal": obj(days=array(ref("ScheduleDay")), cost=ref("ProposalCost"),
                    optimal={"type": "boolean", "description": "proven optimal"},
                    lowerBound={**or_null(MONEY), "description": "no board costs less (null when a DOOD drop applied)"},
                    seconds=NUMBER),
    "ProposalSummary": obj(cost=ref("ProposalCost"), optimal={"type": "boolean"}, lowerBound=or_null(MONEY),
                           seconds=NUMBER),
})
OPERATIONS = {
    "schedule.get_board": Op("The stripboard: shooting days with dates and strips, the boneyard, totals", data=ref("Schedule"),
                             note=NOTE),
    "schedule.update_board": Op("Replace what the body names: settings and/or the days; answers the board",
                                data=ref("Schedule"), body=schedule.SCHEMA, partial=True, if_match=True,
                                note="A scene id may appear once across all days; an unknown or repeated id is a 400 "
                                     "naming it. Scenes on no day are the boneyard."),
    "schedule.list_cast": Op("The cast list: every character of the script's scenes, by cast id", LIST, ref("CastMember"),
                             listing=cast.LISTING),
    "schedule.update_cast_member": Op("Set a character's castId, actor, user, daily rate or unavailable dates",
                                      data=ref("CastMember"), body=cast.SCHEMA, partial=True, if_match=True,
                                      errors=(409,), params={"character": {"type": "string", "minLength": 1, "maxLength": 200}},
                                      note="The character matches case-insensitively; one not in the script is a 404; "
                                           "a castId another character holds is a 409."),
    "schedule.get_dood": Op("The Day-Out-of-Days: each cast member's code per shooting day, paid days and cost", LIST,
                            ref("DoodRow"), listing=cast.DOOD_LISTING, query=query_of(schedule_pdf.DOOD_QUERY),
                            downloads=("text/csv",),
                            note="`?format=csv`: a spreadsheet grid (a row per cast member, a column per day), not an envelope."),
    "schedule.get_call_sheet": Op("The call sheet of a shooting day", data=ref("CallSheet"),
                                  query=query_of(schedule_pdf.PDF_QUERY), downloads=("application/pdf",),
                                  params={"day": {"type": "integer", "minimum": 1}},
                                  note="`?format=pdf`: a printable PDF, not an envelope. A day not on the board is a 404."),
    "schedule.print_stripboard": Op("The stripboard as a printable PDF (strips in their colours)", RAW,
                                    content=("application/pdf",), query=query_of(schedule_pdf.BOARD_QUERY)),
    "schedule.propose_schedule": Op(
        "Propose a schedule: every scene in days of at most pagesPerDay, cheapest in cast, moves and day/night",
        DATA, ref("Proposal"), created=ref("Proposal"), body=propose.SCHEMA, partial=True, body_optional=True,
        query=query_of(propose.APPLY_QUERY), errors=(409,),
        note="With apply=true the proposal becomes the schedule (201, one `schedule` event), else nothing is "
             "stored. No scene, or unavailable dates that leave no schedule: 400. The board changed during the "
             "search: 409. The search holds no lock."),
}
