"""OpenAPI of /script: the script, scenes, revisions, the screenplay text and the breakdown."""
from services import scene_fields, scenes, screenplay, script
from services.openapi.shapes import (COUNT, DATA, FILE, ID, LIST, NUMBER, STRING, TIMESTAMP, VERSION, Op, array, model,
                                     obj, or_null, query_of, ref)

MIRRORS = {legacy: {"description": f"legacy mirror of {name}"} for legacy, name in scene_fields.ALIASES.items()}
EIGHTHS = {"type": "integer", "minimum": 1,
           "description": "the scene's length in eighths of a page (the industry layout: US Letter, Courier 12, "
                          "55 lines a page), rounded up; from the screenplay when broken down, else entered, "
                          "else the runtime at a page a minute"}
PAGES = {"type": "integer", "minimum": 0,
         "description": "pages the screenplay fills when printed in the industry layout (title page excluded)"}
SCHEMAS = {
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
}
SCENE_BODY = {**scene_fields.SCHEMA, **{legacy: scene_fields.SCHEMA[name] for legacy, name in scene_fields.ALIASES.items()}}
SCENE_NOTE = ("The legacy names (" + ", ".join(scene_fields.ALIASES) + ") are aliases; both names with different values "
              "are a 400. A duplicate scene_number is a 409.")

OPERATIONS = {
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
}
