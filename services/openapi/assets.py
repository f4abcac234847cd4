"""OpenAPI of /assets: uploads, downloads, search."""
from services import assets
from services.openapi.shapes import FILE, LIST, RAW, Op, form, model, ref

SCHEMAS = {
    "Asset": model(assets.STORED_SCHEMA, url={"type": "string", "pattern": "^/api/assets/download/"}),
}
OPERATIONS = {
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
}
