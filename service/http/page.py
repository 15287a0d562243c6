"""The calculator page and its assets, read once at start-up from service/static/.

Served from memory: no file-system access per request (the container's root is read-only),
and no third-party requests from the page.
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

STATIC = Path(__file__).parent / "static"
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>roi-service API</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><script id="api-reference" data-url="/schema/openapi.json"></script>
<script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference"></script>
<noscript>The contract is at <a href="/schema/openapi.json">/schema/openapi.json</a>.</noscript>
</body></html>
"""
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


def asset_response(request: Request[Any, Any, Any], name: str) -> Response[bytes]:
    asset = assets().get(name)
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


def wants_html(request: Request[Any, Any, Any]) -> bool:
    """Browsers ask for text/html first; API clients (curl, fetch) for JSON or anything."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept.split(",")[0]
