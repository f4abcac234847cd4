"""OpenAPI of the meta routes: health, this document, Swagger UI."""
from services.openapi.shapes import DATA, RAW, Op, ref

DOCS_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")

SCHEMAS = {
    "Health": {"type": "object", "required": ["status", "version"],
               "properties": {"status": {"const": "ok"}, "version": {"type": "string"}}},
}
OPERATIONS = {
    "meta.health": Op("Is the API up", DATA, ref("Health")),
    "meta.openapi_document": Op("This OpenAPI document (bare, not an envelope)", RAW),
    "meta.docs": Op("Swagger UI for this document (HTML)", RAW, content=("text/html",)),
    "meta.docs_file": Op("Swagger UI's own files, served from the installed package", RAW,
                         content=("text/javascript", "text/css", "image/png"),
                         params={"filename": {"type": "string", "enum": list(DOCS_FILES)}}),
}
