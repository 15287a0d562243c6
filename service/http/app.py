"""``create_app(settings)``: the one way the service is built (nothing is built at import)."""

from __future__ import annotations

import gc
from typing import Any, cast

from litestar import Litestar
from litestar.datastructures import State

from service.http import openapi, openapi30, page
from service.http.application import Application
from service.http.bodies import ENCODER
from service.http.errors import EXCEPTION_HANDLERS
from service.http.guards import Guards
from service.http.routes import LINKS, ROUTES, Index
from service.ops import metrics
from service.ops.logs import configure_logging
from service.settings import Settings


def create_app(settings: Settings | None = None) -> Application:
    """The service: the routes of ``ROUTES`` behind the guards, inside the Application."""
    settings = settings or Settings.from_env()
    configure_logging(settings)
    page.assets()  # read the page's files now, not during the first request
    metrics.start()
    index = Index(
        service=openapi.TITLE,
        version=openapi.VERSION,
        description="What introducing a CRM is worth, and how fast it pays back.",
        links=LINKS,
    )
    guards = Guards(settings)
    contract = openapi.build_openapi()
    state = State(
        {
            "draining": False,  # set by the server on SIGTERM (service/__main__.py)
            "settings": settings,
            "guards": guards,  # a batch counts its items against the rate limits (batch.py)
            "contract": ENCODER.encode(contract),
            "contract_3_0": ENCODER.encode(openapi30.to_openapi_30(contract)),
            "index_json": ENCODER.encode(index),
        }
    )
    litestar = Litestar(
        route_handlers=[route.handler for route in ROUTES],
        middleware=[guards.middleware()],
        exception_handlers=cast(Any, EXCEPTION_HANDLERS),
        request_max_body_size=settings.max_body_bytes,
        openapi_config=None,  # the contract is ours: see service/http/openapi.py
        logging_config=None,  # structlog, configured above
        on_startup=[_settle_the_heap],
        state=state,
    )
    return Application(litestar, settings)


def _settle_the_heap() -> None:
    """Once the app is built: what start-up made lives as long as the process, so keep it out
    of the collector's generations (no full collection walks ~60,000 long-lived objects in the
    middle of a request). And collect the young generation 14 times less often than the default
    (700 allocations): requests leave little cyclic garbage, and with the default a /payback
    paid several walks (about a third of its cost, docs/performance.md)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
