"""The calculator page and its assets (service/http/static/), and the API docs at /schema:
Swagger UI's own files from the locked ``swagger-ui-bundle-v2`` package.

Served from memory: no file-system access per request (the container's root is read-only),
and no third-party requests from either page.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]  # no py.typed

STATIC = Path(__file__).parent / "static"
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>roi-service API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/schema/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<noscript>The contract is at <a href="/schema/openapi.json">/schema/openapi.json</a>.</noscript>
<script src="/schema/assets/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body></html>
"""
# The files of Swagger UI the docs page loads (the package has others: ES modules, templates)
DOCS_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js")
_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".svg": "image/svg+xml",
}


class Asset:
    """One file: its bytes, media type and a strong ETag."""

    def __init__(self, path: Path) -> None:
        self.body = path.read_bytes()
        media_type = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
        self.media_type = media_type or "application/octet-stream"  # litestar adds charset
        self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


@functools.cache
def assets() -> dict[str, Asset]:
    """The page's files, read on first use (create_app warms it) and kept."""
    return {path.name: Asset(path) for path in sorted(STATIC.glob("*")) if path.is_file()}


@functools.cache
def docs_assets() -> dict[str, Asset]:
    """Swagger UI's files, read on the first visit to the docs (1.7 MB) and kept."""
    folder = Path(str(swagger_ui_path))
    return {name: Asset(folder / name) for name in DOCS_ASSETS}


def asset_response(
    request: Request[Any, Any, Any], name: str, files: dict[str, Asset] | None = None
) -> Response[bytes]:
    asset = (assets() if files is None else files).get(name)
    if asset is None:
        raise NotFoundException
    headers = {"etag": asset.etag, "cache-control": "public, max-age=300"}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


@get("/static/{name:str}", name="static", sync_to_thread=False, include_in_schema=False)
def static(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """An asset of the calculator page."""
    return asset_response(request, name)


@get("/schema/assets/{name:str}", name="docs-assets", sync_to_thread=False)
def docs_asset(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """A file of Swagger UI, for the docs at /schema."""
    return asset_response(request, name, docs_assets())


def wants_html(request: Request[Any, Any, Any]) -> bool:
    """Browsers ask for text/html first; API clients (curl, fetch) for JSON or anything."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept.split(",")[0]
