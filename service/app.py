"""The ASGI application: ``service.app:app``, built by ``create_app(settings)``."""

from __future__ import annotations

import gc
from typing import Any, cast

from litestar import Litestar, Request, Response, get
from litestar.datastructures import State

from service import metrics, openapi, page, routes
from service.logs import configure_logging
from service.middleware import ServiceMiddleware
from service.settings import Settings

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>roi-service API</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><script id="api-reference" data-url="/schema/openapi.json"></script>
<script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference"></script>
<noscript>The contract is at <a href="/schema/openapi.json">/schema/openapi.json</a>.</noscript>
</body></html>
"""

INDEX = openapi.Index(
    service=openapi.TITLE,
    version=openapi.VERSION,
    description="What introducing a CRM is worth, and how fast it pays back.",
    links={
        "evaluate": "/evaluate",
        "payback": "/payback",
        "openapi": "/schema/openapi.json",
        "docs": "/schema",
        "health": "/healthz",
        "ready": "/readyz",
    },
)


def create_app(settings: Settings | None = None) -> ServiceMiddleware:
    """The service: Litestar routes behind the request-id, header and logging layer."""
    settings = settings or Settings.from_env()
    configure_logging(settings)
    contract = routes.ENCODER.encode(openapi.build_openapi())

    index_json = routes.ENCODER.encode(INDEX)

    @get("/", name="index", sync_to_thread=False)
    def index(request: Request[Any, Any, Any]) -> Response[bytes]:
        """The calculator page for browsers, the links for API clients."""
        if page.wants_html(request):
            return page.asset_response(request, "index.html")
        return Response(index_json, media_type=routes.JSON)

    @get("/schema/openapi.json", name="openapi", sync_to_thread=False)
    def openapi_json() -> Response[bytes]:
        return Response(contract, media_type="application/vnd.oai.openapi+json")

    @get("/metrics", name="metrics", sync_to_thread=False)
    def prometheus() -> Response[bytes]:
        return Response(metrics.exposition(), media_type=metrics.MEDIA_TYPE)

    @get("/schema", name="docs", sync_to_thread=False)
    def docs() -> Response[str]:
        return Response(DOCS_PAGE, media_type="text/html")

    state: dict[str, Any] = {
        "draining": False,
        "max_body_bytes": settings.max_body_bytes,
        "body_timeout_seconds": settings.body_timeout_seconds,
    }
    litestar = Litestar(
        route_handlers=[
            index, openapi_json, docs, prometheus, page.static,
            routes.evaluate, routes.payback, routes.healthz, routes.readyz,
        ],
        exception_handlers=cast(Any, routes.EXCEPTION_HANDLERS),
        request_max_body_size=settings.max_body_bytes,
        openapi_config=None,  # the contract is ours: see service/openapi.py
        logging_config=None,  # structlog, configured above
        state=State(state),
    )  # fmt: skip
    return ServiceMiddleware(litestar, litestar, settings)


app = create_app()
# Everything built at start-up lives as long as the process: keep it out of the collector's
# generations, so no full collection walks ~60,000 long-lived objects in the middle of a request.
gc.collect()
gc.freeze()
# A young-generation collection walks every live young object: with the default threshold (700
# allocations) that is several walks per /payback and about a third of a request's cost (see
# docs/performance.md). Requests leave little cyclic garbage, so collect 14 times less often.
gc.set_threshold(10_000, 10, 10)
