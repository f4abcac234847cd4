"""The OpenAPI 3.1 document of the API (SPEC §3 Analytics and meta).

Built from what the app already knows, so it cannot drift from it: the paths, methods and path
parameters come from Flask's url_map, who may call each operation from the view's ``@requires``
permission and the role table, field types, enums and bounds from the validator's schemas, and
list parameters from the domain's ``ListSpec``. Only what an operation takes and answers is declared
here, in ``OPERATIONS`` (one line per route; ``crud()`` for a record collection).
"""
import re
from dataclasses import dataclass, field, replace

from services import activity as events
from services import (assets, auth, budget, cast, deliverables, distribution, propose, releases, schedule, schedule_pdf,
                      scene_fields, scenes, screenplay, script, tasks, users, vfx)
from utils import activity
from utils.auth import PUBLIC, SIGNED_IN
from utils.listing import MAX_PER_PAGE
from utils.permissions import PERMISSIONS, ROLES
from utils.validation import MISSING, json_schema_of

RESOURCE, DATA, LIST, NONE, RAW = "resource", "data", "list", "none", "raw"
JSON = "application/json"

STATUS_TEXT = {
    400: "Validation failed: malformed JSON, a missing, invalid or unknown field (named in `errors`)",
    401: "No token, bad signature, expired, revoked, wrong token type, or the user no longer exists",
    403: "Signed in, but the role (or an ownership rule) does not allow this",
    404: "Unknown id",
    409: "Conflict with the stored data (duplicate, last Producer, deleting yourself)",
    412: "`If-Match` was sent and is stale: re-read and retry",
    413: "Body over the limit (JSON bodies: 1 MiB; uploads: PRODSIGHT_MAX_UPLOAD_MB)",
    416: "The Range asked for is not satisfiable",
    415: "A body that is not JSON (send `Content-Type: application/json`)",
    429: "Too many failed logins: wait `Retry-After` seconds",
}


@dataclass(frozen=True)
class Op:
    """What one route takes and answers; everything else is derived."""

    summary: str
    kind: str = RESOURCE  # RESOURCE (data + ETag), DATA (no ETag), LIST (array + X-Total-Count), NONE (data null), RAW
    data: dict = field(default_factory=dict)  # JSON Schema of `data` (of one item for a LIST)
    body: dict | None = None  # a validator schema: field name -> Field
    partial: bool = False  # an update: no field is required
    body_optional: bool = False  # an empty body is fine too (logout)
    status: int = 200
    also: tuple = ()  # more success statuses answered like the main one (206 and 304 of a download)
    created: dict | None = None  # JSON Schema of `data` of a second, 201 answer (a PUT that creates, ?apply=true)
    listing: object = None  # the domain's ListSpec: its filters become query parameters
    if_match: bool = False
    errors: tuple = ()  # statuses the service may answer beyond the derived ones
    note: str = ""  # a rule the permission alone does not tell
    content: tuple = (JSON,)  # media types of a RAW success
    form: dict | None = None  # multipart/form-data fields -> JSON Schema (FILE for an upload), beside or instead of body
    params: dict = field(default_factory=dict)  # path parameter -> JSON Schema, when not a plain id
    query: dict = field(default_factory=dict)  # extra query parameters -> JSON Schema
    downloads: tuple = ()  # media types the same success also comes as, asked for with ?format= (CSV, PDF)
    raw_body: dict | None = None  # a JSON Schema of the body, when no validator schema describes it


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def model(schema, required=("id",), stamps=("id", "createdAt", "updatedAt"), **derived):
    """A stored record as clients see it: server stamps, the validator's fields, derived fields."""
    properties = {name: STAMPS[name] for name in stamps}
    properties.update({name: json_schema_of(f) for name, f in schema.items()}, **derived)
    return {"type": "object", "required": list(required), "properties": properties}


def crud(blueprint, noun, plural, label, body, listing, errors=(), note="", update_body=None):
    """The five operations of a record collection whose views follow the usual names."""
    model_ref = ref(label)
    return {
        f"{blueprint}.list_{plural}": Op(f"List {plural}", LIST, model_ref, listing=listing, note=note),
        f"{blueprint}.get_{noun}": Op(f"One {noun}", data=model_ref, note=note),
        f"{blueprint}.create_{noun}": Op(f"Create a {noun}", data=model_ref, body=body, status=201,
                                         errors=errors, note=note),
        f"{blueprint}.update_{noun}": Op(f"Update a {noun} (partial; only the sent fields change)", data=model_ref,
                                         body=update_body or body, partial=True, if_match=True, errors=errors,
                                         note=note),
        f"{blueprint}.delete_{noun}": Op(f"Delete a {noun}", data=model_ref, if_match=True, errors=errors, note=note),
    }


ID = {"type": "string", "minLength": 1, "description": "a string id, never reused"}
TIMESTAMP = {"type": "string", "format": "date-time", "pattern": r"Z$", "description": "ISO 8601 UTC"}
FILE = {"type": "string", "format": "binary"}  # a multipart file part, for Op(form=...)
STAMPS = {"id": ID, "createdAt": TIMESTAMP, "updatedAt": TIMESTAMP}
NAME_OR_NULL = {"type": ["string", "null"], "description": "derived from the id: the user's current name"}
STORED_USER = {name: f for name, f in users.STORED_SCHEMA.items() if name != "passwordHash"}
STRING, NUMBER = {"type": "string"}, {"type": "number"}
COUNT = {"type": "integer", "minimum": 0}
MONEY = {"type": "number", "description": "rounded to cents"}
DATE = {"type": "string", "format": "date"}
VERSION = {"type": "string", "pattern": r"^[1-9][0-9]*$", "description": '"1", "2", ...'}

MIRRORS = {legacy: {"description": f"legacy mirror of {name}"} for legacy, name in scene_fields.ALIASES.items()}
EIGHTHS = {"type": "integer", "minimum": 1,
           "description": "the scene's length in eighths of a page (the industry layout: US Letter, Courier 12, "
                          "55 lines a page), rounded up; from the screenplay when broken down, else entered, "
                          "else the runtime at a page a minute"}
PAGES = {"type": "integer", "minimum": 0,
         "description": "pages the screenplay fills when printed in the industry layout (title page excluded)"}


def obj(**properties):
    """A response object: every property listed is present (extra ones are allowed)."""
    return {"type": "object", "required": list(properties), "properties": properties}


def array(items):
    return {"type": "array", "items": items}


def or_null(schema):
    return {"anyOf": [schema, {"type": "null"}]}


def query_of(schema):
    """A service's query-parameter schema (checked with ``validate_query``) as documented parameters."""
    return {name: json_schema_of(f) for name, f in schema.items()}


def form(schema):
    """A validator schema as multipart text fields (a form sends no null: an empty value is one)."""
    return {name: f.json_schema() for name, f in schema.items()}


DOCS_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")

# -- the schedule ---------------------------------------------------------------------------
PAGES_TEXT = {"type": "string", "pattern": r"^(0|[1-9][0-9]*|([1-9][0-9]* )?[1-7]/8)$", "description": 'pages: "2 3/8", "7/8", "3"'}
DAY_AND_DATE = obj(day={"type": "integer", "minimum": 1}, date=or_null(DATE))
CAST_IDS = array({"type": "integer", "minimum": 1})
SCHEDULE_SCHEMAS = {
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
SCHEDULE_NOTE = "Scenes come from the script: the schedule keeps only their order into shooting days."

SCHEMAS = {
    "User": model(STORED_USER, permissions={"type": "array", "items": {"type": "string"}, "readOnly": True}),
    "Task": model(tasks.STORED_SCHEMA, assignee=NAME_OR_NULL),
    "VfxVersion": model(vfx.VERSION_SCHEMA, required=("version",), stamps=("createdAt",),
                        version={"type": "string", "pattern": r"^v\d{3,}$"}, createdBy=ID),
    "VfxShot": model(vfx.STORED_SCHEMA, assignee=NAME_OR_NULL, versions={"type": "array", "items": ref("VfxVersion")}),
    "Tokens": {"type": "object", "required": ["access_token", "refresh_token", "token_type", "expires_in"],
               "properties": {"access_token": {"type": "string"}, "refresh_token": {"type": "string"},
                              "token_type": {"const": "Bearer"}, "expires_in": {"type": "integer"}}},
    "Health": {"type": "object", "required": ["status", "version"],
               "properties": {"status": {"const": "ok"}, "version": {"type": "string"}}},
    "BudgetCategory": model(budget.STORED_CATEGORY_SCHEMA, required=("name", "budgeted", "spent", "remaining"),
                            stamps=(), spent=MONEY, remaining=MONEY, percentUsed=NUMBER),
    "BudgetEntry": model(budget.STORED_ENTRY_SCHEMA, required=("id", "date", "amount", "category"), stamps=()),
    "Forecast": obj(asOf=DATE, total=MONEY, spent=MONEY, remaining=MONEY, burnRatePerDay=MONEY,
                    depletionDate=or_null(DATE), projectedTotal=MONEY, overBudget=MONEY,
                    riskFactors=array(STRING),
                    categories=array(obj(name=STRING, budgeted=MONEY, spent=MONEY, projected=MONEY,
                                         status={"type": "string", "enum": ["ok", "at_risk", "over"]}))),
    "Budget": obj(currency=STRING, startDate=or_null(DATE), endDate=or_null(DATE), total=MONEY, spent=MONEY,
                  remaining=MONEY, categories=array(ref("BudgetCategory")), history=array(ref("BudgetEntry")),
                  forecast=ref("Forecast")),
    "Scene": model(scene_fields.STORED_SCENE_SCHEMA, required=("id", "scene_number", "page_eighths"), stamps=("id",),
                   page_eighths=EIGHTHS, **MIRRORS),
    "ParsedScene": model(scene_fields.STORED_SCENE_SCHEMA, required=("scene_number", "page_eighths"), stamps=(),
                         page_eighths=EIGHTHS, **MIRRORS),
    "ScriptTotals": obj(totalScenes=COUNT, totalEstimatedDuration=NUMBER, vfxScenes=COUNT,
                        locations=array(STRING), characters=array(STRING)),
    "Revision": obj(version=VERSION, revisionColor=STRING, lastModified=TIMESTAMP, modifiedBy=or_null(ID)),
    "Script": {"allOf": [obj(version=VERSION, revisionColor=STRING, lastModified=or_null(TIMESTAMP),
                             modifiedBy=or_null(ID)),
                         ref("ScriptTotals"), obj(title=STRING, scenes=array(ref("Scene")))]},
    "ScriptText": obj(content=STRING, pages=PAGES),
    "ScriptVersion": {"allOf": [ref("Script"), obj(summary=or_null(STRING), text=ref("ScriptText"))]},
    "Breakdown": {"allOf": [ref("ScriptTotals"), obj(title=or_null(STRING), scenes=array(ref("ParsedScene")),
                                                     totalPages=PAGES)]},
    "Asset": model(assets.STORED_SCHEMA, url={"type": "string", "pattern": "^/api/assets/download/"}),
    "ActivityEvent": obj(id=ID, at=TIMESTAMP, actorId=ID, actor=STRING,
                         action={"type": "string", "enum": list(activity.ACTIONS)},
                         entity={"type": "string", "enum": list(activity.ENTITIES)},
                         entityId=or_null(STRING), summary=STRING, changes={"type": "object"}),
    "Summary": obj(asOf=DATE, tasks={"type": "object"}, vfx={"type": "object"}, script={"type": "object"},
                   budget={"type": "object"}, assets={"type": "object"}, users={"type": "object"},
                   schedule={"type": "object"}),
    **SCHEDULE_SCHEMAS,
}
SCHEMAS["Summary"]["properties"]["distribution"] = obj(releases=COUNT, byStatus={"type": "object"}, deliverables=COUNT,
                                                       overdueDeliverables=COUNT)
SCHEMAS["Summary"]["required"].append("distribution")
SCHEMAS.update({
    "Deliverable": model(deliverables.STORED_SCHEMA, stamps=("id", "createdAt", "updatedAt"), createdBy=ID,
                         submitted={"type": "boolean", "description": "derived: approvalStatus is not not_submitted"},
                         overdue={"type": "boolean", "description": "derived: not approved and due before today"}),
    "Release": model(releases.SCHEMA, createdBy=ID,
                     deliverables=array(ref("Deliverable"))),
    "CalendarEntry": obj(id=STRING, date=DATE, type={"type": "string", "enum": list(distribution.CALENDAR_TYPES)},
                         title=STRING, relatedId=STRING, releaseId=or_null(STRING)),
})
USERS_NOTE = ("Writes: a Producer any user; a Production Manager users whose role is and stays Crew or VFX; "
              "anyone their own name, email, avatar and password (with `current_password`).")
PAGING = {"page": {"type": "integer", "minimum": 1},
          "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}}
SCENE_BODY = {**scene_fields.SCHEMA, **{legacy: scene_fields.SCHEMA[name] for legacy, name in scene_fields.ALIASES.items()}}
SCENE_NOTE = ("The legacy names (" + ", ".join(scene_fields.ALIASES) + ") are aliases; both names with different values "
              "are a 400. A duplicate scene_number is a 409.")
LOGIN = {"allOf": [ref("Tokens"), {"type": "object", "required": ["user"], "properties": {"user": ref("User")}}]}

OPERATIONS = {
    "meta.health": Op("Is the API up", DATA, ref("Health")),
    "meta.openapi_document": Op("This OpenAPI document (bare, not an envelope)", RAW),
    "meta.docs": Op("Swagger UI for this document (HTML)", RAW, content=("text/html",)),
    "meta.docs_file": Op("Swagger UI's own files, served from the installed package", RAW,
                         content=("text/javascript", "text/css", "image/png"),
                         params={"filename": {"type": "string", "enum": list(DOCS_FILES)}}),
    "auth.login": Op("Log in with username (or email) and password", data=LOGIN, body=auth.LOGIN_SCHEMA, errors=(401, 429),
                     note="Wrong user and wrong password give the same 401; 5 failures in 15 minutes lock the name."),
    "auth.me": Op("The signed-in user", data=ref("User")),
    "auth.refresh": Op("New token pair for the refresh token sent as Bearer (rotation)", data=ref("Tokens"),
                       note="Send the refresh token, not the access token; the one used is revoked."),
    "auth.logout": Op("Revoke the presented token (and `refresh_token` if sent)", NONE, body=auth.LOGOUT_SCHEMA,
                      partial=True, body_optional=True),
    **crud("users", "user", "users", "User", users.SCHEMA, users.LISTING, errors=(403, 409), note=USERS_NOTE),
    "users.delete_user": Op("Delete a user (their tasks and shots are unassigned)", NONE, if_match=True,
                            errors=(403, 409), note=USERS_NOTE),
    **crud("tasks", "task", "tasks", "Task", tasks.SCHEMA, tasks.LISTING,
           note="Producer, Production Manager and Director read all tasks; other roles only those assigned "
                "to them. The assignee may change a task's `status` only."),
    "tasks.tasks_of": Op("Tasks assigned to a user", LIST, ref("Task"), listing=tasks.LISTING,
                         note="Roles that cannot read all tasks may list only their own."),
    **crud("vfx", "shot", "shots", "VfxShot", vfx.SCHEMA, vfx.LISTING, errors=(409,), update_body=vfx.UPDATE_SCHEMA),
    "vfx.shots_of": Op("VFX shots assigned to a user", LIST, ref("VfxShot"), listing=vfx.LISTING),
    "vfx.add_version": Op("Add the next version (v001, v002...) to a shot; answers the whole shot",
                          data=ref("VfxShot"), body=vfx.VERSION_SCHEMA, status=201,
                          form={"file": FILE, **form(vfx.FILE_VERSION_SCHEMA)},
                          note="JSON, or multipart with a `file` that is stored as an asset of the shot and linked "
                               "(its `assetId` and `fileSize`)."),
    "budget.overview": Op("The whole budget: settings, totals, categories, ledger and today's forecast",
                          data=ref("Budget")),
    "budget.update_settings": Op("Update the currency and production dates; answers the whole budget",
                                 data=ref("Budget"), body=budget.SETTINGS_INPUT, partial=True, if_match=True),
    "budget.list_categories": Op("List budget categories (spent, remaining, percentUsed derived)", LIST,
                                 ref("BudgetCategory"), listing=budget.CATEGORY_LISTING),
    "budget.put_category": Op("Update or rename a category; a name not yet present creates it (201)",
                              data=ref("BudgetCategory"), created=ref("BudgetCategory"), body=budget.CATEGORY_SCHEMA,
                              partial=True, if_match=True, errors=(409,),
                              params={"name": json_schema_of(budget.CATEGORY_NAME)},
                              note="Creating needs `budgeted`; renaming onto an existing name is a 409."),
    "budget.list_history": Op("The ledger, newest first", LIST, ref("BudgetEntry"), listing=budget.HISTORY_LISTING,
                              query=query_of(budget.HISTORY_QUERY)),
    "budget.add_entry": Op("Record an expense in an existing category (undated: today, UTC)", data=ref("BudgetEntry"),
                           body=budget.ENTRY_SCHEMA, status=201),
    "budget.get_forecast": Op("Burn rate, depletion date and projection as of a date", DATA, ref("Forecast"),
                              query=query_of(budget.AS_OF_QUERY)),
    "script.get_script": Op("The script: title, revision, scenes and totals", data=ref("Script")),
    "script.update_script": Op("Update the title or replace the scenes (a new revision)", data=ref("Script"),
                               body=script.SCRIPT_SCHEMA, partial=True, if_match=True, errors=(409,)),
    "script.list_scenes": Op("List scenes (by scene_number unless sorted)", LIST, ref("Scene"), listing=scenes.LISTING),
    "script.get_scene": Op("One scene", data=ref("Scene")),
    "script.create_scene": Op("Create a scene (a new revision)", data=ref("Scene"), body=SCENE_BODY, status=201,
                              errors=(409,), note=SCENE_NOTE),
    "script.update_scene": Op("Update a scene (partial; a new revision)", data=ref("Scene"), body=SCENE_BODY,
                              partial=True, if_match=True, errors=(409,), note=SCENE_NOTE),
    "script.delete_scene": Op("Delete a scene (a new revision; its VFX shots point at no scene)", data=ref("Scene"),
                              if_match=True),
    "script.list_versions": Op("The revisions, newest first, the current one included", LIST, ref("Revision"),
                               listing=script.VERSIONS_LISTING),
    "script.get_version": Op("One revision's state in full", data=ref("ScriptVersion"), params={"version": VERSION}),
    "script.restore_version": Op("A new revision equal to this one (takes no body)", data=ref("Script"), status=201,
                                 params={"version": VERSION}),
    "script.get_text": Op("The screenplay text the production keeps", DATA, ref("ScriptText")),
    "script.put_text": Op("Store the screenplay text (a new revision when it changed)", DATA, ref("ScriptText"),
                          body=screenplay.TEXT_SCHEMA),
    "script.breakdown": Op("Break a screenplay down into scenes; with apply=true they become the script's scenes",
                           DATA, ref("Breakdown"), created=ref("Script"), body=screenplay.BREAKDOWN_SCHEMA,
                           body_optional=True, form={"file": FILE}, query=query_of(screenplay.BREAKDOWN_QUERY),
                           note="JSON `{text}`, a `.fountain`/`.txt` file (multipart `file`, at most "
                                f"{screenplay.MAX_UPLOAD_MIB} MiB), or neither: the stored text."),
    "assets.list_assets": Op("List assets", LIST, ref("Asset"), listing=assets.LISTING),
    "assets.search_assets": Op("Search assets by name, description and tags (q)", LIST, ref("Asset"),
                               listing=assets.LISTING),
    "assets.get_asset": Op("One asset", data=ref("Asset")),
    "assets.upload": Op("Upload a file as an asset (multipart, streamed to disk)", data=ref("Asset"), status=201,
                        form={"file": FILE, **form(assets.FORM_SCHEMA)},
                        note="Extensions on the allow-list only; the size limit is PRODSIGHT_MAX_UPLOAD_MB (413)."),
    "assets.download": Op("The stored file, as an attachment under its original name (byte ranges supported)", RAW,
                          content=("*/*",), also=(206, 304), errors=(416,),  # the asset's own type
                          params={"filename": {"type": "string", "minLength": 1}}),
    "assets.delete_asset": Op("Delete an asset: its record and its file", data=ref("Asset"), if_match=True,
                              note="The uploader may delete their own; a Producer or Production Manager any."),
    **crud("distribution", "release", "releases", "Release", distribution.WINDOW_INPUT, releases.LISTING, errors=(409,),
           note="`status` is derived from the dates unless cancelled; an exclusive window overlapping another of "
                "its licence type and territory is a 409 naming it; deliverables sent inside are created."),
    **crud("distribution", "deliverable", "deliverables", "Deliverable", deliverables.SCHEMA, deliverables.LISTING,
           errors=(409,), update_body=deliverables.UPDATE_SCHEMA,
           note="A PUT with a new `approvalStatus` is a move: not_submitted → pending → approved | rejected, "
                "rejected → pending (409 otherwise); submitting needs an `assetId`."),
    "distribution.create_checklist": Op("Create the feature delivery checklist, due relative to the window's start",
                                        LIST, ref("Deliverable"), body=deliverables.CHECKLIST_SCHEMA, status=201),
    "distribution.calendar": Op("Release starts and ends, marketing deadlines and deliverable due dates, by date",
                                LIST, ref("CalendarEntry"), listing=distribution.CALENDAR_LISTING,
                                query=query_of(releases.OVERLAP_QUERY)),
    "analytics.summary": Op("The production summary as of a date", DATA, ref("Summary"),
                            query=query_of(budget.AS_OF_QUERY)),
    "schedule.get_board": Op("The stripboard: shooting days with dates and strips, the boneyard, totals", data=ref("Schedule"),
                             note=SCHEDULE_NOTE),
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
    "activity.list_events": Op("The activity log, newest first, always paged (50 a page unless asked)", LIST,
                               ref("ActivityEvent"), query={**query_of(events.QUERY), **PAGING}),
}


OPERATIONS["distribution.list_releases"] = replace(OPERATIONS["distribution.list_releases"],
                                                   query=query_of(releases.OVERLAP_QUERY))
OPERATIONS["distribution.list_deliverables"] = replace(OPERATIONS["distribution.list_deliverables"],
                                                       query=query_of(deliverables.QUERY))

# -- the proposal and the original frontend's scheduling calls (issue 21) ---------------------------------
SCENE_NUMBER = {"type": "integer", "minimum": 1}
NAMES = array(STRING)
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
})
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
OPERATIONS.update({
    "schedule.propose_schedule": Op(
        "Propose a schedule: every scene in days of at most pagesPerDay, cheapest in cast, moves and day/night",
        DATA, ref("Proposal"), created=ref("Proposal"), body=propose.SCHEMA, partial=True, body_optional=True,
        query=query_of(propose.APPLY_QUERY), errors=(409,),
        note="With apply=true the proposal becomes the schedule (201, one `schedule` event), else nothing is "
             "stored. No scene, or unavailable dates that leave no schedule: 400. The board changed during the "
             "search: 409. The search holds no lock."),
    "ai.generate_gemini_schedule": Op("The original frontend's AI schedule: a proposal in its schedule_data shape",
                                      DATA, ref("FrontendSchedule"), raw_body=CONSTRAINTS, body_optional=True,
                                      note=FRONTEND_NOTE),
    "ai.preview_schedule": Op("The first five scenes of the board in shooting order", DATA, ref("FrontendPreview"),
                              note=FRONTEND_NOTE),
    "ai.schedule_analysis": Op("The script's scenes counted: locations, times of day, busiest cast", DATA,
                               ref("FrontendAnalysis"), note=FRONTEND_NOTE),
    "ai.sort_schedule": Op("The legacy sort: the proposal's scene order (nothing stored)", DATA, ref("FrontendSorted"),
                           body=propose.SCHEMA, partial=True, body_optional=True, note=FRONTEND_NOTE),
    "analysis.analyse_text": Op("The breakdown of a screenplay sent as text (the original frontend's path)", DATA,
                                ref("Breakdown"), body={"text": screenplay.BREAKDOWN_SCHEMA["text"]},
                                note="As POST /script/breakdown without apply; the fields also at the top level."),
    "analysis.analyse_file": Op("The breakdown of an uploaded screenplay (the original frontend's path)", DATA,
                                ref("Breakdown"), form={"file": FILE},
                                note="As POST /script/breakdown with a file; the fields also at the top level."),
})


def document(app, version):
    """The whole document for ``app``: every method of every /api rule in its url_map."""
    paths = {}
    for rule, method, view in api_rules(app):
        path = openapi_path(rule)
        op = OPERATIONS.get(rule.endpoint) or Op(f"{method} {path} (not yet described)")
        entry = operation(rule, method, op, view.permission)
        if getattr(view, "refresh", False):
            entry["security"] = [{"refreshToken": []}]
        paths.setdefault(path, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Prodsight API", "version": version,
                 "description": "Film production tracker. Every answer under /api is a JSON envelope "
                                "`{success, data, message}` or `{success: false, message, errors}`."},
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **ENVELOPES},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                           "description": "the access_token from POST /api/auth/login"},
                "refreshToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                 "description": "the refresh_token: only POST /api/auth/refresh takes it"},
            },
        },
        "security": [{"bearer": []}],
    }


def openapi_path(rule):
    """``/api/tasks/<task_id>`` (Flask, converters included) -> ``/api/tasks/{task_id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


def api_rules(app):
    """(rule, method, view function) for every method of every /api rule, HEAD and OPTIONS aside."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.rule.startswith("/api/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method, app.view_functions[rule.endpoint]


def operation(rule, method, op, permission):
    entry = {
        "operationId": rule.endpoint,
        "tags": [rule.endpoint.split(".")[0]],
        "summary": op.summary,
        "description": " ".join(filter(None, [who_may(permission), op.note])),
        "parameters": parameters(rule, op),
        "responses": {str(op.status): success(op), **also(op), **errors(rule, op, permission)},
    }
    if permission == PUBLIC:
        entry["security"] = []
    content = {}
    if op.body is not None:
        content[JSON] = {"schema": request_schema(op.body, op.partial)}
    if op.raw_body is not None:
        content[JSON] = {"schema": op.raw_body}
    if op.form is not None:
        files = [name for name, schema in op.form.items() if schema is FILE]  # a form without its file is a 400
        content["multipart/form-data"] = {"schema": {"type": "object", "required": files, "properties": op.form}}
    if content:
        entry["requestBody"] = {"required": not op.body_optional, "content": content}
    return entry


def who_may(permission):
    if permission == PUBLIC:
        return "Public: no token needed."
    if permission == SIGNED_IN:
        return "Any signed-in user."
    roles = [role for role in ROLES if permission in PERMISSIONS[role]]
    return f"Roles: {', '.join(roles)} (permission `{permission}`)."


def parameters(rule, op):
    found = [{"name": name, "in": "path", "required": True, "schema": op.params.get(name, PATH_ID)}
             for name in rule.arguments]
    for param in found:
        if param["schema"] is PATH_ID:
            param["example"] = "1"  # ids start at "1": fuzzing and "Try it out" reach a real record
    if op.if_match:
        found.append({"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
                      "description": "the ETag last read: a stale one is a 412"})
    if op.listing is not None:
        found += list_parameters(op.listing)
    found += query_parameters(op.query)
    return found


PATH_ID = {"type": "string", "pattern": r"^[A-Za-z0-9._~-]+$", "maxLength": 50}


def list_parameters(spec):
    """SPEC §2's list conventions for a domain's ``ListSpec``: filters, q, sort and paging."""
    sorts = [prefix + name for name in spec.sortable for prefix in ("", "-")]
    schemas = {
        **{name: {"type": "string", "enum": list(values)} for name, values in spec.enums.items()},
        **{name: {"type": "string"} for name in spec.exact},
        **{name: {"type": "string", "description": "exact, ignoring case"} for name in spec.exact_ci},
    }
    if spec.text:
        schemas["q"] = {"type": "string", "description": "case-insensitive search over " + ", ".join(spec.text)}
    if spec.sortable:
        schemas["sort"] = {"type": "string", "enum": sorts, "description": "a field; prefix - for descending"}
    return query_parameters({**schemas, **PAGING})


def query_parameters(schemas):
    return [{"name": name, "in": "query", "required": False, "schema": schema} for name, schema in schemas.items()]


def request_schema(schema, partial):
    """A body the validator takes: its fields with their rules; unknown fields are a 400
    (server-owned ones sent back are ignored, so clients may echo a record)."""
    body = {"type": "object", "additionalProperties": False,
            "properties": {name: json_schema_of(f) for name, f in schema.items()}}
    required = [name for name, f in schema.items() if f.required and f.default is MISSING]
    if required and not partial:
        body["required"] = required
    return body


def success(op):
    if op.kind == RAW:
        return {"description": "OK", "content": {media: {"schema": {}} for media in op.content}}
    data = {"type": "array", "items": op.data} if op.kind == LIST else {"type": "null"} if op.kind == NONE else op.data
    answer = {"description": "Created" if op.status == 201 else "OK",
              "content": {JSON: {"schema": {"allOf": [ref("Success"), {"properties": {"data": data}}]}}}}
    answer["content"].update({media: {"schema": {"type": "string", "format": "binary"}} for media in op.downloads})
    if op.kind == RESOURCE:
        answer["headers"] = {"ETag": {"schema": {"type": "string"}, "description": "for If-Match"}}
    if op.kind == LIST:
        answer["headers"] = {"X-Total-Count": {"schema": {"type": "integer"}, "description": "the whole count"}}
    return answer


def also(op):
    """The other success answers: a 201 with ``op.created`` data, a download's 206 and 304."""
    answers = {"201": success(replace(op, data=op.created, status=201))} if op.created is not None else {}
    for status in op.also:
        answers[str(status)] = {"description": OTHER_SUCCESS[status]}
        if status != 304:  # a 304 has no body
            answers[str(status)]["content"] = success(op)["content"]
    return answers


OTHER_SUCCESS = {206: "Partial content: the Range asked for", 304: "Not modified: If-None-Match matched the ETag"}


def errors(rule, op, permission):
    """The failures an operation can answer, derived from what it takes and who may call it."""
    statuses = set(op.errors)
    if op.body is not None or op.form is not None or op.raw_body is not None:
        statuses |= {400, 413, 415}
    if op.listing is not None or op.query:
        statuses.add(400)
    if permission != PUBLIC:
        statuses.add(401)
    if permission not in (PUBLIC, SIGNED_IN):
        statuses.add(403)
    if rule.arguments:
        statuses.add(404)
    if op.if_match:
        statuses.add(412)
    return {str(status): {"description": STATUS_TEXT[status], "content": {JSON: {"schema": ref("Error")}}}
            for status in sorted(statuses)}


ENVELOPES = {
    "Success": {
        "type": "object", "required": ["success", "data", "message"],
        "properties": {
            "success": {"const": True},
            "data": {},
            "message": {"type": "string", "minLength": 1, "description": 'short and human: "12 tasks", "Task 4"'},
            "meta": {"type": "object", "required": ["page", "per_page", "total"],
                     "description": "only on a list asked for with page or per_page",
                     "properties": {"page": {"type": "integer", "minimum": 1},
                                    "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                                    "total": {"type": "integer", "minimum": 0}}},
        },
    },
    "Error": {
        "type": "object", "required": ["success", "message"],
        "properties": {
            "success": {"const": False},
            "message": {"type": "string", "minLength": 1},
            "errors": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "field name -> what to fix"},
        },
    },
}
